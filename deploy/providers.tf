# Authentication comes from the OCI CLI configuration (~/.oci/config, profile config_file_profile)
# or the environment; the emulator replaces the provider itself, not this configuration.
provider "oci" {
  region              = var.region
  config_file_profile = var.config_file_profile
}

# IAM writes must go to the tenancy's home region (anywhere else OCI answers 403-NotAllowed), which
# is often not the region Galley runs in. Unless home_region is given, it is read from the tenancy
# (as the provider's identity_home_resolution example does): the region whose key is the
# tenancy's home_region_key.
data "oci_identity_tenancy" "this" {
  count      = var.home_region == null ? 1 : 0
  tenancy_id = var.tenancy_id
}

data "oci_identity_regions" "home" {
  count = var.home_region == null ? 1 : 0

  filter {
    name   = "key"
    values = [data.oci_identity_tenancy.this[0].home_region_key]
  }
}

locals {
  home_region = coalesce(var.home_region, try(data.oci_identity_regions.home[0].regions[0].name, null))
}

provider "oci" {
  alias               = "home"
  region              = local.home_region
  config_file_profile = var.config_file_profile
}
