variable "compartment_id" {
  description = "OCID of the compartment that holds the gateway and the container instance (their metrics are emitted there); the alarms and the topic are created in it too."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.(compartment|tenancy)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.compartment_id))
    error_message = "compartment_id = \"${var.compartment_id}\" is invalid: expected a compartment or tenancy OCID (ocid1.compartment.oc1..<id> or ocid1.tenancy.oc1..<id>)."
  }
}

variable "gateway_id" {
  description = "OCID of the API gateway: the resourceId dimension of the gateway 5xx, backend 5xx and latency alarms."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.apigateway\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.gateway_id))
    error_message = "gateway_id = \"${var.gateway_id}\" is invalid: expected an API gateway OCID (ocid1.apigateway.oc1.<region>.<id>)."
  }
}

variable "deployment_id" {
  description = "OCID of the API deployment: narrows the gateway alarms to it (deploymentId dimension). null = every deployment of the gateway."
  type        = string
  default     = null

  validation {
    condition     = var.deployment_id == null || can(regex("^ocid1\\.apideployment\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.deployment_id))
    error_message = "deployment_id = \"${coalesce(var.deployment_id, "null")}\" is invalid: expected an API deployment OCID (ocid1.apideployment.oc1.<region>.<id>) or null."
  }
}

variable "container_instance_id" {
  description = "OCID of the container instance: the resourceId dimension of the not-running and memory alarms."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.computecontainerinstance\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.container_instance_id))
    error_message = "container_instance_id = \"${var.container_instance_id}\" is invalid: expected a container instance OCID (ocid1.computecontainerinstance.oc1.<region>.<id>)."
  }
}

variable "notification_emails" {
  description = "Email addresses subscribed to the alarms' topic (each confirms by the link OCI mails). [] = no subscriptions."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for e in var.notification_emails : can(regex("^[^@\\s,;]+@[^@\\s,;]+\\.[^@\\s,;]+$", e))])
    error_message = "notification_emails entries ${jsonencode([for e in var.notification_emails : e if !can(regex("^[^@\\s,;]+@[^@\\s,;]+\\.[^@\\s,;]+$", e))])} are invalid: expected email addresses such as ops@example.com, one per entry."
  }
}

variable "topic_id" {
  description = "OCID of an existing Notifications topic the alarms send to. null = the module creates one (<name_prefix>-alarms)."
  type        = string
  default     = null

  validation {
    condition     = var.topic_id == null || can(regex("^ocid1\\.onstopic\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.topic_id))
    error_message = "topic_id = \"${coalesce(var.topic_id, "null")}\" is invalid: expected a Notifications topic OCID (ocid1.onstopic.oc1.<region>.<id>) or null."
  }
}

variable "enabled_alarms" {
  description = "Which alarms to create: gateway_5xx, backend_5xx, gateway_latency, instance_not_running, memory."
  type        = set(string)
  default     = ["gateway_5xx", "backend_5xx", "gateway_latency", "instance_not_running", "memory"]
  nullable    = false

  validation {
    condition     = length(setsubtract(var.enabled_alarms, ["gateway_5xx", "backend_5xx", "gateway_latency", "instance_not_running", "memory"])) == 0
    error_message = "enabled_alarms entries ${jsonencode(setsubtract(var.enabled_alarms, ["gateway_5xx", "backend_5xx", "gateway_latency", "instance_not_running", "memory"]))} are invalid: expected gateway_5xx, backend_5xx, gateway_latency, instance_not_running or memory."
  }
}

variable "gateway_5xx_threshold" {
  description = "Fire when the gateway sends more than this many 5xx responses in 5 minutes (HttpResponses, httpStatusCategory 5xx)."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.gateway_5xx_threshold >= 0 && floor(var.gateway_5xx_threshold) == var.gateway_5xx_threshold
    error_message = "gateway_5xx_threshold = ${var.gateway_5xx_threshold} is invalid: expected a whole number of responses, 0 or more."
  }
}

variable "backend_5xx_threshold" {
  description = "Fire when Galley (the back end) returns more than this many 5xx responses in 5 minutes (BackendHttpResponses, backendHttpStatusCategory 5xx)."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.backend_5xx_threshold >= 0 && floor(var.backend_5xx_threshold) == var.backend_5xx_threshold
    error_message = "backend_5xx_threshold = ${var.backend_5xx_threshold} is invalid: expected a whole number of responses, 0 or more."
  }
}

variable "latency_threshold_seconds" {
  description = "Fire when the 95th percentile of the gateway's latency (Latency, in seconds) over 5 minutes is above this."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.latency_threshold_seconds > 0
    error_message = "latency_threshold_seconds = ${var.latency_threshold_seconds} is invalid: expected a number of seconds above 0."
  }
}

variable "memory_threshold_percent" {
  description = "Fire when the container instance's memory use (MemoryUtilization, percent) over 5 minutes peaks above this."
  type        = number
  default     = 90
  nullable    = false

  validation {
    condition     = var.memory_threshold_percent > 0 && var.memory_threshold_percent < 100
    error_message = "memory_threshold_percent = ${var.memory_threshold_percent} is invalid: expected a percentage above 0 and below 100."
  }
}

variable "pending_duration" {
  description = "How long a threshold must stay breached before an alarm fires (ISO 8601, PT1M to PT1H: OCI's bounds)."
  type        = string
  default     = "PT5M"
  nullable    = false

  validation {
    condition     = can(regex("^PT([1-9]|[1-5][0-9]|60)M$|^PT1H$", var.pending_duration))
    error_message = "pending_duration = \"${var.pending_duration}\" is invalid: expected PT<n>M with n from 1 to 60, or PT1H (OCI accepts PT1M to PT1H)."
  }
}

variable "severity" {
  description = "Severity of the alarms (CRITICAL, ERROR, WARNING or INFO)."
  type        = string
  default     = "CRITICAL"
  nullable    = false

  validation {
    condition     = contains(["CRITICAL", "ERROR", "WARNING", "INFO"], var.severity)
    error_message = "severity = \"${var.severity}\" is invalid: expected CRITICAL, ERROR, WARNING or INFO."
  }
}

variable "name_prefix" {
  description = "Prefix of the alarms' display names and of the topic's name (<prefix>-alarms, unique in the tenancy)."
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
