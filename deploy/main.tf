locals {
  # Galley's port, used by the security lists, the container and the gateway's backend. Other
  # defaults (CIDRs, sizes, names) live in the modules: null inputs here take them.
  galley_port = 8000
  # MCP's Streamable HTTP path on the Galley runtime.
  mcp_path = "/mcp"
  # The IAM policy allows pulls from one OCIR repository: the one the image URL names, or the
  # module's default (galley) for the default URL.
  image_repository_name = try(regex("^[^/]+/[^/]+/([^:@]+)", var.galley_image_url)[0], null)
}

# A new VCN (modules/network), or Galley's network security groups in an existing one
# (modules/existing-network, which only reads the VCN and its subnets).
module "network" {
  source = "../modules/network"
  count  = var.existing_network == null ? 1 : 0

  compartment_id        = var.compartment_id
  name_prefix           = var.name_prefix
  freeform_tags         = var.freeform_tags
  vcn_cidr              = var.network.vcn_cidr
  public_subnet_cidr    = var.network.public_subnet_cidr
  private_subnet_cidr   = var.network.private_subnet_cidr
  galley_port           = local.galley_port
  allowed_ingress_cidrs = var.allowed_ingress_cidrs
}

module "existing_network" {
  source = "../modules/existing-network"
  count  = var.existing_network == null ? 0 : 1

  compartment_id        = var.compartment_id
  name_prefix           = var.name_prefix
  freeform_tags         = var.freeform_tags
  vcn_id                = var.existing_network.vcn_id
  public_subnet_id      = var.existing_network.public_subnet_id
  private_subnet_id     = var.existing_network.private_subnet_id
  galley_port           = local.galley_port
  allowed_ingress_cidrs = var.allowed_ingress_cidrs
}

# What the service needs of either network, one local per value and each output by index: a
# reference to a whole module (or to one local holding both subnets) would make the instance's
# readiness read wait for a pending change anywhere in the network, such as the gateway's
# security list, and show in every such plan.
locals {
  existing_network  = var.existing_network != null
  private_subnet_id = local.existing_network ? module.existing_network[0].private_subnet_id : module.network[0].private_subnet_id
  public_subnet_id  = local.existing_network ? module.existing_network[0].public_subnet_id : module.network[0].public_subnet_id
  gateway_nsg_ids   = local.existing_network ? [module.existing_network[0].gateway_nsg_id] : []
  instance_nsg_ids  = local.existing_network ? [module.existing_network[0].instance_nsg_id] : []
}

# Until existing_network, the network module had no count: its state moves, nothing is replaced.
moved {
  from = module.network
  to   = module.network[0]
}

module "object_storage" {
  source = "../modules/object-storage"

  compartment_id = var.compartment_id
  name_prefix    = var.name_prefix
  freeform_tags  = var.freeform_tags
  kms_key_id     = var.kms_key_id

  previous_version_retention_days = var.previous_version_retention_days
  versioning                      = var.bucket_versioning
  retention_rules                 = var.retention_rules
  # The bucket (with a customer-managed key) and its lifecycle rules need the Object Storage
  # service's own rights first.
  service_policy_id = module.iam.service_policy_id
}

module "iam" {
  source = "../modules/iam"
  providers = {
    oci = oci.home
  }

  compartment_id             = var.compartment_id
  name_prefix                = var.name_prefix
  freeform_tags              = var.freeform_tags
  region                     = var.region
  tenancy_id                 = var.tenancy_id
  dynamic_group_id           = var.dynamic_group_id
  bucket_name                = module.object_storage.bucket_name
  galley_work_compartment_id = var.galley_work_compartment_id
  policy_compartment_id      = var.policy_compartment_id
  kms_key_id                 = var.kms_key_id
  kms_key_compartment_id     = var.kms_key_compartment_id

  image_repository_name           = local.image_repository_name
  image_repository_compartment_id = var.image_repository_compartment_id
  propagation_wait_seconds        = var.iam_propagation_wait_seconds
  instance_tag                    = var.instance_tag
  create_tag_namespace            = var.create_tag_namespace
  audit_log                       = var.audit_log_enabled ? { log_group_id = module.audit_log[0].log_group_id } : null
}

# Galley's audit trail in OCI Logging: the runtime ships one record per MCP request and per tool
# call to this custom log with its resource principal (README.md, "Audit trail").
module "audit_log" {
  source = "../modules/audit-log"
  count  = var.audit_log_enabled ? 1 : 0

