locals {
  freeform_tags = merge({ app = "galley", "managed-by" = "terraform" }, var.freeform_tags)

  # The name Galley reads the token from (galley.middleware.TOKEN_PARAM): part of its contract,
  # so not an input; another name would only make the gateway refuse every working URL.
  token_query_parameter = "token"
}

resource "oci_apigateway_gateway" "this" {
  compartment_id             = var.compartment_id
  display_name               = "${var.name_prefix}-gateway"
  endpoint_type              = "PUBLIC"
  subnet_id                  = var.subnet_id
  network_security_group_ids = var.nsg_ids
  freeform_tags              = local.freeform_tags
}

resource "oci_apigateway_deployment" "this" {
  compartment_id = var.compartment_id
  gateway_id     = oci_apigateway_gateway.this.id
  display_name   = "${var.name_prefix}-deployment"
  path_prefix    = var.path_prefix
  freeform_tags  = local.freeform_tags

  specification {
    # The token travels in the query string, which access logs record: they stay off.
    # Execution logs do not hold the request line.
    logging_policies {
      access_log {
        is_enabled = false
      }
      execution_log {
        is_enabled = true
        log_level  = "WARN"
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

      # Requests without the token are refused at the gateway; Galley checks its value.
      request_policies {
        query_parameter_validations {
          validation_mode = "ENFORCING"

          parameters {
            name     = local.token_query_parameter
            required = true
          }
        }
      }
    }
  }
}
