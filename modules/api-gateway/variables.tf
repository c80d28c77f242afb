variable "compartment_id" {
  description = "OCID of the compartment that holds the gateway and its deployment."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.(compartment|tenancy)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.compartment_id))
    error_message = "compartment_id = \"${var.compartment_id}\" is invalid: expected a compartment or tenancy OCID (ocid1.compartment.oc1..<id> or ocid1.tenancy.oc1..<id>)."
  }
}

variable "name_prefix" {
  description = "Prefix of display names (<prefix>-gateway, <prefix>-deployment)."
  type        = string
  default     = "galley"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,29}$", var.name_prefix))
    error_message = "name_prefix = \"${var.name_prefix}\" is invalid: expected 1-30 characters: a lowercase letter, then lowercase letters, digits or '-'."
  }
}

variable "freeform_tags" {
  description = "Freeform tags merged over the defaults {app = \"galley\", managed-by = \"terraform\"}."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "subnet_id" {
  description = "OCID of the regional public subnet of the gateway."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.subnet\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.subnet_id))
    error_message = "subnet_id = \"${var.subnet_id}\" is invalid: expected a subnet OCID (ocid1.subnet.oc1.<region>.<id>)."
  }
}

variable "nsg_ids" {
  description = "OCIDs of network security groups for the gateway (optional; the subnet's security list already applies)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.nsg_ids : can(regex("^ocid1\\.networksecuritygroup\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", id))])
    error_message = "nsg_ids = ${jsonencode(var.nsg_ids)} is invalid: expected network security group OCIDs (ocid1.networksecuritygroup.oc1.<region>.<id>)."
  }

  validation {
    condition     = length(var.nsg_ids) <= 5
    error_message = "nsg_ids lists ${length(var.nsg_ids)} network security groups: expected at most 5 (OCI puts a gateway in at most five)."
  }
}

variable "backend_ip" {
  description = "Private IP of the Galley container instance."
  type        = string

  validation {
    condition     = can(regex("^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$", var.backend_ip))
    error_message = "backend_ip = \"${var.backend_ip}\" is invalid: expected an IPv4 address such as 10.0.2.10."
  }
}

variable "backend_port" {
  description = "TCP port of Galley on the backend."
  type        = number
  default     = 8000
  nullable    = false

  validation {
    condition     = var.backend_port >= 1 && var.backend_port <= 65535 && floor(var.backend_port) == var.backend_port
    error_message = "backend_port = ${var.backend_port} is invalid: expected a whole number from 1 to 65535."
  }
}

variable "path_prefix" {
  description = "Path prefix of the deployment: the endpoint is https://<hostname><path_prefix>/mcp."
  type        = string
  default     = "/galley"
  nullable    = false

  validation {
    condition     = can(regex("^(/[A-Za-z0-9._~-]+)+$", var.path_prefix)) && length(var.path_prefix) <= 255
    error_message = "path_prefix = \"${var.path_prefix}\" is invalid: expected a path starting with '/', without a trailing '/', of at most 255 URL-safe characters, such as /galley."
  }
}

variable "token_transport" {
  description = "How clients send the token, so the gateway refuses requests without it: query (?token=, the default), header (Authorization: Bearer) or both (no presence check at the gateway: OCI combines validations with AND; Galley still refuses a request without a valid token)."
  type        = string
  default     = "query"
  nullable    = false

  validation {
    condition     = contains(["query", "header", "both"], var.token_transport)
    error_message = "token_transport = \"${var.token_transport}\" is invalid: expected query, header or both."
  }
}

variable "connect_timeout_in_seconds" {
  description = "Seconds the gateway waits to connect to the backend."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.connect_timeout_in_seconds >= 1 && var.connect_timeout_in_seconds <= 75
    error_message = "connect_timeout_in_seconds = ${var.connect_timeout_in_seconds} is invalid: expected 1 to 75 seconds."
  }
}

variable "read_timeout_in_seconds" {
  description = "Seconds the gateway waits between two reads from the backend; MCP streams (SSE) stay open, so the default is the maximum; a stream idle for longer is closed and the client reconnects."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = var.read_timeout_in_seconds >= 1 && var.read_timeout_in_seconds <= 300
    error_message = "read_timeout_in_seconds = ${var.read_timeout_in_seconds} is invalid: expected 1 to 300 seconds."
  }
}

variable "send_timeout_in_seconds" {
  description = "Seconds the gateway waits between two writes to the backend."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = var.send_timeout_in_seconds >= 1 && var.send_timeout_in_seconds <= 300
    error_message = "send_timeout_in_seconds = ${var.send_timeout_in_seconds} is invalid: expected 1 to 300 seconds."
  }
}

variable "rate_limit_requests_per_second" {
  description = "Requests per second the gateway accepts from one client IP (rate_key CLIENT_IP); more are answered 429. An MCP client makes a few per tool call."
  type        = number
  default     = 50
  nullable    = false

  validation {
    condition     = var.rate_limit_requests_per_second >= 1 && var.rate_limit_requests_per_second <= 10000 && floor(var.rate_limit_requests_per_second) == var.rate_limit_requests_per_second
    error_message = "rate_limit_requests_per_second = ${var.rate_limit_requests_per_second} is invalid: expected a whole number from 1 to 10000."
  }
}

