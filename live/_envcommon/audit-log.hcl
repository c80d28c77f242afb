# Shared settings of the audit-log unit: the OCI Logging custom log, in a log group of its own,
# that the runtime ships its audit records to (modules/audit-log). iam reads its log group (the
# scope of Galley's `use log-content`) and service its log (GALLEY_AUDIT_LOG_ID), so it goes
# first. audit_log_enabled = false (env.hcl) leaves the unit out of every run, and the other
# two units without it.
locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//audit-log"
}

exclude {
  if      = !local.env.audit_log_enabled
  actions = ["all"]
}

inputs = {
  retention_days = local.env.audit_log_retention_days
}
