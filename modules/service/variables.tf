# The instance's and the gateway's settings, passed on to modules/container-instance and
# modules/api-gateway, which validate them; a null optional input takes that module's default.

variable "compartment_id" {
  description = "OCID of the compartment that holds the container instance, the gateway and its deployment."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of display names (<prefix>-ci, <prefix>-gateway, <prefix>-deployment, ...). null = the modules' default."
  type        = string
  default     = null
}

variable "freeform_tags" {
  description = "Freeform tags merged over the defaults {app = \"galley\", managed-by = \"terraform\"}."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "region" {
  description = "OCI region identifier (such as us-ashburn-1); names the OCIR registry of the default image URL."
  type        = string
}

variable "private_subnet_id" {
  description = "OCID of the private subnet of the container instance's VNIC."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.subnet\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.private_subnet_id))
    error_message = "private_subnet_id = \"${var.private_subnet_id}\" is invalid: expected a subnet OCID (ocid1.subnet.oc1.<region>.<id>)."
  }
}

variable "public_subnet_id" {
  description = "OCID of the regional public subnet of the gateway."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.subnet\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.public_subnet_id))
    error_message = "public_subnet_id = \"${var.public_subnet_id}\" is invalid: expected a subnet OCID (ocid1.subnet.oc1.<region>.<id>)."
  }
}

variable "gateway_nsg_ids" {
  description = "OCIDs of network security groups for the gateway (modules/existing-network gateway_nsg_id). [] = the public subnet's security list alone."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "instance_nsg_ids" {
  description = "OCIDs of network security groups for the container instance's VNIC (modules/existing-network instance_nsg_id). [] = the private subnet's security list alone."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "galley_port" {
  description = "TCP port Galley listens on: the container's port and health check, and the gateway's backend port."
  type        = number
  default     = 8000
  nullable    = false
}

variable "policy_id" {
  description = "OCID of the IAM policy that lets the instance pull its image and use the bucket (modules/iam); the instance is created after it. null = no ordering."
  type        = string
  default     = null
}

variable "bucket_name" {
  description = "Name of the Galley bucket (GALLEY_BUCKET_NAME)."
  type        = string
}

variable "bucket_namespace" {
  description = "Object Storage namespace of the bucket (GALLEY_BUCKET_NAMESPACE)."
  type        = string
}

variable "image_namespace" {
  description = "OCIR namespace of the default image URL. null = bucket_namespace."
  type        = string
  default     = null
}

variable "image_repository_name" {
  description = "OCIR repository of the image; the IAM policy allows pulls from this repository only. null = the default of modules/container-instance."
  type        = string
  default     = null
}

variable "image_tag" {
  description = "Tag of the default image URL; a change rolls the instance out. null = the default of modules/container-instance."
  type        = string
  default     = null
}

variable "image_digest" {
  description = "Digest of the image (sha256:<64 hex digits>): the default image URL names it by digest instead of image_tag. null = by tag."
  type        = string
  default     = null
}

variable "galley_image_url" {
  description = "Full image URL with an explicit tag or digest; overrides the OCIR default (needed outside the commercial realm, oc1)."
  type        = string
  default     = null
}

variable "ocpus" {
  description = "OCPUs of the container instance. null = the default of modules/container-instance."
  type        = number
  default     = null
}

variable "memory_in_gbs" {
  description = "Memory of the container instance in GB. null = the default of modules/container-instance."
  type        = number
  default     = null
}

variable "url_token" {
  description = "A token of your own instead of the generated ones. null = one generated token per url_token_generations name."
  type        = string
  default     = null
  sensitive   = true
}

variable "url_token_generations" {
  description = "Names of the generated tokens that are valid, oldest first (the last is the current one). null = the default of modules/container-instance."
  type        = list(string)
  default     = null
}

variable "url_token_rotation_days" {
  description = "Days between two generated rotating tokens. null = no rotation."
  type        = number
  default     = null
}

variable "health_check" {
  description = "The container's health check on /health (initial_delay_in_seconds, interval_in_seconds, timeout_in_seconds, failure_threshold). null = the defaults of modules/container-instance."
  type = object({
    initial_delay_in_seconds = optional(number)
    interval_in_seconds      = optional(number)
    timeout_in_seconds       = optional(number)
    failure_threshold        = optional(number)
  })
  default = null
}

variable "readiness_wait_seconds" {
  description = "Seconds a new instance gets to pass its health check before the gateway moves to it. null = derived from health_check."
  type        = number
  default     = null
}

variable "path_prefix" {
  description = "Path prefix of the deployment: the endpoint is https://<hostname><path_prefix>/mcp. null = the default of modules/api-gateway."
  type        = string
  default     = null
}

variable "token_transport" {
  description = "How clients send the token, which the gateway checks for: query, header or both. null = the default of modules/api-gateway."
  type        = string
  default     = null
}

variable "execution_log_enabled" {
  description = "Send the deployment's execution logs to OCI Logging. null = the default of modules/api-gateway."
  type        = bool
  default     = null
}

variable "rate_limit_requests_per_second" {
  description = "Requests per second the gateway accepts from one client IP. null = the default of modules/api-gateway."
  type        = number
  default     = null
}

variable "instance_tag" {
  description = "Defined tag that makes the container instance Galley's for the dynamic group (iam's instance_tag output). null = the container-instance module's default."
  type = object({
    namespace = optional(string)
    key       = optional(string)
    value     = optional(string)
  })
  default = null
}

variable "defined_tags" {
  description = "Further defined tags of the container instance ({\"<namespace>.<key>\" = value})."
  type        = map(string)
  default     = {}
  nullable    = false
}

# Custom domain (modules/api-gateway validates these).
variable "custom_hostname" {
  description = "Hostname clients use instead of the gateway's generated one (such as mcp.example.com); needs certificate_id or certificate_pem. null = the generated hostname."
  type        = string
  default     = null
}

variable "certificate_id" {
  description = "OCID of the custom hostname's certificate in the OCI Certificates service. Exclusive with certificate_pem."
  type        = string
  default     = null
}

variable "certificate_pem" {
  description = "PEM leaf certificate of the custom hostname (uploaded as an API Gateway certificate); needs certificate_private_key_pem."
  type        = string
  default     = null
}

variable "certificate_chain_pem" {
  description = "PEM intermediate certificates from the leaf's issuer towards the root (optional)."
  type        = string
  default     = null
}

variable "certificate_private_key_pem" {
  description = "PEM private key of certificate_pem."
  type        = string
  default     = null
  sensitive   = true
}

variable "dns_zone_id" {
  description = "OCID of an OCI DNS zone in which to create the CNAME custom_hostname -> the gateway's hostname. null = no DNS record."
  type        = string
  default     = null
}

variable "audit_log_id" {
  description = "OCID of the OCI Logging custom log the runtime ships its audit records to (modules/audit-log log_id; GALLEY_AUDIT_LOG_ID), with the instance's resource principal. null = the records go to the container's output only."
  type        = string
  default     = null

  validation {
    condition     = var.audit_log_id == null || can(regex("^ocid1\\.log\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", coalesce(var.audit_log_id, "-")))
    error_message = "audit_log_id = \"${coalesce(var.audit_log_id, "null")}\" is invalid: expected a log OCID (ocid1.log.oc1.<region>.<id>) or null."
  }
}
