# Shared settings of the service unit: Galley's container instance in the private subnet and the
# public HTTPS gateway in front of it, in one state (modules/service). A rollout replaces the
# instance create-before-destroy, and in one state the gateway moves to the new instance before
# the old one is deleted; as two units, `run --all` deleted it first (live/README.md).
locals {
  env   = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  mocks = read_terragrunt_config("${get_terragrunt_dir()}/../../_envcommon/mock_outputs.hcl").locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//service"
}

dependency "network" {
  config_path                             = "../network"
  mock_outputs                            = local.mocks.network
  mock_outputs_allowed_terraform_commands = local.mocks.allowed_commands
}

dependency "object_storage" {
  config_path                             = "../object-storage"
  mock_outputs                            = local.mocks.object_storage
  mock_outputs_allowed_terraform_commands = local.mocks.allowed_commands
}

# The instance pulls its image from OCIR and reaches the bucket with its resource principal,
# which works only once iam's policy exists: policy_id makes the instance wait for it (the
# module uses the value for nothing else), so `run --all` never starts the two in parallel; iam
# outputs it only after its propagation wait.
dependency "iam" {
  config_path                             = "../iam"
  mock_outputs                            = local.mocks.iam
  mock_outputs_allowed_terraform_commands = local.mocks.allowed_commands
}

# The custom log the runtime ships its audit records to (GALLEY_AUDIT_LOG_ID).
dependency "audit_log" {
  config_path                             = "../audit-log"
  enabled                                 = local.env.audit_log_enabled
  mock_outputs                            = local.mocks.audit_log
  mock_outputs_allowed_terraform_commands = local.mocks.allowed_commands
}

inputs = {
  region            = local.env.region
  private_subnet_id = dependency.network.outputs.private_subnet_id
  public_subnet_id  = dependency.network.outputs.public_subnet_id
  # Galley's NSGs when the network unit is modules/existing-network (a new VCN has none).
  gateway_nsg_ids        = try([dependency.network.outputs.gateway_nsg_id], [])
  instance_nsg_ids       = try([dependency.network.outputs.instance_nsg_id], [])
  image_namespace        = local.env.image_namespace
  image_repository_name  = local.env.image_repository_name # the repository iam's policy names
  image_tag              = local.env.image_tag
  image_digest           = local.env.image_digest
  ocpus                  = local.env.container_ocpus
  memory_in_gbs          = local.env.container_memory_in_gbs
  readiness_wait_seconds = local.env.readiness_wait_seconds
  bucket_name            = dependency.object_storage.outputs.bucket_name
  bucket_namespace       = dependency.object_storage.outputs.bucket_namespace
  policy_id              = dependency.iam.outputs.policy_id
  instance_tag           = dependency.iam.outputs.instance_tag # the tag the dynamic group's rule requires
  url_token_generations  = local.env.url_token_generations
  token_transport        = local.env.token_transport
  # The deployment's OCI Logging `execution` log (errors of the gateway itself, never the URL
  # and its token): a log group and a log, kept log_retention_days.
  execution_log_enabled = local.env.execution_log_enabled
  audit_log_id          = local.env.audit_log_enabled ? try(dependency.audit_log.outputs.log_id, null) : null
  # Custom domain (env.hcl): null everywhere by default.
  custom_hostname             = local.env.custom_hostname
  certificate_id              = local.env.certificate_id
  certificate_pem             = local.env.certificate_pem_file == null ? null : file(local.env.certificate_pem_file)
  certificate_chain_pem       = local.env.certificate_chain_pem_file == null ? null : file(local.env.certificate_chain_pem_file)
  certificate_private_key_pem = local.env.certificate_private_key_pem_file == null ? null : file(local.env.certificate_private_key_pem_file)
  dns_zone_id                 = local.env.dns_zone_id
}
