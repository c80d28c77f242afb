# Root Terragrunt configuration. Every unit under live/<env>/<unit>/ includes it with
#   include "root" { path = find_in_parent_folders("terragrunt.hcl") }
# and everything here is evaluated in that unit's context.
#
# Run Terragrunt from live/<env> (or a unit folder below it), never from the repository root:
# from here this file itself would be taken for a unit. Current Terragrunt warns that a root file
# named terragrunt.hcl is deprecated (root.hcl is the new convention). The warning is expected:
# do not enable the strict control root-terragrunt-hcl. live/README.md ("Root file name") says
# how to migrate to root.hcl if a later Terragrunt makes it an error.

locals {
  # One small file per environment holds its values (region, OCIDs, sizes, state backend).
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals

  unit = basename(get_terragrunt_dir())

  # IAM writes must go to the tenancy's home region; any other region answers 403-NotAllowed.
  home_region_units = ["iam"]
  provider_region   = contains(local.home_region_units, local.unit) ? local.env.home_region : local.env.region

  # One state per unit, keyed by its path below this file (live/<env>/<unit>/terraform.tfstate).
  state_key = "${path_relative_to_include()}/terraform.tfstate"

  # Backend settings per kind; env.hcl picks one with state_backend.
  backends = {
    # Works offline: state files under .local/ (git-ignored), outside .terragrunt-cache so that
    # clearing the cache never loses state.
    local = {
      path = "${get_parent_terragrunt_dir()}/.local/terragrunt-state/${local.state_key}"
    }
    # Native OCI Object Storage backend (Terraform >= 1.12): locks with a lock object written
    # with If-None-Match, so no extra lock table is needed.
    oci = {
      bucket              = local.env.state_bucket
      namespace           = local.env.state_namespace
      region              = local.env.state_region
      key                 = local.state_key
      config_file_profile = local.env.oci_profile
    }
    # Fallback for Terraform < 1.12 and OpenTofu: OCI's Amazon S3 Compatibility API, which Oracle
    # calls deprecated for state. Credentials are a Customer Secret Key in AWS_ACCESS_KEY_ID /
    # AWS_SECRET_ACCESS_KEY; the skip_* flags turn off AWS-only checks. use_lockfile needs
    # Terraform/OpenTofu >= 1.10, and OCI has been reported to refuse its lock writes
    # (hashicorp/terraform#36742, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD"): live/README.md.
    s3 = {
      bucket                      = local.env.state_bucket
      key                         = local.state_key
      region                      = local.env.state_region
      endpoints                   = { s3 = "https://${local.env.state_namespace}.compat.objectstorage.${local.env.state_region}.oci.customer-oci.com" }
      use_path_style              = true
      skip_region_validation      = true
      skip_credentials_validation = true
      skip_requesting_account_id  = true
      skip_metadata_api_check     = true
      skip_s3_checksum            = true
      use_lockfile                = true
    }
  }

  # Oldest Terraform each backend kind works with.
  min_terraform = {
    local = "1.5.0"
    s3    = "1.10.0"
    oci   = "1.12.0"
  }
}

# Fails early with a clear message when the installed Terraform cannot use the chosen backend.
terraform_version_constraint = ">= ${local.min_terraform[local.env.state_backend]}"
# `run --all` (the README's commands) replaced `run-all`, which is gone from 0.90 on.
terragrunt_version_constraint = ">= 0.90.0"

# Modules declare required_providers (oci = oracle/oci) and no provider block; the provider
# configuration belongs to the root module that Terragrunt assembles. Both generated files are
# JSON, which Terraform reads as .tf.json, so they carry no Terragrunt signature comment.
generate "provider" {
  path              = "provider.tf.json"
  if_exists         = "overwrite"
  disable_signature = true
  contents = jsonencode({
    provider = {
      oci = {
        region              = local.provider_region
        config_file_profile = local.env.oci_profile
      }
    }
  })
}

generate "backend" {
  path              = "backend.tf.json"
  if_exists         = "overwrite"
  disable_signature = true
  contents = jsonencode({
    terraform = {
      backend = {
        (local.env.state_backend) = local.backends[local.env.state_backend]
      }
    }
  })
}

# Inputs every module takes (see modules/*/variables.tf).
inputs = {
  compartment_id = local.env.compartment_id
  name_prefix    = "galley-${local.env.environment}"
  freeform_tags = {
    environment = local.env.environment
    deployed-by = "terragrunt"
  }
}
