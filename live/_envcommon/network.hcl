# Shared settings of the network unit: a new VCN (modules/network; CIDRs and ports keep the
# module's defaults, one place), or, with env.hcl's existing_network, Galley's two network
# security groups in a VCN that already exists (modules/existing-network, which only reads the
# VCN and its subnets). Either way the unit outputs the two subnets the service unit uses.
# Switching an applied environment from one to the other destroys what the first one made.
locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//${local.env.existing_network == null ? "network" : "existing-network"}"
}

inputs = merge(
  { allowed_ingress_cidrs = local.env.allowed_ingress_cidrs },
  # vcn_id, public_subnet_id, private_subnet_id
  local.env.existing_network == null ? {} : local.env.existing_network,
)
