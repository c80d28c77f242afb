# Root Terragrunt configuration: the card's top-level terragrunt.hcl, renamed root.hcl as current
# Terragrunt names it (a root file called terragrunt.hcl is deprecated, and `run --all` would
# take it for a unit). Every unit under live/<env>/<unit>/ includes it with
#   include "root" { path = find_in_parent_folders("root.hcl") }
# and everything here is evaluated in that unit's context.

locals {
  # One small file per environment holds its values (region, OCIDs, sizes, state backend).
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals

  unit = basename(get_terragrunt_dir())

  # The one switch of offline runs (live/README.md, "State"): GALLEY_STATE_BACKEND
  # overrides env.hcl's state_backend, e.g. `local` to plan or apply dev or prod against the OCI
  # emulator with their state in local files.
  state_backend = get_env("GALLEY_STATE_BACKEND", local.env.state_backend)

  # IAM writes must go to the tenancy's home region; any other region answers 403-NotAllowed.
  # env.hcl's home_region = null derives it from the tenancy (provider_json below).
  in_home_region      = contains(["iam"], local.unit)
  derive_home_region  = local.in_home_region && local.env.home_region == null
  home_region_address = "data.oci_identity_regions.galley_home_region.regions[0].name"
  provider_region = (
    !local.in_home_region ? local.env.region :
    local.derive_home_region ? "$${${local.home_region_address}}" : local.env.home_region
  )

  provider_config = {
    region              = local.provider_region
    config_file_profile = local.env.oci_profile
  }
  # As the provider's identity_home_resolution example: a provider in `region` reads the
  # tenancy's home region key, and the region of that key names the home region.
  home_region_lookup = {
    provider = {
      oci = [
        local.provider_config,
        { alias = "home_lookup", region = local.env.region, config_file_profile = local.env.oci_profile },
      ]
    }
    data = {
      oci_identity_tenancy = {
        galley_home_region = { provider = "oci.home_lookup", tenancy_id = local.env.tenancy_id }
      }
      oci_identity_regions = {
        galley_home_region = {
          provider = "oci.home_lookup"
          filter = {
            name   = "key"
            values = ["$${data.oci_identity_tenancy.galley_home_region.home_region_key}"]
          }
        }
      }
    }
  }
  provider_json = (
    local.derive_home_region ? jsonencode(local.home_region_lookup) : jsonencode({ provider = { oci = local.provider_config } })
  )

  # One state per unit, keyed by its path below this file (live/<env>/<unit>/terraform.tfstate).
  state_key = "${path_relative_to_include()}/terraform.tfstate"

  # Backend settings per kind; env.hcl picks one with state_backend.
  backends = {
    # Works offline: state files under .local/ (git-ignored), outside .terragrunt-cache so that
    # clearing the cache never loses state.
    local = {
      path = "${get_parent_terragrunt_dir()}/.local/terragrunt-state/${local.state_key}"
    }
    # Terraform's native OCI Object Storage backend (Terraform >= 1.12): locks with a lock object
    # written with If-None-Match, so no extra lock table is needed. OpenTofu has no such backend.
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
  # An unknown GALLEY_STATE_BACKEND or state_backend fails here, naming the key it looked up.
  backend_config = local.backends[local.state_backend]

  # Oldest Terraform (and OpenTofu) each backend kind works with.
  min_terraform = {
    local = "1.5.0"
    s3    = "1.10.0"
    oci   = "1.12.0"
  }

  # OpenTofu reads backend.tofu.json instead of backend.tf.json (a .tofu file shadows the .tf
  # file of the same name; Terraform never reads .tofu files), so the engine that runs picks its
  # own backend however it was chosen. OpenTofu has no `oci` state backend: rather than its
  # "There is no backend type named oci" at init, it gets a variable whose validation fails at
  # plan and says what to set.
  opentofu_oci_guard = {
    variable = {
      opentofu_has_no_oci_state_backend = {
        type    = "string"
        default = local.state_backend
        validation = {
          condition     = "$${var.opentofu_has_no_oci_state_backend != \"oci\"}"
          error_message = "OpenTofu has no `oci` state backend, which ${path_relative_to_include()} uses (state_backend in live/${local.env.environment}/env.hcl). Run it with Terraform >= 1.12 (unset TG_TF_PATH), or set state_backend = \"s3\" in that env.hcl (OCI's S3-compatible API; live/README.md, \"State\"), or GALLEY_STATE_BACKEND=local for an offline run."
        }
      }
    }
  }
  backend_json = { terraform = { backend = { (local.state_backend) = local.backend_config } } }

  # One engine per run. terraform_binary below picks the engine of each unit's own commands, but
  # Terragrunt 1.1.3 reads a dependency's outputs with the engine it chose before reading any
  # configuration: TG_TF_PATH / --tf-path, else `tofu` whenever `tofu -version` runs
  # (pkg/config/dependency.go runTerragruntOutputJSON passes on the caller's TFPath and never the
  # dependency's terraform_binary; gruntwork-io/terragrunt#6751). With both engines installed, a
  # Terraform run would read outputs with OpenTofu, which in dev/prod initialises another backend
  # and reads an empty state. No configuration can change that choice, so with `tofu` on PATH the
  # run must name its engine: it stops here, before any engine runs. The fix (#6753) is in
  # Terragrunt 1.1.4, whose source the Go module proxy does not serve (scripts/install-tools
  # cannot build it), so mise.toml stays on 1.1.3 and this check stays until the pin moves.
  # The check is in the command (HCL evaluates both arms of a conditional, so a run_cmd there
  # would always run); --terragrunt-global-cache: one check per Terragrunt run, not per unit.
  engine_chosen = run_cmd(
    "--terragrunt-quiet", "--terragrunt-global-cache", "sh", "-c",
    "if [ -z \"$TG_TF_PATH\" ] && tofu -version >/dev/null 2>&1; then echo 'root.hcl: tofu is on PATH and TG_TF_PATH is unset, so Terragrunt 1.1.3 would read dependency outputs with OpenTofu while root.hcl runs the units with Terraform (gruntwork-io/terragrunt#6751). Choose one engine for the whole run: export TG_TF_PATH=terraform (or TG_TF_PATH=tofu for OpenTofu); live/README.md, \"Engines\".' >&2; exit 1; fi"
  )
}

# Terraform unless the user asks for OpenTofu: Terragrunt's own default is `tofu` when it is on
# PATH. TG_TF_PATH=tofu (or --tf-path tofu) wins over this line (live/README.md, "Engines").
terraform_binary = "terraform"

# Fails early with a clear message when the installed Terraform or OpenTofu cannot use the
# chosen backend (OpenTofu with `oci`: opentofu_oci_guard above).
terraform_version_constraint = ">= ${local.min_terraform[local.state_backend]}"
# Versions whose commands the README and tests use (`run --all`, `find --dag`, `render`).
terragrunt_version_constraint = ">= 1.0.0"

terraform {
  # The lock files init writes with local state (live/local, and offline runs of dev/prod
  # against the emulator) hold the emulator's hashes: they stay in .terragrunt-cache. With a
  # remote backend the unit folder gets the lock file, to be committed (live/README.md).
  copy_terraform_lock_file = local.state_backend != "local"
}

# Modules declare required_providers (oci = oracle/oci, a wide range) and no provider block; the
# provider configuration and the exact provider range belong to the root module Terragrunt
# assembles. All generated files are JSON, which the engines read as .tf.json / .tofu.json, so
# they carry no Terragrunt signature comment.
generate "provider" {
  path              = "provider.tf.json"
  if_exists         = "overwrite"
  disable_signature = true
  contents          = local.provider_json
}

# An override file replaces the module's oci requirement entry by this tighter one.
generate "provider_pins" {
  path              = "galley_pins_override.tf.json"
  if_exists         = "overwrite"
  disable_signature = true
  contents = jsonencode({
    terraform = { required_providers = { oci = { source = "oracle/oci", version = "~> 8.28" } } }
  })
}

# A generate block, not remote_state: remote_state re-inits on a backend change only with
# --backend-bootstrap (never for `oci` or `local`), which for s3 would have Terragrunt create or
# alter the bucket through the AWS API; and its dependency-output shortcut runs init with this
# backend alone, so OpenTofu would stop at the `oci` backend before reaching the guard.
generate "backend" {
  path              = "backend.tf.json"
  if_exists         = "overwrite"
  disable_signature = true
  contents          = jsonencode(local.backend_json)
}

generate "backend_opentofu" {
  path              = "backend.tofu.json"
  if_exists         = "overwrite"
  disable_signature = true
  contents          = local.state_backend == "oci" ? jsonencode(local.opentofu_oci_guard) : jsonencode(local.backend_json)
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
