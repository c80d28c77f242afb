# The container instance and the gateway in front of it, in one module so that they share one
# state. A rollout replaces the instance create_before_destroy; Terraform deletes the deposed old
# instance only after every resource that depends on the new one is updated, the gateway's
# deployment included. In two states (two Terragrunt units) the first apply would delete the old
# instance before the second moved the gateway: a gap of failed calls (README.md).

module "container_instance" {
  source = "../container-instance"

  compartment_id = var.compartment_id
  name_prefix    = var.name_prefix
  freeform_tags  = var.freeform_tags
  region         = var.region
  subnet_id      = var.private_subnet_id
  nsg_ids        = var.instance_nsg_ids
  galley_port    = var.galley_port
  policy_id      = var.policy_id
  instance_tag   = var.instance_tag
  defined_tags   = var.defined_tags

  image_namespace       = var.image_namespace
  image_repository_name = var.image_repository_name
  image_tag             = var.image_tag
  image_digest          = var.image_digest
  galley_image_url      = var.galley_image_url
  ocpus                 = var.ocpus
  memory_in_gbs         = var.memory_in_gbs
  bucket_name           = var.bucket_name
  bucket_namespace      = var.bucket_namespace

  url_token               = var.url_token
  url_token_generations   = var.url_token_generations
  url_token_rotation_days = var.url_token_rotation_days
  health_check            = var.health_check
  readiness_wait_seconds  = var.readiness_wait_seconds
  audit_log_id            = var.audit_log_id
}

module "api_gateway" {
  source = "../api-gateway"

  compartment_id = var.compartment_id
  name_prefix    = var.name_prefix
  freeform_tags  = var.freeform_tags
  subnet_id      = var.public_subnet_id
  nsg_ids        = var.gateway_nsg_ids
  # Known only once the new instance passed its readiness gate (modules/container-instance).
  backend_ip      = module.container_instance.private_ip
  backend_port    = var.galley_port
  path_prefix     = var.path_prefix
  token_transport = var.token_transport

  execution_log_enabled          = var.execution_log_enabled
  rate_limit_requests_per_second = var.rate_limit_requests_per_second

  custom_hostname             = var.custom_hostname
  certificate_id              = var.certificate_id
  certificate_pem             = var.certificate_pem
  certificate_chain_pem       = var.certificate_chain_pem
  certificate_private_key_pem = var.certificate_private_key_pem
  dns_zone_id                 = var.dns_zone_id
}
