locals {
  freeform_tags = merge({ app = "galley", "managed-by" = "terraform" }, var.freeform_tags)

  # The name Galley reads the token from (galley.middleware.TOKEN_PARAM): part of its contract,
  # so not an input; another name would only make the gateway refuse every working URL.
  token_query_parameter = "token"
  # Galley also takes the token as `Authorization: Bearer <token>` (the MCP authorization spec's
  # form: nothing secret in the URL). OCI combines validations with AND, so with "both" the
  # gateway cannot require "one of the two": it checks presence only for one transport.
  check_query  = var.token_transport == "query"
  check_header = var.token_transport == "header"

  # The caller's log group, or the one created here (null when execution logs are off).
  log_group_id = var.execution_log_enabled ? coalesce(var.log_group_id, try(oci_logging_log_group.this[0].id, null)) : null

  # Custom domain: the certificate the gateway presents for it (OCI's, or the PEM uploaded here).
  certificate_pem_given = var.certificate_pem != null
  certificate_id        = local.certificate_pem_given ? oci_apigateway_certificate.this[0].id : var.certificate_id
  public_hostname       = coalesce(var.custom_hostname, oci_apigateway_gateway.this.hostname)
}

# The provider replaces a certificate whose PEM changes; create_before_destroy makes the new one
# exist before the gateway moves to it, so a swap updates the gateway in place (same id and
# hostname) and the old certificate is deleted only once nothing uses it.
resource "oci_apigateway_certificate" "this" {
  count                     = local.certificate_pem_given ? 1 : 0
  compartment_id            = var.compartment_id
  display_name              = "${var.name_prefix}-certificate"
  certificate               = var.certificate_pem
  intermediate_certificates = var.certificate_chain_pem
  private_key               = var.certificate_private_key_pem
  freeform_tags             = local.freeform_tags

  lifecycle {
    create_before_destroy = true

    # OCI keeps no hostname with the certificate (the gateway has none either), so nothing on
    # OCI's side checks that the certificate covers custom_hostname: this does, once OCI has read
    # its names (subject_names: the SAN DNS names, else the CN). One wildcard label matches.
    postcondition {
      condition = anytrue([for name in self.subject_names :
        name == var.custom_hostname || (startswith(name, "*.") && try(trimprefix(name, "*") == regex("\\.[^.]+\\..+$", var.custom_hostname), false))
      ])
      error_message = "certificate_pem covers ${jsonencode(self.subject_names)}, not custom_hostname = \"${coalesce(var.custom_hostname, "null")}\": give a certificate whose names include it."
    }
  }
}

resource "oci_apigateway_gateway" "this" {
  compartment_id             = var.compartment_id
  display_name               = "${var.name_prefix}-gateway"
  endpoint_type              = "PUBLIC"
  subnet_id                  = var.subnet_id
  network_security_group_ids = var.nsg_ids
  freeform_tags              = local.freeform_tags
  certificate_id             = local.certificate_id

  lifecycle {
    # Cross-variable rules as preconditions: variable validations may name other variables only
    # from Terraform 1.9, and this module supports 1.5.
    precondition {
      condition     = !(var.certificate_id != null && var.certificate_pem != null)
      error_message = "certificate_id and certificate_pem are both set: give the custom hostname's certificate one way, an OCI Certificates OCID (certificate_id) or a PEM (certificate_pem + certificate_private_key_pem)."
    }
    precondition {
      condition     = var.certificate_pem == null || var.certificate_private_key_pem != null
      error_message = "certificate_pem is set without certificate_private_key_pem: set the leaf certificate's PEM private key as well."
    }
    precondition {
      condition     = (var.certificate_private_key_pem == null && var.certificate_chain_pem == null) || var.certificate_pem != null
      error_message = "certificate_private_key_pem or certificate_chain_pem is set without certificate_pem: set the leaf certificate (certificate_pem) too, or remove them."
    }
    precondition {
      condition     = var.custom_hostname == null || var.certificate_id != null || var.certificate_pem != null
      error_message = "custom_hostname is set without a certificate: set certificate_id (OCI Certificates) or certificate_pem + certificate_private_key_pem for it; the gateway's own certificate covers only its generated hostname."
    }
    precondition {
      condition     = var.custom_hostname != null || (var.certificate_id == null && var.certificate_pem == null)
      error_message = "A certificate (certificate_id or certificate_pem) is set without custom_hostname: set custom_hostname to the name the certificate covers."
    }
    precondition {
      condition     = var.dns_zone_id == null || var.custom_hostname != null
      error_message = "dns_zone_id is set without custom_hostname: set custom_hostname (a name inside that zone) or remove dns_zone_id."
    }
  }
}

