# Shared settings of the iam unit. The root configuration gives this unit a provider in the
# tenancy's home region (env.hcl's home_region, or derived from the tenancy when that is null).
# It reads no other unit's output: the bucket's name comes from env.hcl, so iam goes first and
# object-storage can wait for its service policy.
locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
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
}
