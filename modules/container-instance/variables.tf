variable "compartment_id" {
  description = "OCID of the compartment that holds the container instance."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.(compartment|tenancy)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.compartment_id))
    error_message = "compartment_id = \"${var.compartment_id}\" is invalid: expected a compartment or tenancy OCID (ocid1.compartment.oc1..<id> or ocid1.tenancy.oc1..<id>)."
  }
}

variable "name_prefix" {
  description = "Prefix of display names (<prefix>-ci, <prefix>-vnic)."
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

variable "policy_id" {
  description = "OCID of the IAM policy that lets the instance pull its image and use the bucket; the instance is created after it (the value is used for nothing else). null = no ordering."
  type        = string
  default     = null

  validation {
    condition     = var.policy_id == null || can(regex("^ocid1\\.policy\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", coalesce(var.policy_id, "-")))
    error_message = "policy_id = \"${coalesce(var.policy_id, "null")}\" is invalid: expected a policy OCID (ocid1.policy.oc1..<id>) or null."
  }
}

variable "region" {
  description = "OCI region identifier (such as us-ashburn-1); names the OCIR registry of the default image URL."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region = \"${var.region}\" is invalid: expected an OCI region identifier such as us-ashburn-1 or eu-frankfurt-1."
  }
}

variable "availability_domain" {
  description = "Availability domain name (such as Uocm:US-ASHBURN-AD-1). null = the first availability domain of the region."
  type        = string
  default     = null

  validation {
    condition     = var.availability_domain == null || can(regex("^[A-Za-z0-9]+:[A-Z0-9-]+-AD-[0-9]+$", var.availability_domain))
    error_message = "availability_domain = \"${coalesce(var.availability_domain, "null")}\" is invalid: expected an availability domain name such as Uocm:US-ASHBURN-AD-1, or null."
  }
}

variable "subnet_id" {
  description = "OCID of the private subnet for the container instance's VNIC."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.subnet\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.subnet_id))
    error_message = "subnet_id = \"${var.subnet_id}\" is invalid: expected a subnet OCID (ocid1.subnet.oc1.<region>.<id>)."
  }
}

variable "nsg_ids" {
  description = "OCIDs of network security groups for the VNIC (optional; the subnet's security list already applies)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.nsg_ids : can(regex("^ocid1\\.networksecuritygroup\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", id))])
    error_message = "nsg_ids = ${jsonencode(var.nsg_ids)} is invalid: expected network security group OCIDs (ocid1.networksecuritygroup.oc1.<region>.<id>)."
  }

  validation {
    condition     = length(var.nsg_ids) <= 5
    error_message = "nsg_ids lists ${length(var.nsg_ids)} network security groups: expected at most 5 (OCI puts a VNIC in at most five)."
  }
}

variable "shape" {
  description = "Container instance shape (a flexible CI shape)."
  type        = string
  default     = "CI.Standard.E4.Flex"
  nullable    = false

  validation {
    condition     = can(regex("^CI\\.Standard\\.[A-Z][A-Z0-9]*\\.Flex$", var.shape))
    error_message = "shape = \"${var.shape}\" is invalid: expected a flexible container instance shape such as CI.Standard.E4.Flex."
  }
}

variable "ocpus" {
  description = "OCPUs of the container instance."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.ocpus >= 1 && var.ocpus <= 64 && floor(var.ocpus) == var.ocpus
    error_message = "ocpus = ${var.ocpus} is invalid: expected a whole number of OCPUs from 1 to 64."
  }
}

variable "memory_in_gbs" {
  description = "Memory of the container instance in GB (1 to 64 GB per OCPU)."
  type        = number
  default     = 2
  nullable    = false

  validation {
    condition     = var.memory_in_gbs >= 1 && var.memory_in_gbs <= 1024 && floor(var.memory_in_gbs) == var.memory_in_gbs
    error_message = "memory_in_gbs = ${var.memory_in_gbs} is invalid: expected a whole number of GB from 1 to 1024."
  }
}

variable "galley_image_url" {
  description = "Full image URL with registry and an explicit tag or digest. null = ocir.<region>.oci.oraclecloud.com/<image_namespace>/galley:<image_tag>, the OCIR host of the commercial realm (oc1) only: give the full URL in any other realm."
  type        = string
  default     = null

  validation {
    condition = var.galley_image_url == null || (
      can(regex("^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})$", coalesce(var.galley_image_url, "-")))
      && !endswith(coalesce(var.galley_image_url, "-"), ":latest")
    )
    error_message = "galley_image_url = \"${coalesce(var.galley_image_url, "null")}\" is invalid: expected <registry>/<repository>:<tag> (or @sha256:<digest>) with an explicit tag other than latest, such as ocir.us-ashburn-1.oci.oraclecloud.com/mytenancy/galley:0.1.0."
  }
}

