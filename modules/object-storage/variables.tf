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

variable "bucket_name" {
  description = "Name of the bucket, unique in the tenancy's namespace. null = <name_prefix>-<8 random characters>."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[A-Za-z0-9._-]{1,256}$", coalesce(var.bucket_name, "-")))
    error_message = "bucket_name = \"${coalesce(var.bucket_name, "null")}\" is invalid: expected 1-256 letters, digits, '.', '_' or '-', or null for a generated name."
  }
}

variable "previous_version_retention_days" {
  description = "Days a previous (overwritten or deleted) object version is kept before the lifecycle policy deletes it."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.previous_version_retention_days >= 1 && var.previous_version_retention_days <= 36500 && floor(var.previous_version_retention_days) == var.previous_version_retention_days
    error_message = "previous_version_retention_days = ${var.previous_version_retention_days} is invalid: expected a whole number of days from 1 to 36500."
  }
}

variable "service_policy_id" {
  description = "OCID of the policy that lets the Object Storage service act on the bucket (modules/iam output service_policy_id); the bucket and its lifecycle policy are created after it (the value is used for nothing else). null = no ordering, and a warning."
  type        = string
  default     = null

  validation {
    condition     = var.service_policy_id == null || can(regex("^ocid1\\.policy\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", coalesce(var.service_policy_id, "-")))
    error_message = "service_policy_id = \"${coalesce(var.service_policy_id, "null")}\" is invalid: expected a policy OCID (ocid1.policy.oc1..<id>) or null."
  }
}
