# Shared settings of the iam unit. The root configuration gives this unit a provider in the
# tenancy's home region (env.hcl's home_region, or derived from the tenancy when that is null).
# It reads no other unit's output but the audit log's group: the bucket's name comes from
# env.hcl, so iam goes before object-storage, which waits for its service policy.
locals {
  env   = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  mocks = read_terragrunt_config("${get_terragrunt_dir()}/../../_envcommon/mock_outputs.hcl").locals
}

# The audit log's group: Galley may write log content there and nowhere else.
dependency "audit_log" {
  config_path                             = "../audit-log"
  enabled                                 = local.env.audit_log_enabled
  mock_outputs                            = local.mocks.audit_log
  mock_outputs_allowed_terraform_commands = local.mocks.allowed_commands
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//iam"
}

inputs = {
  tenancy_id                      = local.env.tenancy_id
  dynamic_group_id                = local.env.dynamic_group_id
  galley_work_compartment_id      = local.env.work_compartment_id
  policy_compartment_id           = local.env.policy_compartment_id
  image_repository_name           = local.env.image_repository_name # the repository the service unit's instance pulls from
  image_repository_compartment_id = local.env.image_repository_compartment_id
  bucket_name                     = local.env.bucket_name # the bucket object-storage creates
  kms_key_id                      = local.env.kms_key_id
  kms_key_compartment_id          = local.env.kms_key_compartment_id
  region                          = local.env.region # the bucket's, for Object Storage's service policy
  propagation_wait_seconds        = local.env.iam_propagation_wait_seconds
  # try(): with the audit log off the dependency is disabled and has no outputs.
  audit_log = local.env.audit_log_enabled ? { log_group_id = try(dependency.audit_log.outputs.log_group_id, null) } : null
}