variable "execution_log_level" {
  description = "Level of the deployment's execution log, WARN or ERROR; it reaches OCI Logging only with execution_log_enabled. Not INFO: OCI documents it as a summary of every processing stage, which may carry the backend URL and with it the token."
  type        = string
  default     = "WARN"
  nullable    = false

  validation {
    condition     = contains(["WARN", "ERROR"], var.execution_log_level)
    error_message = "execution_log_level = \"${var.execution_log_level}\" is invalid: expected WARN or ERROR (INFO could record the token with every request)."
  }
}

variable "execution_log_enabled" {
  description = "Send the deployment's execution logs to OCI Logging (a SERVICE log, category execution). Access logs are never enabled: they would record the token in every URL."
  type        = bool
  default     = false
  nullable    = false
}

variable "log_group_id" {
  description = "OCID of an existing log group for the execution log. null = a log group <prefix>-logs is created (when execution_log_enabled)."
  type        = string
  default     = null

  validation {
    condition     = var.log_group_id == null || can(regex("^ocid1\\.loggroup\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", coalesce(var.log_group_id, "-")))
    error_message = "log_group_id = \"${coalesce(var.log_group_id, "null")}\" is invalid: expected a log group OCID (ocid1.loggroup.oc1.<region>.<id>) or null."
  }
}

variable "log_retention_days" {
  description = "Days OCI Logging keeps the execution log (30 to 180, a multiple of 30)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.log_retention_days >= 30 && var.log_retention_days <= 180 && var.log_retention_days % 30 == 0
    error_message = "log_retention_days = ${var.log_retention_days} is invalid: expected 30, 60, 90, 120, 150 or 180."
  }
}

# Custom domain: a hostname clients keep across rebuilds, with its certificate (OCI's own or PEM).

variable "custom_hostname" {
  description = "Hostname clients use instead of the gateway's generated one (such as mcp.example.com); needs certificate_id or certificate_pem. null = the generated hostname."
  type        = string
  default     = null

  validation {
    condition     = var.custom_hostname == null || (can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", coalesce(var.custom_hostname, "-"))) && length(coalesce(var.custom_hostname, "-")) <= 253)
    error_message = "custom_hostname = \"${coalesce(var.custom_hostname, "null")}\" is invalid: expected a lowercase DNS name of at least two labels without scheme, port or path, such as mcp.example.com."
  }
}

variable "certificate_id" {
  description = "OCID of the custom hostname's certificate in the OCI Certificates service (or an existing API Gateway certificate). Exclusive with certificate_pem."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_id == null || can(regex("^ocid1\\.(certificate|apigatewaycertificate)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", coalesce(var.certificate_id, "-")))
    error_message = "certificate_id = \"${coalesce(var.certificate_id, "null")}\" is invalid: expected a certificate OCID (ocid1.certificate.oc1.<region>.<id> or ocid1.apigatewaycertificate.oc1.<region>.<id>) or null."
  }
}

variable "certificate_pem" {
  description = "PEM leaf certificate of the custom hostname, uploaded as an API Gateway certificate; needs certificate_private_key_pem. Exclusive with certificate_id."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_pem == null || can(regex("^\\s*-----BEGIN CERTIFICATE-----", coalesce(var.certificate_pem, "-")))
    error_message = "certificate_pem is invalid: expected a PEM certificate starting with -----BEGIN CERTIFICATE----- (the leaf only; intermediates go in certificate_chain_pem)."
  }
}

variable "certificate_chain_pem" {
  description = "PEM intermediate certificates from the leaf's issuer towards the root (optional; with certificate_pem)."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_chain_pem == null || can(regex("^\\s*-----BEGIN CERTIFICATE-----", coalesce(var.certificate_chain_pem, "-")))
    error_message = "certificate_chain_pem is invalid: expected PEM certificates starting with -----BEGIN CERTIFICATE-----."
  }
}

variable "certificate_private_key_pem" {
  description = "PEM private key of certificate_pem."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.certificate_private_key_pem == null || can(regex("^\\s*-----BEGIN (RSA |EC )?PRIVATE KEY-----", coalesce(var.certificate_private_key_pem, "-")))
    error_message = "certificate_private_key_pem is invalid: expected an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----, RSA or EC)."
  }
}

variable "dns_zone_id" {
  description = "OCID of an OCI DNS zone in which to create the CNAME custom_hostname -> the gateway's hostname. null = you create the DNS record yourself."
  type        = string
  default     = null

  validation {
    condition     = var.dns_zone_id == null || can(regex("^ocid1\\.dns-zone\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9-]+$", coalesce(var.dns_zone_id, "-")))
    error_message = "dns_zone_id = \"${coalesce(var.dns_zone_id, "null")}\" is invalid: expected a DNS zone OCID (ocid1.dns-zone.oc1..<id>) or null."
  }
}

variable "dns_ttl" {
  description = "TTL in seconds of the CNAME record (with dns_zone_id)."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = var.dns_ttl >= 30 && var.dns_ttl <= 86400 && floor(var.dns_ttl) == var.dns_ttl
    error_message = "dns_ttl = ${var.dns_ttl} is invalid: expected a whole number of seconds from 30 to 86400."
  }
}
