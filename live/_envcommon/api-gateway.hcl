# Shared settings of the api-gateway unit: the public HTTPS entry in front of Galley.
locals {
  env   = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  mocks = read_terragrunt_config("${get_terragrunt_dir()}/../../_envcommon/mock_outputs.hcl").locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/modules//api-gateway"
}

dependency "network" {
  config_path                             = "../network"
  mock_outputs                            = local.mocks.network
  mock_outputs_allowed_terraform_commands = local.mocks.allowed_commands
}

dependency "container_instance" {
  config_path                             = "../container-instance"
  mock_outputs                            = local.mocks.container_instance
  mock_outputs_allowed_terraform_commands = local.mocks.allowed_commands
}

inputs = {
  subnet_id = dependency.network.outputs.public_subnet_id
  # The new instance's IP once it is healthy: a rollout moves the gateway to it (README.md).
  backend_ip      = dependency.container_instance.outputs.private_ip
  token_transport = local.env.token_transport
  # The deployment's OCI Logging `execution` log (errors of the gateway itself, never the URL
  # and its token): a log group and a log, kept log_retention_days.
  execution_log_enabled = local.env.execution_log_enabled
}
