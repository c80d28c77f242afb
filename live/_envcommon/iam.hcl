# Shared settings of the iam unit. The root configuration gives this unit a provider in the
# tenancy's home region.
locals {
  env   = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  mocks = read_terragrunt_config("${get_terragrunt_dir()}/../../_envcommon/mock_outputs.hcl").locals
}

terraform {
  source = "${dirname(find_in_parent_folders("terragrunt.hcl"))}/modules//iam"
}

dependency "object_storage" {
  config_path                             = "../object-storage"
  mock_outputs                            = local.mocks.object_storage
  mock_outputs_allowed_terraform_commands = local.mocks.allowed_commands
}

inputs = {
  tenancy_id                      = local.env.tenancy_id
  dynamic_group_id                = local.env.dynamic_group_id
  galley_work_compartment_id      = local.env.work_compartment_id
  policy_compartment_id           = local.env.policy_compartment_id
  image_repository_compartment_id = local.env.image_repository_compartment_id
  bucket_name                     = dependency.object_storage.outputs.bucket_name
}
