variable "compartment_id" {
  description = "OCID of the compartment that holds the bucket (a compartment or the tenancy root)."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.(compartment|tenancy)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.compartment_id))
    error_message = "compartment_id = \"${var.compartment_id}\" is invalid: expected a compartment or tenancy OCID (ocid1.compartment.oc1..<id> or ocid1.tenancy.oc1..<id>)."
  }
}

variable "name_prefix" {
  description = "Prefix of the bucket name (<prefix>-<random suffix>)."
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

variable "kms_key_id" {
  description = "OCID of a Vault master encryption key for the bucket; null uses Oracle-managed keys."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_id == null || can(regex("^ocid1\\.key\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9-]+\\.[a-z0-9]+$", var.kms_key_id))
    error_message = "kms_key_id = \"${coalesce(var.kms_key_id, "null")}\" is invalid: expected a Vault key OCID (ocid1.key.oc1.<region>.<vault>.<id>) or null."
  }
}
