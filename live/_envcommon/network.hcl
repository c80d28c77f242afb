# Shared settings of the network unit. CIDRs and ports keep the module's defaults (one place).
terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//network"
}