variable "image_namespace" {
  description = "OCIR namespace of the default image URL. null = bucket_namespace (a tenancy has one namespace for Object Storage and OCIR)."
  type        = string
  default     = null

  validation {
    condition     = var.image_namespace == null || can(regex("^[a-z0-9][a-z0-9_-]*$", coalesce(var.image_namespace, "-")))
    error_message = "image_namespace = \"${coalesce(var.image_namespace, "null")}\" is invalid: expected an Object Storage namespace (lowercase letters, digits, '-', '_')."
  }
}

variable "image_repository_name" {
  description = "OCIR repository of the image: names the default image URL, and must match an OCIR galley_image_url (the IAM policy allows pulls from this repository only)."
  type        = string
  default     = "galley"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._/-]{0,254}$", var.image_repository_name))
    error_message = "image_repository_name = \"${var.image_repository_name}\" is invalid: expected 1-255 lowercase letters, digits, '.', '_', '-' or '/', starting with a letter or digit."
  }
}

variable "image_tag" {
  description = "Tag of the default image URL (always explicit: a container instance never re-pulls a moving tag)."
  type        = string
  default     = "0.1.0"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$", var.image_tag)) && var.image_tag != "latest"
    error_message = "image_tag = \"${var.image_tag}\" is invalid: expected an explicit image tag other than latest (letters, digits, '.', '_', '-'), such as 0.1.0."
  }
}

variable "image_digest" {
  description = "Digest of the image (sha256:<64 hex digits>, as docker push prints it): the default image URL then names the image by digest (<repository>@sha256:...) instead of image_tag, so a tag moved later changes nothing. null = by tag."
  type        = string
  default     = null

  validation {
    condition     = var.image_digest == null || can(regex("^sha256:[a-f0-9]{64}$", coalesce(var.image_digest, "-")))
    error_message = "image_digest = \"${coalesce(var.image_digest, "null")}\" is invalid: expected sha256: and 64 lowercase hexadecimal digits (the digest docker push prints), or null to use image_tag."
  }
}

variable "galley_port" {
  description = "TCP port Galley listens on (GALLEY_PORT, health check port)."
  type        = number
  default     = 8000
  nullable    = false

  validation {
    condition     = var.galley_port >= 1 && var.galley_port <= 65535 && floor(var.galley_port) == var.galley_port
    error_message = "galley_port = ${var.galley_port} is invalid: expected a whole number from 1 to 65535."
  }
}

variable "galley_data_dir" {
  description = "Data directory inside the container (GALLEY_DATA_DIR)."
  type        = string
  default     = "/var/lib/galley"
  nullable    = false

  validation {
    condition     = startswith(var.galley_data_dir, "/")
    error_message = "galley_data_dir = \"${var.galley_data_dir}\" is invalid: expected an absolute path such as /var/lib/galley."
  }
}

