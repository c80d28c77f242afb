# Shared settings of the alarms unit: OCI Monitoring alarms on the service unit's gateway,
# deployment and container instance (modules/alarms), sent to a Notifications topic with an
# email subscription per address. It reads the service unit's OCIDs, so `run --all` applies it
# after service, and again after a rollout replaces the instance (the alarms follow it).
# alarms_enabled = false (env.hcl) leaves the unit out of every run.
locals {
  env   = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  mocks = read_terragrunt_config("${get_terragrunt_dir()}/../../_envcommon/mock_outputs.hcl").locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//alarms"
}

exclude {
  if      = !local.env.alarms_enabled
  actions = ["all"]
}

dependency "service" {
  config_path                             = "../service"
  mock_outputs                            = local.mocks.service
  mock_outputs_allowed_terraform_commands = local.mocks.allowed_commands
}

inputs = {
  gateway_id            = dependency.service.outputs.gateway_id
  deployment_id         = dependency.service.outputs.deployment_id
  container_instance_id = dependency.service.outputs.container_instance_id
  notification_emails   = local.env.alarm_notification_emails
}
