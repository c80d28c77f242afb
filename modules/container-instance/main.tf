locals {
  freeform_tags = merge({ app = "galley", "managed-by" = "terraform" }, var.freeform_tags)
  # The dynamic group's rule requires instance_tag: without it the instance has no rights.
  defined_tags = merge(var.defined_tags, {
    "${var.instance_tag.namespace}.${var.instance_tag.key}" = var.instance_tag.value
  })

  availability_domain = coalesce(var.availability_domain, try(data.oci_identity_availability_domains.this[0].availability_domains[0].name, null))
  image_url = coalesce(
    var.galley_image_url,
    # By digest when image_digest is set (the exact image, whatever a tag names later), else by tag.
    "ocir.${var.region}.oci.oraclecloud.com/${coalesce(var.image_namespace, var.bucket_namespace)}/${var.image_repository_name}${var.image_digest == null ? ":${var.image_tag}" : "@${coalesce(var.image_digest, "-")}"}",
  )
  # The valid tokens by name: a token of your own (url_token), or one generated token per
  # generation plus, with a rotation schedule, the two rotating ones. Several at once let
  # clients move to a new token before the old one is retired. Whether a token was given is no
  # secret; the token itself stays sensitive.
  custom_token = nonsensitive(var.url_token != null)
  url_tokens = local.custom_token ? { custom = var.url_token } : merge(
    { for generation in var.url_token_generations : generation => random_password.url_token[generation].result },
    { for slot, period in local.rotation_slots : "auto-${formatdate("YYYY-MM-DD", timeadd(local.rotation_start, "${period * local.rotation_hours}h"))}" => random_password.rotating[slot].result },
  )
  # Sorted digests: the order of generations never changes the instance's environment.
  url_token_digests = join(",", sort([for token in values(local.url_tokens) : sha256(token)]))
  # The newest token: the current period's rotating one, else the last generation.
  current_token_name = (
    local.custom_token ? "custom" :
    local.rotating ? "auto-${formatdate("YYYY-MM-DD", timeadd(local.rotation_start, "${local.rotation_period * local.rotation_hours}h"))}" :
    try(var.url_token_generations[length(var.url_token_generations) - 1], null)
  )

  # Rotation on a schedule, with overlap: two slots take turns, each token lives two periods,
  # and a new one comes every period, so the previous token stays valid for one period after
  # its successor appears. A period's token is made at the first apply in that period
  # (plantimestamp), so rotation needs applies at least once a period.
  rotating       = var.url_token_rotation_days != null
  rotation_hours = coalesce(var.url_token_rotation_days, 1) * 24
  rotation_start = local.rotating ? coalesce(var.url_token_rotation_start, try(time_static.rotation_start[0].rfc3339, null)) : null
  # Periods begun since the start, counted with timecmp (Terraform has no date difference).
  rotation_period = local.rotating ? length([
    for k in range(1, 1000) : k if timecmp(timeadd(local.rotation_start, "${k * local.rotation_hours}h"), plantimestamp()) <= 0
  ]) : 0
  # Slot p holds the token of the latest period k <= rotation_period with k % 2 == p.
  rotation_slots = local.rotating ? {
    for p in [0, 1] : tostring(p) => local.rotation_period - (local.rotation_period - p + 2) % 2
  } : {}

  # The IAM policy lets the instance pull from one OCIR repository (image_repository_name): an
  # image URL naming another OCIR repository would be refused at pull time, after a long apply.
  image_host       = split("/", local.image_url)[0]
  image_is_ocir    = can(regex("(^|\\.)ocir\\.", local.image_host))
  image_repository = try(regex("^[^/]+/[^/]+/([^:@]+)", local.image_url)[0], null)

  # How long OCI waits after SIGTERM before killing the container. Galley drains in-flight
  # requests for a little less, so it exits by itself and shutdown never ends in a SIGKILL.
  graceful_shutdown_timeout_in_seconds = 30
  shutdown_grace_seconds               = max(1, local.graceful_shutdown_timeout_in_seconds - 5)

  # The bundled `oci` CLI (OCI_CLI_AUTH) and Terraform's OCI provider in Galley's runs (OCI_AUTH,
  # the env default of the provider's `auth`) sign with the instance's resource principal, which
  # OCI injects as OCI_RESOURCE_PRINCIPAL_*; without them both look for a ~/.oci/config the
  # image does not have. A value in environment_variables wins.
  resource_principal = { OCI_CLI_AUTH = "resource_principal", OCI_AUTH = "ResourcePrincipal" }

  # Only the token's digest goes into the instance: its environment is readable by anyone with
  # `read compute-container-family` (GetContainer), Galley's own policy included. The plaintext
  # stays in Terraform state and the sensitive url_token output.
  environment_variables = merge(local.resource_principal, var.environment_variables, {
    GALLEY_HOST                   = "0.0.0.0"
    GALLEY_PORT                   = tostring(var.galley_port)
    GALLEY_DATA_DIR               = var.galley_data_dir
    GALLEY_URL_TOKEN_SHA256       = local.url_token_digests
    GALLEY_SHUTDOWN_GRACE_SECONDS = tostring(local.shutdown_grace_seconds)
    GALLEY_BUCKET_NAME            = var.bucket_name
    GALLEY_BUCKET_NAMESPACE       = var.bucket_namespace
    }, var.audit_log_id == null ? {} : {
    # Where the runtime ships its audit records (modules/audit-log; src/galley/audit_shipping.py).
    GALLEY_AUDIT_LOG_ID = var.audit_log_id
  })

  # How long a new instance gets to pass its health check before traffic moves to it: the first
  # probe comes after initial_delay_in_seconds, and one success makes it healthy; two intervals
  # more leave room for a slow start.
  readiness_wait_seconds = coalesce(
    var.readiness_wait_seconds,
    var.health_check.initial_delay_in_seconds + 2 * var.health_check.interval_in_seconds + var.health_check.timeout_in_seconds,
  )
}

