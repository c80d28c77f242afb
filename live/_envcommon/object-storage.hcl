# Shared settings of the object-storage unit (Galley's data bucket, not the state bucket).
locals {
  env   = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  mocks = read_terragrunt_config("${get_terragrunt_dir()}/../../_envcommon/mock_outputs.hcl").locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//object-storage"
}

# OCI runs the bucket's lifecycle rules (and uses a customer-managed key) as the Object Storage
# service, which needs iam's service policy first: the bucket comes after iam. iam names the
# bucket from env.hcl, not from this unit's output, so the two units form no cycle.
dependency "iam" {
  config_path                             = "../iam"
  mock_outputs                            = local.mocks.iam
  mock_outputs_allowed_terraform_commands = local.mocks.allowed_commands
}

inputs = {
  bucket_name       = local.env.bucket_name
  kms_key_id        = local.env.kms_key_id
  versioning        = local.env.bucket_versioning
  retention_rules   = local.env.retention_rules
  service_policy_id = dependency.iam.outputs.service_policy_id
}
