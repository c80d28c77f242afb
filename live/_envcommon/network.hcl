# Shared settings of the network unit. CIDRs and ports keep the module's defaults (one place);
# who may reach the gateway on 443 comes from env.hcl.
locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//network"
}

inputs = {
  allowed_ingress_cidrs = local.env.allowed_ingress_cidrs
}
