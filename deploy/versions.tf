# A root pins tighter than the modules (>= 6.0, < 9.0): upgrades of the provider are deliberate.
# No .terraform.lock.hcl is committed: the only provider this repository is ever initialised
# against here is the offline emulator, whose hashes are not the real provider's (README).
terraform {
  required_version = ">= 1.5"

  required_providers {
    oci = {
      source  = "oracle/oci"
      version = "~> 8.28"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
    time = {
      source  = "hashicorp/time"
      version = "~> 0.13"
    }
  }
}
