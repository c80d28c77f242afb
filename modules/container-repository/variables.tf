variable "compartment_id" {
  description = "OCID of the compartment that holds the repository: the one the iam module's pull right names (its image_repository_compartment_id, else its compartment_id)."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.(compartment|tenancy)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.compartment_id))
    error_message = "compartment_id = \"${var.compartment_id}\" is invalid: expected a compartment or tenancy OCID (ocid1.compartment.oc1..<id> or ocid1.tenancy.oc1..<id>)."
  }
}

variable "name_prefix" {
  description = "Name of the repository when repository_name is null (so the default repository is galley, the name the other modules pull from)."
  type        = string
  default     = "galley"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,29}$", var.name_prefix))
    error_message = "name_prefix = \"${var.name_prefix}\" is invalid: expected 1-30 characters: a lowercase letter, then lowercase letters, digits or '-'."
  }
}

variable "repository_name" {
  description = "Name of the OCIR repository (the image path after <registry>/<namespace>/), unique in the tenancy's registry of the region; iam's and container-instance's image_repository_name must be the same. null = name_prefix."
  type        = string
  default     = null

  # The image name grammar of the OCI distribution spec (lowercase components separated by '.',
  # '_', '__' or dashes, joined by '/'), which a docker push of <registry>/<namespace>/<name>
  # needs; 255 characters at most.
  validation {
    condition = var.repository_name == null || (
      can(regex("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$", coalesce(var.repository_name, "-")))
      && length(coalesce(var.repository_name, "-")) <= 255
    )
    error_message = "repository_name = \"${coalesce(var.repository_name, "null")}\" is invalid: expected 1-255 characters: lowercase letters and digits, separated by '.', '_', '__' or dashes, in components joined by '/' (such as galley or team/galley), or null."
  }
}

variable "is_immutable" {
  description = "Make the repository immutable: OCI then refuses a push that would overwrite an image (a tag keeps naming the image first pushed with it). Can be changed in place."
  type        = bool
  default     = false
  nullable    = false
}

variable "freeform_tags" {
  description = "Freeform tags merged over the defaults {app = \"galley\", managed-by = \"terraform\"}."
  type        = map(string)
  default     = {}
  nullable    = false
}
