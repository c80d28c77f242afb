# Values of the dev environment. Replace the OCIDs and the namespace with your tenancy's
# (live/README.md, "Prerequisites"); everything else has working defaults.
locals {
  environment = "dev"
  region      = "eu-frankfurt-1"
  home_region = "eu-frankfurt-1"
  oci_profile = "DEFAULT" # profile in ~/.oci/config used by the provider and the oci backend

  tenancy_id       = "ocid1.tenancy.oc1..aaaaaaaareplacewithyourtenancyocid00000000000000000000000"
  compartment_id   = "ocid1.compartment.oc1..aaaaaaaareplacewithgalleydevcompartmentocid0000000000000"
  dynamic_group_id = "ocid1.dynamicgroup.oc1..aaaaaaaareplacewithgalleydevdynamicgroupocid00000000000"
  # Where Galley's runs may create resources, and where its policy lives (null = compartment_id).
  work_compartment_id   = null
  policy_compartment_id = null

  image_namespace = "replacewithnamespace" # Object Storage namespace that holds the OCIR image
  image_tag       = "0.1.0"
  # Compartment of the OCIR repository Galley's image is pulled from (null = compartment_id).
  # Create the repository there before the first `docker push` (live/README.md,
  # "Prerequisites"): a push to a repository that does not exist creates it in the tenancy's
  # root compartment, where the dynamic group's `read repos` does not reach and pulls fail.
  image_repository_compartment_id = null

  container_ocpus         = 1
  container_memory_in_gbs = 2

  # "local", "oci" (native, Terraform >= 1.12) or "s3" (S3-compatible endpoint, fallback for
  # older Terraform and OpenTofu; see live/README.md, "State", for its locking caveat).
  state_backend   = "oci"
  state_bucket    = "galley-tfstate"
  state_namespace = "replacewithnamespace"
  state_region    = "eu-frankfurt-1"
}
