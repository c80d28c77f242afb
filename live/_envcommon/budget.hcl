# Shared settings of the budget unit: a monthly budget on the Galley compartment with alerts at
# 80 % of actual and 100 % of forecast spending (modules/budget). OCI keeps budgets in the
# tenancy's root compartment, so the deploying user needs budget rights there
# (modules/budget/README.md). It needs no unit and no unit needs it.
# budget_monthly_amount = null (env.hcl) leaves the unit out of every run.
locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//budget"
}

exclude {
  if      = local.env.budget_monthly_amount == null
  actions = ["all"]
}

inputs = {
  tenancy_id       = local.env.tenancy_id
  amount           = local.env.budget_monthly_amount
  alert_recipients = local.env.budget_alert_recipients
}
