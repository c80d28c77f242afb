variable "compartment_id" {
  description = "OCID of the Galley compartment: the bucket, the container instance and the OCIR repository (by default) live here."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.(compartment|tenancy)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.compartment_id))
    error_message = "compartment_id = \"${var.compartment_id}\" is invalid: expected a compartment or tenancy OCID (ocid1.compartment.oc1..<id> or ocid1.tenancy.oc1..<id>)."
  }
}

variable "name_prefix" {
  description = "Prefix of the policy name (<prefix>-policy), which is unique in the tenancy: two deployments in one tenancy need different prefixes."
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

variable "tenancy_id" {
  description = "OCID of the tenancy. Used as the policy compartment when the policy names several compartments and policy_compartment_id is null."
  type        = string
  default     = null

  validation {
    condition     = var.tenancy_id == null || can(regex("^ocid1\\.tenancy\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.tenancy_id))
    error_message = "tenancy_id = \"${coalesce(var.tenancy_id, "null")}\" is invalid: expected a tenancy OCID (ocid1.tenancy.oc1..<id>) or null."
  }
}

variable "dynamic_group_id" {
  description = "OCID of the existing dynamic group that matches the Galley container instance (see README for its matching rule)."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.dynamicgroup\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.dynamic_group_id))
    error_message = "dynamic_group_id = \"${var.dynamic_group_id}\" is invalid: expected a dynamic group OCID (ocid1.dynamicgroup.oc1..<id>)."
  }
}

variable "bucket_name" {
  description = "Name of the Galley bucket: the only bucket whose objects Galley may read and write."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,256}$", var.bucket_name))
    error_message = "bucket_name = \"${var.bucket_name}\" is invalid: expected 1-256 letters, digits, '.', '_' or '-'."
  }
}