  compartment_id = var.compartment_id
  name_prefix    = var.name_prefix
  freeform_tags  = var.freeform_tags
}

# Galley's container instance and the HTTPS gateway in front of it, in one module as live/'s
# service unit has them: a rollout replaces the instance create_before_destroy, and the gateway
# moves to the new instance before the old one is deleted (modules/service/README.md).
module "service" {
  source = "../modules/service"

  compartment_id    = var.compartment_id
  name_prefix       = var.name_prefix
  freeform_tags     = var.freeform_tags
  region            = var.region
  private_subnet_id = local.private_subnet_id
  public_subnet_id  = local.public_subnet_id
  gateway_nsg_ids   = local.gateway_nsg_ids
  instance_nsg_ids  = local.instance_nsg_ids
  galley_port       = local.galley_port

  ocpus                 = var.ocpus
  memory_in_gbs         = var.memory_in_gbs
  image_tag             = var.image_tag
  image_digest          = var.image_digest
  galley_image_url      = var.galley_image_url
  image_repository_name = local.image_repository_name
  bucket_name           = module.object_storage.bucket_name
  bucket_namespace      = module.object_storage.bucket_namespace

  url_token               = var.url_token
  url_token_generations   = var.url_token_generations
  url_token_rotation_days = var.url_token_rotation_days
  health_check            = var.health_check
  readiness_wait_seconds  = var.readiness_wait_seconds
  audit_log_id            = try(module.audit_log[0].log_id, null)
  # Orders the instance after the policy (image pull and bucket access through the resource
  # principal). Not a module-level depends_on: that would defer the module's data sources on
  # any policy change and replace the instance.
  policy_id = module.iam.policy_id
  # The tag the dynamic group's rule requires (after its creation with create_tag_namespace).
  instance_tag = module.iam.instance_tag

  path_prefix                    = var.path_prefix
  token_transport                = var.token_transport
  execution_log_enabled          = var.execution_log_enabled
  rate_limit_requests_per_second = var.rate_limit_requests_per_second

  custom_hostname             = var.custom_hostname
  certificate_id              = var.certificate_id
  certificate_pem             = var.certificate_pem
  certificate_chain_pem       = var.certificate_chain_pem
  certificate_private_key_pem = var.certificate_private_key_pem
  dns_zone_id                 = var.dns_zone_id
}

# deploy/ called the two modules itself until it used modules/service: state moves, nothing is
# replaced (tests/deploy/test_deploy_root.py applies the old layout and upgrades it).
moved {
  from = module.container_instance
  to   = module.service.module.container_instance
}

moved {
  from = module.api_gateway
  to   = module.service.module.api_gateway
}

# Optional: the OCIR repository the image is pushed to, in the compartment the pull right names.
# Apply it before the first push (README.md, "Deploying to OCI", step 1):
#   terraform apply -target=module.container_repository
module "container_repository" {
  source = "../modules/container-repository"
  count  = var.create_image_repository ? 1 : 0

  compartment_id  = coalesce(var.image_repository_compartment_id, var.compartment_id)
  repository_name = coalesce(local.image_repository_name, "galley") # the repository iam names
  is_immutable    = var.image_repository_immutable
  freeform_tags   = var.freeform_tags
}

# Optional: a budget lives in the tenancy's root compartment and tracks the Galley compartment.
module "budget" {
  source = "../modules/budget"
  count  = var.budget_monthly_amount == null ? 0 : 1

  tenancy_id       = var.tenancy_id
  compartment_id   = var.compartment_id
  amount           = var.budget_monthly_amount
  alert_recipients = var.budget_alert_recipients
  name_prefix      = var.name_prefix
  freeform_tags    = var.freeform_tags
}

# Optional: alarms on the gateway and the container instance, sent to a Notifications topic.
module "alarms" {
  source = "../modules/alarms"
  count  = var.alarms_enabled ? 1 : 0

  compartment_id        = var.compartment_id
  gateway_id            = module.service.gateway_id
  deployment_id         = module.service.deployment_id
  container_instance_id = module.service.container_instance_id
  notification_emails   = var.alarm_notification_emails
  name_prefix           = var.name_prefix
  freeform_tags         = var.freeform_tags
}
