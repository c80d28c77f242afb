variable "compartment_id" {
  description = "OCID of the compartment that holds the log group and the log (the Galley compartment)."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.(compartment|tenancy)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.compartment_id))
    error_message = "compartment_id = \"${var.compartment_id}\" is invalid: expected a compartment or tenancy OCID (ocid1.compartment.oc1..<id> or ocid1.tenancy.oc1..<id>)."
  }
}

variable "name_prefix" {
  description = "Prefix of the display names (<name_prefix>-audit)."
  type        = string
  default     = "galley"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,29}$", var.name_prefix))
    error_message = "name_prefix = \"${var.name_prefix}\" is invalid: expected 1-30 characters: a lowercase letter, then lowercase letters, digits or '-'."
  }
}

variable "retention_days" {
  description = "Days OCI Logging keeps the audit records (30 to 180, a multiple of 30)."
  type        = number
  default     = 90
  nullable    = false

  validation {
    condition     = var.retention_days >= 30 && var.retention_days <= 180 && var.retention_days % 30 == 0
    error_message = "retention_days = ${var.retention_days} is invalid: expected 30, 60, 90, 120, 150 or 180 (OCI Logging keeps logs in 30-day steps up to 180 days)."
  }
}

variable "freeform_tags" {
  description = "Freeform tags merged over the defaults {app = \"galley\", managed-by = \"terraform\"}."
  type        = map(string)
  default     = {}
  nullable    = false
}