data "oci_identity_availability_domains" "this" {
  count          = var.availability_domain == null ? 1 : 0
  compartment_id = var.compartment_id
}

# One token per generation, created even when url_token is given (a for_each over a sensitive
# input is refused by some Terraform versions). No keepers: a token stays the same across applies
# until its generation leaves url_token_generations.
resource "random_password" "url_token" {
  for_each = toset(var.url_token_generations)
  length   = 32
  special  = false
}

# The first apply's time, when no start is given: the periods count from it.
resource "time_static" "rotation_start" {
  count = local.rotating && var.url_token_rotation_start == null ? 1 : 0
}

# The two rotating tokens: a slot gets a new token when its period changes (keepers), the other
# slot keeps its own.
resource "random_password" "rotating" {
  for_each = local.rotating ? toset(["0", "1"]) : toset([])
  length   = 32
  special  = false
  keepers = {
    period = local.rotation_slots[each.key]
  }
}

# 0.1.0 had one token: it becomes generation "1", so an upgrade keeps the token clients hold.
moved {
  from = random_password.url_token
  to   = random_password.url_token["1"]
}

# Tags live at the top level only: the vnics and containers blocks force replacement on any
# change, tags included. Almost every other change replaces the instance too (OCI's API has no
# update for the image, shape, environment or VNIC): create_before_destroy starts the new one
# beside the old, the gateway moves to it once it is healthy, and only then is the old deleted.
resource "oci_container_instances_container_instance" "this" {
  compartment_id                       = var.compartment_id
  availability_domain                  = local.availability_domain
  display_name                         = "${var.name_prefix}-ci"
  shape                                = var.shape
  container_restart_policy             = "ALWAYS"
  graceful_shutdown_timeout_in_seconds = tostring(local.graceful_shutdown_timeout_in_seconds)
  freeform_tags                        = local.freeform_tags
  defined_tags                         = local.defined_tags

  shape_config {
    ocpus         = var.ocpus
    memory_in_gbs = var.memory_in_gbs
  }

  vnics {
    # No fixed private IP: during a rollout the old instance still holds its address, so OCI
    # gives the new one another; the gateway follows it (outputs read it from the instance).
    subnet_id             = var.subnet_id
    is_public_ip_assigned = false
    nsg_ids               = var.nsg_ids
    display_name          = "${var.name_prefix}-vnic"
  }

  containers {
    display_name          = var.name_prefix
    image_url             = local.image_url
    environment_variables = local.environment_variables

    health_checks {
      name                     = "${var.name_prefix}-health"
      health_check_type        = "HTTP"
      port                     = var.galley_port
      path                     = "/health"
      initial_delay_in_seconds = var.health_check.initial_delay_in_seconds
      interval_in_seconds      = var.health_check.interval_in_seconds
      timeout_in_seconds       = var.health_check.timeout_in_seconds
      failure_threshold        = var.health_check.failure_threshold
      success_threshold        = 1
      failure_action           = "KILL"
    }
  }

  # The image is pulled with the resource principal, so the policy allowing it must exist first.
  # A dependency of this resource only: a module-level depends_on would also defer the
  # availability-domain read to apply time on any policy change, and replace the instance.
  depends_on = [var.policy_id]

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = !local.image_is_ocir || local.image_repository == var.image_repository_name
      error_message = "galley_image_url = \"${local.image_url}\" names the OCIR repository \"${coalesce(local.image_repository, "?")}\", but the IAM policy lets the instance pull from image_repository_name = \"${var.image_repository_name}\" only: set image_repository_name = \"${coalesce(local.image_repository, "?")}\" here and in the iam module, or push the image to ${var.image_repository_name}."
    }
    precondition {
      condition     = length(local.url_tokens) > 0
      error_message = "url_token_generations = [] with url_token and url_token_rotation_days null leaves no valid token: expected at least one generation name, a rotation schedule or a url_token."
    }
    precondition {
      condition     = !contains(keys(var.environment_variables), "GALLEY_URL_TOKEN")
      error_message = "environment_variables sets GALLEY_URL_TOKEN: the token is the url_token input, and only its digest (GALLEY_URL_TOKEN_SHA256) may reach the instance, whose environment anyone with read rights on it can see."
    }
    precondition {
      condition     = var.memory_in_gbs >= var.ocpus && var.memory_in_gbs <= 64 * var.ocpus
      error_message = "memory_in_gbs = ${var.memory_in_gbs} with ocpus = ${var.ocpus} is invalid: expected 1 to 64 GB per OCPU (from ${var.ocpus} to ${64 * var.ocpus} GB)."
    }
  }
}

# Readiness gate of a rollout: wait for the new instance's health check, then read it back. The
# read fails the apply when a container is not HEALTHY, before the gateway moves (the gateway's
# backend comes from this data source), so the old instance keeps serving and is not deleted.
resource "time_sleep" "ready" {
  create_duration = "${local.readiness_wait_seconds}s"
  triggers = {
    container_instance_id = oci_container_instances_container_instance.this.id
  }
}

data "oci_container_instances_container_instance" "ready" {
  container_instance_id = time_sleep.ready.triggers.container_instance_id

  lifecycle {
    postcondition {
      condition = alltrue(flatten([
        for container in self.containers : [for check in container.health_checks : check.status == "HEALTHY"]
      ]))
      error_message = "Container instance ${self.id} (image ${local.image_url}) is not healthy ${local.readiness_wait_seconds} s after it started: ${jsonencode(flatten([for container in self.containers : [for check in container.health_checks : "${container.display_name}: ${check.status} ${coalesce(check.status_details, "-")}"]]))}. The gateway still sends traffic to the previous instance, which keeps running; fix the image or its settings (or go back to the previous image_tag) and apply again."
    }
  }
}
