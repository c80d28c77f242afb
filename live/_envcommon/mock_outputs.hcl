# Stand-in outputs for units that are not applied yet, so that `terragrunt run --all validate`
# and `plan` work on a fresh environment, and `run --all destroy` on a fresh or half-applied one
# (a unit whose dependency has no state has nothing to destroy, or was applied without it).
# Shaped like real values (OCIDs, IPs, names) but not equal to what a deployment yields, so a
# leaked mock is recognisable. Each unit's mocks are written once here and read by every unit
# that depends on it; apply never uses them (allowed_commands).
locals {
  allowed_commands = ["init", "validate", "plan", "destroy"]

  # The outputs modules/network and modules/existing-network both have (the network unit runs
  # one or the other, env.hcl's existing_network).
  network = {
    vcn_id              = "ocid1.vcn.oc1.iad.amaaaaaamockvcn0000000000000000000000000000000000000000"
    public_subnet_id    = "ocid1.subnet.oc1.iad.aaaaaaaamockpublicsubnet000000000000000000000000000000"
    private_subnet_id   = "ocid1.subnet.oc1.iad.aaaaaaaamockprivatesubnet00000000000000000000000000000"
    public_subnet_cidr  = "10.0.1.0/24"
    private_subnet_cidr = "10.0.2.0/24"
  }

  object_storage = {
    bucket_name      = "galley-mock-data"
    bucket_namespace = "mocknamespace"
    bucket_id        = "ocid1.bucket.oc1.iad.aaaaaaaamockbucket00000000000000000000000000000000000"
  }

  iam = {
    policy_id         = "ocid1.policy.oc1..aaaaaaaamockgalleypolicy000000000000000000000000000000000"
    service_policy_id = "ocid1.policy.oc1..aaaaaaaamockobjectstorageservicepolicy0000000000000000000"
    instance_tag      = { namespace = "galley", key = "role", value = "mock-instance" }
  }

  audit_log = {
    log_id       = "ocid1.log.oc1.iad.amaaaaaamockauditlog0000000000000000000000000000000000000"
    log_group_id = "ocid1.loggroup.oc1.iad.amaaaaaamockauditloggroup000000000000000000000000000000"
  }

  service = {
    gateway_id            = "ocid1.apigateway.oc1.iad.amaaaaaamockgateway00000000000000000000000000000000000"
    deployment_id         = "ocid1.apideployment.oc1.iad.amaaaaaamockdeployment0000000000000000000000000000000"
    container_instance_id = "ocid1.computecontainerinstance.oc1.iad.anuwcljmockinstance0000000000000000000000"
  }
}