# Optional: the custom hostname as a CNAME of the gateway's generated hostname, in an OCI DNS zone.
resource "oci_dns_rrset" "custom_hostname" {
  count           = var.dns_zone_id != null ? 1 : 0
  zone_name_or_id = var.dns_zone_id
  domain          = var.custom_hostname
  rtype           = "CNAME"

  items {
    domain = var.custom_hostname
    rtype  = "CNAME"
    rdata  = "${oci_apigateway_gateway.this.hostname}."
    ttl    = var.dns_ttl
  }
}

resource "oci_apigateway_deployment" "this" {
  compartment_id = var.compartment_id
  gateway_id     = oci_apigateway_gateway.this.id
  display_name   = "${var.name_prefix}-deployment"
  path_prefix    = var.path_prefix
  freeform_tags  = local.freeform_tags

  specification {
    # Only log_level matters here: is_enabled would switch on OCI's deprecated upload of logs to
    # a bucket, not OCI Logging. Execution logs reach OCI Logging through oci_logging_log below.
    logging_policies {
      execution_log {
        log_level = var.execution_log_level
      }
    }

    # Per client IP: the gateway only checks that a token is present, so this is what stops one
    # address from hammering Galley with bad tokens.
    request_policies {
      rate_limiting {
        rate_key                    = "CLIENT_IP"
        rate_in_requests_per_second = var.rate_limit_requests_per_second
      }
    }

    # Every path and method (MCP uses POST, GET and DELETE) goes to Galley unchanged.
    routes {
      path    = "/{path*}"
      methods = ["ANY"]

      backend {
        type = "HTTP_BACKEND"
        # "$${...}" is a literal "${...}" for the gateway's own context variables.
        url                        = "http://${var.backend_ip}:${var.backend_port}/$${request.path[path]}"
        connect_timeout_in_seconds = var.connect_timeout_in_seconds
        read_timeout_in_seconds    = var.read_timeout_in_seconds
        send_timeout_in_seconds    = var.send_timeout_in_seconds
      }

      # Requests without the token are refused at the gateway; Galley checks its value (with
      # "both", Galley alone refuses a request that carries neither).
      dynamic "request_policies" {
        for_each = local.check_query || local.check_header ? [1] : []
        content {
          dynamic "query_parameter_validations" {
            for_each = local.check_query ? [1] : []
            content {
              validation_mode = "ENFORCING"

              parameters {
                name     = local.token_query_parameter
                required = true
              }
            }
          }

          dynamic "header_validations" {
            for_each = local.check_header ? [1] : []
            content {
              validation_mode = "ENFORCING"

              headers {
                name     = "Authorization"
                required = true
              }
            }
          }
        }
      }
    }
  }
}

# Execution logs (the gateway's own errors and warnings: no request line, so no token) in OCI
# Logging. Never an access log: it records every request line, and the token is in the URL.
resource "oci_logging_log_group" "this" {
  count          = var.execution_log_enabled && var.log_group_id == null ? 1 : 0
  compartment_id = var.compartment_id
  display_name   = "${var.name_prefix}-logs"
  description    = "Galley (${var.name_prefix}): API Gateway execution logs"
  freeform_tags  = local.freeform_tags
}

resource "oci_logging_log" "execution" {
  count              = var.execution_log_enabled ? 1 : 0
  display_name       = "${var.name_prefix}-gateway-execution"
  log_group_id       = local.log_group_id
  log_type           = "SERVICE"
  is_enabled         = true
  retention_duration = var.log_retention_days
  freeform_tags      = local.freeform_tags

  configuration {
    compartment_id = var.compartment_id

    source {
      source_type = "OCISERVICE"
      service     = "apigateway"
      resource    = oci_apigateway_deployment.this.id
      category    = "execution"
    }
  }
}