variable "url_token_generations" {
  description = "Names of the generated tokens that are valid, oldest first (the last is the current one). Add a name to issue a new token beside the old; remove a name to retire its token. Ignored when url_token is set."
  type        = list(string)
  default     = ["1"]
  nullable    = false

  validation {
    condition     = length(var.url_token_generations) <= 5
    error_message = "url_token_generations = ${jsonencode(var.url_token_generations)} is invalid: expected at most 5 generation names (the tokens valid at once)."
  }
  validation {
    condition     = alltrue([for name in var.url_token_generations : can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$", name))])
    error_message = "url_token_generations = ${jsonencode(var.url_token_generations)} is invalid: expected names of 1-32 letters, digits, '.', '_' or '-' (such as \"1\" or \"2026-12\")."
  }
  validation {
    condition     = length(distinct(var.url_token_generations)) == length(var.url_token_generations)
    error_message = "url_token_generations = ${jsonencode(var.url_token_generations)} names a generation twice: expected distinct names."
  }
}

variable "url_token_rotation_days" {
  description = "Days between two generated rotating tokens (auto-<period start date>). Each lives two periods, so the previous one stays valid for a period after the next appears; a new one is made at the first apply of its period. null = no rotation."
  type        = number
  default     = null

  validation {
    condition     = var.url_token_rotation_days == null || try(var.url_token_rotation_days >= 1 && var.url_token_rotation_days <= 365 && floor(var.url_token_rotation_days) == var.url_token_rotation_days, false)
    error_message = "url_token_rotation_days = ${coalesce(var.url_token_rotation_days, -1)} is invalid: expected whole days from 1 to 365, or null for no rotation."
  }
}

variable "url_token_rotation_start" {
  description = "Start of the first rotation period (RFC 3339, such as 2027-01-01T00:00:00Z). null = the time of the first apply with a rotation schedule."
  type        = string
  default     = null

  validation {
    condition     = var.url_token_rotation_start == null || can(formatdate("YYYY", coalesce(var.url_token_rotation_start, "-")))
    error_message = "url_token_rotation_start = \"${coalesce(var.url_token_rotation_start, "null")}\" is invalid: expected an RFC 3339 timestamp such as 2027-01-01T00:00:00Z, or null."
  }
}

variable "readiness_wait_seconds" {
  description = "Seconds a new instance gets to pass its health check before the gateway moves to it (rollouts). null = initial delay + 2 intervals + timeout of health_check."
  type        = number
  default     = null

  validation {
    condition     = var.readiness_wait_seconds == null || try(var.readiness_wait_seconds >= 1 && var.readiness_wait_seconds <= 1800, false)
    error_message = "readiness_wait_seconds = ${coalesce(var.readiness_wait_seconds, -1)} is invalid: expected 1 to 1800 seconds, or null to derive it from health_check."
  }
}

variable "url_token" {
  description = "A token of your own instead of the generated ones; the instance gets only its SHA-256 (GALLEY_URL_TOKEN_SHA256). null = one generated 32-character alphanumeric token per url_token_generations name."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.url_token == null || can(regex("^[A-Za-z0-9._~-]{16,256}$", coalesce(var.url_token, "-")))
    error_message = "url_token is invalid: expected 16-256 URL-safe characters (letters, digits, '.', '_', '~', '-'), or null to generate one."
  }
}

variable "bucket_name" {
  description = "Name of the Galley bucket (GALLEY_BUCKET_NAME)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,256}$", var.bucket_name))
    error_message = "bucket_name = \"${var.bucket_name}\" is invalid: expected 1-256 letters, digits, '.', '_' or '-'."
  }
}

variable "bucket_namespace" {
  description = "Object Storage namespace of the bucket (GALLEY_BUCKET_NAMESPACE)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_-]*$", var.bucket_namespace))
    error_message = "bucket_namespace = \"${var.bucket_namespace}\" is invalid: expected an Object Storage namespace (lowercase letters, digits, '-', '_')."
  }
}

variable "environment_variables" {
  description = "Extra environment variables for the container. The GALLEY_* variables set by this module take precedence."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "health_check" {
  description = "HTTP health check of the container on /health; the container is killed and restarted after failure_threshold failures."
  type = object({
    initial_delay_in_seconds = optional(number, 10)
    interval_in_seconds      = optional(number, 10)
    timeout_in_seconds       = optional(number, 5)
    failure_threshold        = optional(number, 3)
  })
  default  = {}
  nullable = false
}

variable "instance_tag" {
  description = "Defined tag (<namespace>.<key> = value) that makes this instance Galley's for the dynamic group, whose matching rule requires it (iam's instance_tag and dynamic_group_matching_rule: pass iam's output). The namespace and key must exist."
  type = object({
    namespace = optional(string, "galley")
    key       = optional(string, "role")
    value     = optional(string, "galley-instance")
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,100}$", var.instance_tag.namespace)) && can(regex("^[A-Za-z0-9_-]{1,100}$", var.instance_tag.key))
    error_message = "instance_tag = ${jsonencode(var.instance_tag)} is invalid: expected a namespace and a key of 1-100 letters, digits, '_' or '-' (OCI allows no '.' or space in them)."
  }
  validation {
    condition     = can(regex("^[A-Za-z0-9_.:@/+-]{1,256}$", var.instance_tag.value))
    error_message = "instance_tag = ${jsonencode(var.instance_tag)} is invalid: expected a value of 1-256 letters, digits or '_', '.', ':', '@', '/', '+', '-' (it is quoted in the matching rule)."
  }
}

variable "defined_tags" {
  description = "Further defined tags of the instance ({\"<namespace>.<key>\" = value}; their namespaces and keys must exist). instance_tag is added over them."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.defined_tags) : can(regex("^[^.\\s]{1,100}\\.[^.\\s]{1,100}$", k))])
    error_message = "defined_tags = ${jsonencode(var.defined_tags)} is invalid: expected keys of the form <namespace>.<key> (neither holds '.' or a space)."
  }
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
