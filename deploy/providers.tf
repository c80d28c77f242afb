# Authentication comes from the OCI CLI configuration (~/.oci/config, profile config_file_profile)
# or the environment; the emulator replaces the provider itself, not this configuration.
provider "oci" {
  region              = var.region
  config_file_profile = var.config_file_profile
}

# IAM writes must go to the tenancy's home region (otherwise 403-NotAllowed).
provider "oci" {
  alias               = "home"
  region              = coalesce(var.home_region, var.region)
  config_file_profile = var.config_file_profile
}