variable "galley_work_compartment_id" {
  description = "OCID of the compartment where Galley manages Resource Manager stacks and jobs, networking and instances. null = compartment_id."
  type        = string
  default     = null

  validation {
    condition     = var.galley_work_compartment_id == null || can(regex("^ocid1\\.(compartment|tenancy)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.galley_work_compartment_id))
    error_message = "galley_work_compartment_id = \"${coalesce(var.galley_work_compartment_id, "null")}\" is invalid: expected a compartment or tenancy OCID (ocid1.compartment.oc1..<id>) or null."
  }
}

variable "policy_compartment_id" {
  description = "OCID of the compartment that holds the policy; it must be, or contain, every compartment the statements name. null = compartment_id when only that compartment is named, else tenancy_id."
  type        = string
  default     = null

  validation {
    condition     = var.policy_compartment_id == null || can(regex("^ocid1\\.(compartment|tenancy)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.policy_compartment_id))
    error_message = "policy_compartment_id = \"${coalesce(var.policy_compartment_id, "null")}\" is invalid: expected a compartment or tenancy OCID (ocid1.compartment.oc1..<id>) or null."
  }
}

variable "image_repository_name" {
  description = "Name of the OCIR repository holding the Galley image (the only repository Galley may pull from)."
  type        = string
  default     = "galley"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._/-]{0,254}$", var.image_repository_name))
    error_message = "image_repository_name = \"${var.image_repository_name}\" is invalid: expected 1-255 lowercase letters, digits, '.', '_', '-' or '/', starting with a letter or digit."
  }
}

variable "image_repository_compartment_id" {
  description = "OCID of the compartment that holds the OCIR repository (a push to a missing repository creates it in the root compartment). null = compartment_id."
  type        = string
  default     = null

  validation {
    condition     = var.image_repository_compartment_id == null || can(regex("^ocid1\\.(compartment|tenancy)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.image_repository_compartment_id))
    error_message = "image_repository_compartment_id = \"${coalesce(var.image_repository_compartment_id, "null")}\" is invalid: expected a compartment or tenancy OCID (ocid1.compartment.oc1..<id>) or null."
  }
}

variable "region" {
  description = "Region of the Galley bucket: names the Object Storage service principal (objectstorage-<region>) that the service policy grants lifecycle and key rights to."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region = \"${var.region}\" is invalid: expected an OCI region identifier such as us-ashburn-1 or eu-frankfurt-1."
  }
}

variable "kms_key_id" {
  description = "OCID of the Vault key that encrypts the Galley bucket (object-storage's kms_key_id). Set: the service policy lets Object Storage use that key, as OCI requires before it creates the bucket. null = Oracle-managed keys."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_id == null || can(regex("^ocid1\\.key\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9-]+\\.[a-z0-9]+$", coalesce(var.kms_key_id, "-")))
    error_message = "kms_key_id = \"${coalesce(var.kms_key_id, "null")}\" is invalid: expected a Vault key OCID (ocid1.key.oc1.<region>.<vault>.<id>) or null."
  }
}

variable "kms_key_compartment_id" {
  description = "OCID of the compartment that holds kms_key_id. null = compartment_id."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_compartment_id == null || can(regex("^ocid1\\.(compartment|tenancy)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.kms_key_compartment_id))
    error_message = "kms_key_compartment_id = \"${coalesce(var.kms_key_compartment_id, "null")}\" is invalid: expected a compartment or tenancy OCID (ocid1.compartment.oc1..<id>) or null."
  }
}

variable "propagation_wait_seconds" {
  description = "Seconds to wait after the policies are written or changed before their ids are output (and so before the bucket, its lifecycle policy and the container instance use them): IAM changes take a while to reach every region."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.propagation_wait_seconds >= 0 && var.propagation_wait_seconds <= 1800 && floor(var.propagation_wait_seconds) == var.propagation_wait_seconds
    error_message = "propagation_wait_seconds = ${var.propagation_wait_seconds} is invalid: expected whole seconds from 0 to 1800."
  }
}

variable "instance_tag" {
  description = "Defined tag (<namespace>.<key> = value) that marks Galley's own container instance. The dynamic group's matching rule (output dynamic_group_matching_rule) requires it, so another container instance in the compartment gets none of Galley's rights; whoever may set it (use tag-namespaces on the namespace) can. The namespace and key must exist before the instance is created: create_tag_namespace, or README step 2."
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

variable "create_tag_namespace" {
  description = "Create instance_tag's tag namespace and key (in tag_namespace_compartment_id). false = they exist already (README step 2). Needs `manage tag-namespaces` where they go; a tag namespace name is unique in the tenancy."
  type        = bool
  default     = false
  nullable    = false
}

variable "tag_namespace_compartment_id" {
  description = "OCID of the compartment for the tag namespace when create_tag_namespace is true. null = tenancy_id, else compartment_id. Whoever has `use tag-namespaces` (or manage all-resources) there may tag an instance as Galley's: prefer the tenancy root, or a compartment only administrators manage."
  type        = string
  default     = null

  validation {
    condition     = var.tag_namespace_compartment_id == null || can(regex("^ocid1\\.(compartment|tenancy)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", coalesce(var.tag_namespace_compartment_id, "-")))
    error_message = "tag_namespace_compartment_id = \"${coalesce(var.tag_namespace_compartment_id, "null")}\" is invalid: expected a compartment or tenancy OCID (ocid1.compartment.oc1..<id> or ocid1.tenancy.oc1..<id>) or null."
  }
}

variable "audit_log" {
  description = "Galley's audit log (modules/audit-log): { log_group_id = its log group's OCID }. The policy lets Galley write log content in that log group and nowhere else. An object, not a bare OCID, so that whether the statement exists is known at plan while the group is still to be created. null = no audit log, no statement."
  type = object({
    log_group_id = string
  })
  default = null

  validation {
    condition     = var.audit_log == null || can(regex("^ocid1\\.loggroup\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", try(var.audit_log.log_group_id, "-")))
    error_message = "audit_log.log_group_id = \"${try(var.audit_log.log_group_id, "null")}\" is invalid: expected a log group OCID (ocid1.loggroup.oc1.<region>.<id>)."
  }
}
