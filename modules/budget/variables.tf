variable "tenancy_id" {
  description = "OCID of the tenancy: the budget lives in its root compartment (OCI: managing budgets takes rights in the root compartment)."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.tenancy\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.tenancy_id))
    error_message = "tenancy_id = \"${var.tenancy_id}\" is invalid: expected a tenancy OCID (ocid1.tenancy.oc1..<id>): budgets live in the tenancy's root compartment."
  }
}

variable "compartment_id" {
  description = "OCID of the compartment whose spending the budget tracks (the Galley compartment; its child compartments count too)."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.(compartment|tenancy)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.compartment_id))
    error_message = "compartment_id = \"${var.compartment_id}\" is invalid: expected a compartment or tenancy OCID (ocid1.compartment.oc1..<id> or ocid1.tenancy.oc1..<id>)."
  }
}

variable "amount" {
  description = "Monthly budget, a whole number in the currency of the tenancy's rate card (OCI accepts whole numbers only)."
  type        = number
  nullable    = false

  validation {
    condition     = var.amount >= 1 && floor(var.amount) == var.amount
    error_message = "amount = ${var.amount} is invalid: expected a whole number of at least 1 (in the rate card's currency)."
  }
}

variable "alert_recipients" {
  description = "Email addresses the alerts go to. [] = alert rules without recipients (they show in the console only)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for r in var.alert_recipients : can(regex("^[^@\\s,;]+@[^@\\s,;]+\\.[^@\\s,;]+$", r))])
    error_message = "alert_recipients entries ${jsonencode([for r in var.alert_recipients : r if !can(regex("^[^@\\s,;]+@[^@\\s,;]+\\.[^@\\s,;]+$", r))])} are invalid: expected email addresses such as ops@example.com, one per entry."
  }
}

variable "actual_threshold_percent" {
  description = "Alert when the month's actual spending reaches this percentage of amount."
  type        = number
  default     = 80
  nullable    = false

  validation {
    condition     = var.actual_threshold_percent > 0 && var.actual_threshold_percent <= 10000 && can(regex("^[0-9]+(\\.[0-9]{1,2})?$", tostring(var.actual_threshold_percent)))
    error_message = "actual_threshold_percent = ${var.actual_threshold_percent} is invalid: expected a percentage above 0 and at most 10000, with at most two decimals (OCI's bounds)."
  }
}

variable "forecast_threshold_percent" {
  description = "Alert when the month's forecast spending reaches this percentage of amount."
  type        = number
  default     = 100
  nullable    = false

  validation {
    condition     = var.forecast_threshold_percent > 0 && var.forecast_threshold_percent <= 10000 && can(regex("^[0-9]+(\\.[0-9]{1,2})?$", tostring(var.forecast_threshold_percent)))
    error_message = "forecast_threshold_percent = ${var.forecast_threshold_percent} is invalid: expected a percentage above 0 and at most 10000, with at most two decimals (OCI's bounds)."
  }
}

variable "name_prefix" {
  description = "Prefix of the budget's and the alert rules' display names."
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
