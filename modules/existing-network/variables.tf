variable "compartment_id" {
  description = "OCID of the compartment of Galley's two network security groups (a compartment or the tenancy root); the VCN may be in another."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.(compartment|tenancy)\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.compartment_id))
    error_message = "compartment_id = \"${var.compartment_id}\" is invalid: expected a compartment or tenancy OCID (ocid1.compartment.oc1..<id> or ocid1.tenancy.oc1..<id>)."
  }
}

variable "name_prefix" {
  description = "Prefix of every display name (<prefix>-gateway-nsg, <prefix>-instance-nsg)."
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

variable "vcn_id" {
  description = "OCID of the existing VCN; it and its subnets are only read, never changed."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.vcn\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.vcn_id))
    error_message = "vcn_id = \"${var.vcn_id}\" is invalid: expected the OCID of an existing VCN (ocid1.vcn.oc1.<region>.<id>)."
  }
}

variable "public_subnet_id" {
  description = "OCID of the existing subnet of the API Gateway: regional (API Gateway requires it), public (public IPs allowed), in vcn_id, routed to an internet gateway."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.subnet\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.public_subnet_id))
    error_message = "public_subnet_id = \"${var.public_subnet_id}\" is invalid: expected the OCID of an existing subnet (ocid1.subnet.oc1.<region>.<id>)."
  }
}

variable "private_subnet_id" {
  description = "OCID of the existing subnet of the container instance: private (no public IPs), in vcn_id, routed to a NAT gateway and a service gateway; not public_subnet_id."
  type        = string

  validation {
    condition     = can(regex("^ocid1\\.subnet\\.oc[0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$", var.private_subnet_id))
    error_message = "private_subnet_id = \"${var.private_subnet_id}\" is invalid: expected the OCID of an existing subnet (ocid1.subnet.oc1.<region>.<id>)."
  }
}

variable "galley_port" {
  description = "TCP port Galley listens on (the gateway's backend port)."
  type        = number
  default     = 8000
  nullable    = false

  validation {
    condition     = var.galley_port >= 1 && var.galley_port <= 65535 && floor(var.galley_port) == var.galley_port
    error_message = "galley_port = ${var.galley_port} is invalid: expected a whole number from 1 to 65535."
  }
}

variable "https_port" {
  description = "TCP port the public API Gateway accepts from clients."
  type        = number
  default     = 443
  nullable    = false

  validation {
    condition     = var.https_port >= 1 && var.https_port <= 65535 && floor(var.https_port) == var.https_port
    error_message = "https_port = ${var.https_port} is invalid: expected a whole number from 1 to 65535."
  }
}

variable "allowed_ingress_cidrs" {
  description = "IPv4 CIDR blocks of the clients that may reach the API Gateway on https_port (one rule each in the gateway's NSG; duplicates count once). [\"0.0.0.0/0\"] = anyone."
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
    condition     = length(distinct(var.allowed_ingress_cidrs)) <= 118
    error_message = "allowed_ingress_cidrs has ${length(distinct(var.allowed_ingress_cidrs))} distinct entries: expected at most 118 (a network security group holds at most 120 rules, and the gateway's has two more: ICMP fragmentation-needed in, Galley's port out)."
  }
}
