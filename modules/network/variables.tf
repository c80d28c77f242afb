variable "compartment_id" {
  description = "OCID of the compartment that holds the network (a compartment or the tenancy root)."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.(compartment|tenancy)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.compartment_id))
    error_message = "compartment_id = \"${var.compartment_id}\" is invalid: expected a compartment or tenancy OCID (ocid1.compartment.oc1..<id> or ocid1.tenancy.oc1..<id>)."
  }
}

variable "name_prefix" {
  description = "Prefix of every display name (<prefix>-vcn, <prefix>-public, ...)."
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

variable "vcn_cidr" {
  description = "IPv4 CIDR block of the VCN."
  type        = string
  default     = "10.0.0.0/16"
  nullable    = false

  validation {
    condition = (
      can(cidrhost(var.vcn_cidr, 0)) && can(regex("^[0-9.]+/[0-9]+$", var.vcn_cidr))
      && try(cidrhost(var.vcn_cidr, 0) == split("/", var.vcn_cidr)[0], false)
      && try(tonumber(split("/", var.vcn_cidr)[1]) >= 16 && tonumber(split("/", var.vcn_cidr)[1]) <= 30, false)
    )
    error_message = "vcn_cidr = \"${var.vcn_cidr}\" is invalid: expected an IPv4 network address with a prefix from /16 to /30, such as 10.0.0.0/16 (no host bits set)."
  }
}

variable "public_subnet_cidr" {
  description = "IPv4 CIDR block of the regional public subnet (API Gateway); must lie inside vcn_cidr."
  type        = string
  default     = "10.0.1.0/24"
  nullable    = false

  validation {
    condition = (
      can(cidrhost(var.public_subnet_cidr, 0)) && can(regex("^[0-9.]+/[0-9]+$", var.public_subnet_cidr))
      && try(cidrhost(var.public_subnet_cidr, 0) == split("/", var.public_subnet_cidr)[0], false)
      && try(tonumber(split("/", var.public_subnet_cidr)[1]) >= 16 && tonumber(split("/", var.public_subnet_cidr)[1]) <= 30, false)
    )
    error_message = "public_subnet_cidr = \"${var.public_subnet_cidr}\" is invalid: expected an IPv4 network address with a prefix from /16 to /30, such as 10.0.1.0/24 (no host bits set)."
  }
}

variable "private_subnet_cidr" {
  description = "IPv4 CIDR block of the regional private subnet (Container Instance); must lie inside vcn_cidr."
  type        = string
  default     = "10.0.2.0/24"
  nullable    = false

  validation {
    condition = (
      can(cidrhost(var.private_subnet_cidr, 0)) && can(regex("^[0-9.]+/[0-9]+$", var.private_subnet_cidr))
      && try(cidrhost(var.private_subnet_cidr, 0) == split("/", var.private_subnet_cidr)[0], false)
      && try(tonumber(split("/", var.private_subnet_cidr)[1]) >= 16 && tonumber(split("/", var.private_subnet_cidr)[1]) <= 30, false)
    )
    error_message = "private_subnet_cidr = \"${var.private_subnet_cidr}\" is invalid: expected an IPv4 network address with a prefix from /16 to /30, such as 10.0.2.0/24 (no host bits set)."
  }
}

variable "galley_port" {
  description = "TCP port Galley listens on in the private subnet (the gateway's backend port)."
  type        = number
  default     = 8000
  nullable    = false

  validation {
    condition     = var.galley_port >= 1 && var.galley_port <= 65535 && floor(var.galley_port) == var.galley_port
    error_message = "galley_port = ${var.galley_port} is invalid: expected a whole number from 1 to 65535."
  }
}

variable "https_port" {
  description = "TCP port the public API Gateway accepts from the internet."
  type        = number
  default     = 443
  nullable    = false

  validation {
    condition     = var.https_port >= 1 && var.https_port <= 65535 && floor(var.https_port) == var.https_port
    error_message = "https_port = ${var.https_port} is invalid: expected a whole number from 1 to 65535."
  }
}

variable "allowed_ingress_cidrs" {
  description = "IPv4 CIDR blocks of the clients that may reach the API Gateway on https_port (one ingress rule each, in sorted order; duplicates count once). [\"0.0.0.0/0\"] = anyone."
  type        = list(string)
  default     = ["0.0.0.0/0"]
  nullable    = false

  validation {
    condition     = length(var.allowed_ingress_cidrs) > 0
    error_message = "allowed_ingress_cidrs = [] is invalid: expected at least one IPv4 CIDR block of clients allowed to reach the gateway, such as [\"203.0.113.0/24\"] (the default [\"0.0.0.0/0\"] allows every client)."
  }

  validation {
    condition = alltrue([
      for cidr in var.allowed_ingress_cidrs : (
        can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", cidr))
        && try(cidrhost(cidr, 0) == split("/", cidr)[0], false)
      )
    ])
    error_message = "allowed_ingress_cidrs entries ${jsonencode([for cidr in var.allowed_ingress_cidrs : cidr if !(can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$", cidr)) && try(cidrhost(cidr, 0) == split("/", cidr)[0], false))])} are invalid: expected IPv4 network addresses with a prefix from /0 to /32, such as 203.0.113.0/24 or 198.51.100.7/32 (no host bits set)."
  }

  validation {
    condition     = length(distinct(var.allowed_ingress_cidrs)) <= 199
    error_message = "allowed_ingress_cidrs has ${length(distinct(var.allowed_ingress_cidrs))} distinct entries: expected at most 199 (a security list holds at most 200 ingress rules, and one lets ICMP fragmentation-needed in)."
  }
}
