# The offline environment: the OCI provider emulator stands in for Oracle Cloud (live/README.md,
# "Trying it offline") and state stays in local files. The OCIDs but the tenancy's are made up;
# the emulator accepts any well-formed ones.
locals {
  environment = "local"
  region      = "us-ashburn-1"
  # null: the iam unit derives the tenancy's home region (where IAM writes must go) from the
  # tenancy itself; set a region name to skip that lookup.
  home_region = null
  oci_profile = "DEFAULT"

  # The emulated tenancy (a new OCID per emulated cloud, exported by the emulator's harness as
  # scripts/deploy-local and the tests start it): the iam unit reads its home region from it.
  tenancy_id            = get_env("OCI_EMULATOR_TENANCY_ID", "ocid1.tenancy.oc1..aaaaaaaalocalemulatortenancy000000000000000000000000000000")
  compartment_id        = "ocid1.compartment.oc1..aaaaaaaalocalemulatorcompartment000000000000000000000000"
  dynamic_group_id      = "ocid1.dynamicgroup.oc1..aaaaaaaalocalemulatordynamicgroup00000000000000000000000"
  work_compartment_id   = null
  policy_compartment_id = null

  image_namespace = "localemulator"
  image_tag       = "0.1.0"
  # The OCIR repository of Galley's image: the container instance pulls from it and the iam
  # policy allows pulls from it only, so both units read this one value.
  image_repository_name = "galley"
  # The emulator holds no registry; null keeps the repository in compartment_id as in the cloud.
  image_repository_compartment_id = null
  # The image-repository unit's repository: a record only on the emulator, whose data plane runs
  # the image from the local Docker engine.
  create_image_repository    = true
  image_repository_immutable = false
  # The image by digest (sha256:<64 hex digits>) instead of image_tag. null = by tag.
  image_digest = null

  # Galley's data bucket, unique in the tenancy's Object Storage namespace: object-storage
  # creates it and iam's policy names it (one value, so iam need not wait for the bucket).
  bucket_name = "galley-local-data"
  # Vault key encrypting the bucket (null: Oracle-managed keys); iam lets Object Storage use it.
  kms_key_id = null
  # Compartment holding that key, often a security team's (null = compartment_id).
  kms_key_compartment_id = null
  # Backups Galley cannot erase (modules/object-storage/README.md): retention rules keep every
  # object from deletion and overwrite for their duration, Galley's own calls included. OCI
  # refuses them on a versioned bucket: set bucket_versioning = "Suspended" (an existing bucket)
  # or "Disabled" (a new one) with them, e.g.
  #   retention_rules = [{ display_name = "keep-30-days", time_amount = 30, time_unit = "DAYS" }]
  bucket_versioning = "Enabled"
  retention_rules   = []

  container_ocpus         = 1
  container_memory_in_gbs = 2

  # Seconds a new instance gets to pass its health check before the gateway moves to it in a
  # rollout (modules/container-instance); a slow-starting image needs more. null = the health
  # check's initial delay + 2 intervals + timeout.
  readiness_wait_seconds = null

  # Tokens valid at once, by generation name, oldest first; the last is the one to hand out.
  # Add a name to issue a new token, remove one to retire its token (live/README.md).
  url_token_generations = ["1"]
  # How clients send the token: query (?token=), header (Authorization: Bearer) or both.
  token_transport = "query"
  # Seconds the units wait after an IAM policy change before using it (modules/iam): above the
  # emulator's home-region delay at the pace local runs use (10 s at OCI's pace, 1 s at
  # deploy-local's 0.1, emulator/README.md). dev/prod wait for the real cloud.
  iam_propagation_wait_seconds = 3

  # An existing VCN to deploy into instead of a new one (README.md, "An existing network"):
  #   existing_network = {
  #     vcn_id            = "ocid1.vcn.oc1.<region>.<id>"
  #     public_subnet_id  = "ocid1.subnet.oc1.<region>.<id>" # regional, public: the gateway
  #     private_subnet_id = "ocid1.subnet.oc1.<region>.<id>" # private: the instance
  #   }
  # The network unit then only reads them and adds Galley's two network security groups;
  # nothing of that network is changed. null = a new VCN (modules/network).
  existing_network = null

  # Who may reach the gateway on 443: one rule per CIDR in the public subnet's security list
  # (network unit). ["0.0.0.0/0"] lets anyone in; to restrict it, list the published egress
  # ranges of your MCP hosts (e.g. your company's NAT ranges). Other clients' connections are
  # dropped: they time out (README.md, "Restricting who reaches the gateway").
  # The emulator records the rules; its gateways on 127.0.0.1 do not apply them.
  allowed_ingress_cidrs = ["0.0.0.0/0"]

  # The API gateway's OCI Logging execution log: on in prod (costs log storage).
  execution_log_enabled = false

  # Galley's audit trail in an OCI Logging custom log (modules/audit-log; README.md, "Audit
  # trail"): the audit-log unit, iam's `use log-content` for its log group, and the instance's
  # GALLEY_AUDIT_LOG_ID. false = the records stay on the container's output.
  audit_log_enabled        = true
  audit_log_retention_days = 90

  # Monitoring alarms on the gateway and the instance (modules/alarms), sent to a Notifications
  # topic with an email subscription per address (each confirms by the link OCI mails first).
  # Off here: nobody reads an emulated alarm's email.
  alarms_enabled            = false
  alarm_notification_emails = []
  # A monthly budget on the compartment, a whole number in the rate card's currency, with alerts
  # at 80 % of actual and 100 % of forecast spending to budget_alert_recipients (modules/budget;
  # README.md, "Cost"). null = no budget unit.
  budget_monthly_amount   = null
  budget_alert_recipients = []

  state_backend   = "local"
  state_bucket    = ""
  state_namespace = ""
  state_region    = ""

  # Custom domain (README.md, "A custom domain"): the hostname clients keep across rebuilds and
  # its certificate, either an OCI Certificates OCID or PEM files (paths outside the repository;
  # the key file is read at plan time and stored in the state, encrypted in the state bucket).
  # dns_zone_id adds the CNAME to the gateway's hostname in that OCI DNS zone. null = off.
  custom_hostname                  = null
  certificate_id                   = null
  certificate_pem_file             = null
  certificate_chain_pem_file       = null
  certificate_private_key_pem_file = null
  dns_zone_id                      = null
}
