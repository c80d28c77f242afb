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

variable "versioning" {
  description = "Object versioning of the bucket: Enabled (overwritten and deleted objects stay as previous versions), Disabled, or Suspended (an Enabled bucket can only be suspended, never disabled). Retention rules need Disabled (a new bucket) or Suspended (an existing one)."
  type        = string
  default     = "Enabled"
  nullable    = false

  validation {
    condition     = contains(["Enabled", "Disabled", "Suspended"], var.versioning)
    error_message = "versioning = \"${var.versioning}\" is invalid: expected Enabled, Disabled or Suspended."
  }
}

variable "retention_rules" {
  description = "Retention rules of the bucket: while one keeps an object (time_amount time_unit from its last change; indefinitely without time_amount), nobody can delete or overwrite it, Galley included. time_rule_locked (RFC 3339, at least 14 days ahead when set) locks the rule from then on: it can then only grow, and goes only with the bucket. Needs versioning = \"Disabled\" or \"Suspended\"."
  type = list(object({
    display_name     = string
    time_amount      = optional(number)
    time_unit        = optional(string, "DAYS")
    time_rule_locked = optional(string)
  }))
  default  = []
  nullable = false

  validation {
    condition     = alltrue([for r in var.retention_rules : can(regex("^[A-Za-z0-9._-]{1,256}$", r.display_name))])
    error_message = "retention_rules display_name values ${jsonencode([for r in var.retention_rules : r.display_name])} are invalid: expected 1-256 letters, digits, '.', '_' or '-' each."
  }
  validation {
    condition     = length(distinct([for r in var.retention_rules : r.display_name])) == length(var.retention_rules)
    error_message = "retention_rules display_name values ${jsonencode([for r in var.retention_rules : r.display_name])} repeat a name: expected one rule per name."
  }
  validation {
    condition     = alltrue([for r in var.retention_rules : contains(["DAYS", "YEARS"], coalesce(r.time_unit, "DAYS"))])
    error_message = "retention_rules time_unit values ${jsonencode([for r in var.retention_rules : r.time_unit])} are invalid: expected DAYS or YEARS (upper case, as OCI's API has them)."
  }
  validation {
    condition     = alltrue([for r in var.retention_rules : r.time_amount == null || try(r.time_amount >= 1 && floor(r.time_amount) == r.time_amount, false)])
    error_message = "retention_rules time_amount values ${jsonencode([for r in var.retention_rules : r.time_amount])} are invalid: expected whole numbers of at least 1, or null for a rule that keeps objects indefinitely."
  }
  validation {
    condition     = alltrue([for r in var.retention_rules : r.time_rule_locked == null || r.time_amount != null])
    error_message = "retention_rules ${jsonencode([for r in var.retention_rules : r.display_name if r.time_rule_locked != null && r.time_amount == null])} set time_rule_locked without time_amount: OCI locks only rules with a duration (\"The retention rule cannot have timeRuleLocked unless a duration is present.\")."
  }
  validation {
    condition     = alltrue([for r in var.retention_rules : r.time_rule_locked == null || can(timeadd(r.time_rule_locked, "0s"))])
    error_message = "retention_rules time_rule_locked values ${jsonencode([for r in var.retention_rules : r.time_rule_locked])} are invalid: expected RFC 3339 times such as 2027-01-31T00:00:00Z."
  }
}
