locals {
  freeform_tags = merge({ app = "galley", "managed-by" = "terraform" }, var.freeform_tags)

  availability_domain = coalesce(var.availability_domain, try(data.oci_identity_availability_domains.this[0].availability_domains[0].name, null))
  private_ip          = var.private_ip != null ? var.private_ip : try(cidrhost(var.subnet_cidr, 10), null)
  image_url = coalesce(
    var.galley_image_url,
    "ocir.${var.region}.oci.oraclecloud.com/${coalesce(var.image_namespace, var.bucket_namespace)}/${var.image_repository_name}:${var.image_tag}",
  )
  url_token = var.url_token != null ? var.url_token : random_password.url_token.result

  # The IAM policy lets the instance pull from one OCIR repository (image_repository_name): an
  # image URL naming another OCIR repository would be refused at pull time, after a long apply.
  image_host       = split("/", local.image_url)[0]
  image_is_ocir    = can(regex("(^|\\.)ocir\\.", local.image_host))
  image_repository = try(regex("^[^/]+/[^/]+/([^:@]+)", local.image_url)[0], null)

  # How long OCI waits after SIGTERM before killing the container. Galley drains in-flight
  # requests for a little less, so it exits by itself and shutdown never ends in a SIGKILL.
  graceful_shutdown_timeout_in_seconds = 30
  shutdown_grace_seconds               = max(1, local.graceful_shutdown_timeout_in_seconds - 5)

  # Only the token's digest goes into the instance: its environment is readable by anyone with
  # `read compute-container-family` (GetContainer), Galley's own policy included. The plaintext
  # stays in Terraform state and the sensitive url_token output.
  environment_variables = merge(var.environment_variables, {
    GALLEY_HOST                   = "0.0.0.0"
    GALLEY_PORT                   = tostring(var.galley_port)
    GALLEY_DATA_DIR               = var.galley_data_dir
    GALLEY_URL_TOKEN_SHA256       = sha256(local.url_token)
    GALLEY_SHUTDOWN_GRACE_SECONDS = tostring(local.shutdown_grace_seconds)
    GALLEY_BUCKET_NAME            = var.bucket_name
    GALLEY_BUCKET_NAMESPACE       = var.bucket_namespace
  })

  # True when the private IP is a host of subnet_cidr (skipped when no CIDR is known).
  private_ip_in_subnet = var.subnet_cidr == null || local.private_ip == null || try(
    cidrhost("${local.private_ip}/${split("/", var.subnet_cidr)[1]}", 0) == cidrhost(var.subnet_cidr, 0), false
  )
}

data "oci_identity_availability_domains" "this" {
  count          = var.availability_domain == null ? 1 : 0
  compartment_id = var.compartment_id
}

# Created even when url_token is given: a count on a sensitive input is refused by some
# Terraform versions, and an unused random value costs nothing. No keepers: the token stays the
# same across applies until this resource is replaced on purpose.
resource "random_password" "url_token" {
  length  = 32
  special = false
}

# Tags live at the top level only: the vnics and containers blocks force replacement on any
# change, tags included.
resource "oci_container_instances_container_instance" "this" {
  compartment_id                       = var.compartment_id
  availability_domain                  = local.availability_domain
  display_name                         = "${var.name_prefix}-ci"
  shape                                = var.shape
  container_restart_policy             = "ALWAYS"
  graceful_shutdown_timeout_in_seconds = tostring(local.graceful_shutdown_timeout_in_seconds)
  freeform_tags                        = local.freeform_tags

  shape_config {
    ocpus         = var.ocpus
    memory_in_gbs = var.memory_in_gbs
  }

  vnics {
    subnet_id             = var.subnet_id
    private_ip            = local.private_ip
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
    precondition {
      condition     = local.private_ip != null
      error_message = "Neither private_ip nor subnet_cidr is set: give subnet_cidr (the default private IP is its 10th host) or an explicit private_ip."
    }
    precondition {
      condition     = local.private_ip_in_subnet
      error_message = "private_ip = \"${coalesce(local.private_ip, "null")}\" is not inside subnet_cidr = \"${coalesce(var.subnet_cidr, "null")}\": expected a free host address of the subnet."
    }
    precondition {
      condition     = !local.image_is_ocir || local.image_repository == var.image_repository_name
      error_message = "galley_image_url = \"${local.image_url}\" names the OCIR repository \"${coalesce(local.image_repository, "?")}\", but the IAM policy lets the instance pull from image_repository_name = \"${var.image_repository_name}\" only: set image_repository_name = \"${coalesce(local.image_repository, "?")}\" here and in the iam module, or push the image to ${var.image_repository_name}."
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
