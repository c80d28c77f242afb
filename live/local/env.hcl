# The offline environment: the OCI provider emulator stands in for Oracle Cloud (live/README.md,
# "Trying it offline") and state stays in local files. The OCIDs are made up; the emulator
# accepts any well-formed ones.
locals {
  environment = "local"
  region      = "us-ashburn-1"
  home_region = "us-ashburn-1"
  oci_profile = "DEFAULT"

  tenancy_id            = "ocid1.tenancy.oc1..aaaaaaaalocalemulatortenancy000000000000000000000000000000"
  compartment_id        = "ocid1.compartment.oc1..aaaaaaaalocalemulatorcompartment000000000000000000000000"
  dynamic_group_id      = "ocid1.dynamicgroup.oc1..aaaaaaaalocalemulatordynamicgroup00000000000000000000000"
  work_compartment_id   = null
  policy_compartment_id = null

  image_namespace = "localemulator"
  image_tag       = "0.1.0"
  # The emulator holds no registry; null keeps the repository in compartment_id as in the cloud.
  image_repository_compartment_id = null

  container_ocpus         = 1
  container_memory_in_gbs = 2

  state_backend   = "local"
  state_bucket    = ""
  state_namespace = ""
  state_region    = ""
}
