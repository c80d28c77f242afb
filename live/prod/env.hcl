# Values of the prod environment. Replace the OCIDs and the namespace with your tenancy's
# (live/README.md, "Prerequisites"); everything else has working defaults.
locals {
  environment = "prod"
  region      = "eu-frankfurt-1"
  # null: the iam unit derives the tenancy's home region (where IAM writes must go) from the
  # tenancy itself; set a region name to skip that lookup.
  home_region = null
  oci_profile = "DEFAULT" # profile in ~/.oci/config used by the provider and the oci backend

  tenancy_id       = "ocid1.tenancy.oc1..aaaaaaaareplacewithyourtenancyocid00000000000000000000000"
  compartment_id   = "ocid1.compartment.oc1..aaaaaaaareplacewithgalleyprodcompartmentocid000000000000"
  dynamic_group_id = "ocid1.dynamicgroup.oc1..aaaaaaaareplacewithgalleyproddynamicgroupocid0000000000"
  # Where Galley's runs may create resources, and where its policy lives (null = compartment_id).
  work_compartment_id   = null
  policy_compartment_id = null

  image_namespace = "replacewithnamespace" # Object Storage namespace that holds the OCIR image
  image_tag       = "0.1.0"
  # The OCIR repository of Galley's image: the container instance pulls from it and the iam
  # policy allows pulls from it only, so both units read this one value.
  image_repository_name = "galley"
  # Compartment of the OCIR repository Galley's image is pulled from (null = compartment_id).
  # The image-repository unit creates the repository there; apply it before the first
  # `docker push` (live/README.md, "First deployment"): a push to a repository that does not
  # exist creates it in the tenancy's root compartment, where the dynamic group's `read repos`
  # does not reach and pulls fail.
  image_repository_compartment_id = null
  # false: the repository exists already (made another way); the image-repository unit is then
  # left out of every run.
  create_image_repository = true
  # An immutable repository refuses a push that would overwrite an image (a tag keeps naming
  # the image first pushed with it).
  image_repository_immutable = true
  # The image by digest (sha256:<64 hex digits>, as `docker push` prints it) instead of
  # image_tag: the exact image, whatever a tag names later. null = by tag.
  image_digest = null

  # Galley's data bucket, unique in the tenancy's Object Storage namespace: object-storage
  # creates it and iam's policy names it (one value, so iam need not wait for the bucket).
  bucket_name = "galley-prod-data"
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

  container_ocpus         = 2
  container_memory_in_gbs = 8

  # Seconds a new instance gets to pass its health check before the gateway moves to it in a
  # rollout (modules/container-instance); a slow-starting image needs more. null = the health
  # check's initial delay + 2 intervals + timeout.
  readiness_wait_seconds = null

  # Tokens valid at once, by generation name, oldest first; the last is the one to hand out.
  # Add a name to issue a new token, remove one to retire its token (live/README.md).
  url_token_generations = ["1"]
  # How clients send the token: query (?token=), header (Authorization: Bearer) or both.
  token_transport = "query"
  # Seconds the units wait after an IAM policy change before using it (modules/iam).
  iam_propagation_wait_seconds = 60

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
  allowed_ingress_cidrs = ["0.0.0.0/0"]

  # The API gateway's OCI Logging execution log (log group + log, the module's retention).
  execution_log_enabled = true

  # Galley's audit trail in an OCI Logging custom log (modules/audit-log; README.md, "Audit
  # trail"): the audit-log unit, iam's `use log-content` for its log group, and the instance's
  # GALLEY_AUDIT_LOG_ID. false = the records stay on the container's output.
  audit_log_enabled        = true
  audit_log_retention_days = 180

  # Monitoring alarms on the gateway and the instance (modules/alarms), sent to a Notifications
  # topic with an email subscription per address (each confirms by the link OCI mails first).
  alarms_enabled            = true
  alarm_notification_emails = []
  # A monthly budget on the compartment, a whole number in the rate card's currency, with alerts
  # at 80 % of actual and 100 % of forecast spending to budget_alert_recipients (modules/budget;
  # README.md, "Cost"). null = no budget unit.
  budget_monthly_amount   = null
  budget_alert_recipients = []

  # "local", "oci" (native, Terraform >= 1.12) or "s3" (S3-compatible endpoint, fallback for
  # older Terraform and OpenTofu; see live/README.md, "State", for its locking caveat).
  state_backend   = "oci"
  state_bucket    = "galley-tfstate"
  state_namespace = "replacewithnamespace"
  state_region    = "eu-frankfurt-1"

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
