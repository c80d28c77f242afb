locals {
  freeform_tags = merge({ app = "galley", "managed-by" = "terraform" }, var.freeform_tags)

  anywhere     = "0.0.0.0/0"
  protocol_tcp = "6"

  allowed_ingress_cidrs = sort(distinct(var.allowed_ingress_cidrs))

  # Cross-variable checks run as resource preconditions (variable validations may only refer to
  # their own variable before Terraform 1.9). A CIDR lies inside another when its prefix is at
  # least as long and masking its address with the outer prefix gives the outer network address.
  vcn_prefix = tonumber(split("/", var.vcn_cidr)[1])
  subnet_cidrs = {
    public_subnet_cidr  = var.public_subnet_cidr
    private_subnet_cidr = var.private_subnet_cidr
  }
  subnets_outside_vcn = [
    for name, cidr in local.subnet_cidrs : "${name} = \"${cidr}\"" if !(
      tonumber(split("/", cidr)[1]) >= local.vcn_prefix
      && cidrhost("${split("/", cidr)[0]}/${local.vcn_prefix}", 0) == cidrhost(var.vcn_cidr, 0)
    )
  ]
  shorter_subnet_prefix = min(
    tonumber(split("/", var.public_subnet_cidr)[1]),
    tonumber(split("/", var.private_subnet_cidr)[1]),
  )
  subnets_overlap = (
    cidrhost("${split("/", var.public_subnet_cidr)[0]}/${local.shorter_subnet_prefix}", 0)
    == cidrhost("${split("/", var.private_subnet_cidr)[0]}/${local.shorter_subnet_prefix}", 0)
  )
}

# The "All <region> Services In Oracle Services Network" entry: its CIDR label routes Object
# Storage and OCIR traffic through the service gateway instead of the NAT gateway.
data "oci_core_services" "all" {
  filter {
    name   = "name"
    values = ["All .* Services In Oracle Services Network"]
    regex  = true
  }
}

resource "oci_core_vcn" "this" {
  compartment_id = var.compartment_id
  cidr_blocks    = [var.vcn_cidr]
  display_name   = "${var.name_prefix}-vcn"
  freeform_tags  = local.freeform_tags

  lifecycle {
    precondition {
      condition     = length(local.subnets_outside_vcn) == 0
      error_message = "Subnet CIDR outside the VCN: ${join(", ", local.subnets_outside_vcn)} must lie inside vcn_cidr = \"${var.vcn_cidr}\"."
    }
    precondition {
      condition     = !local.subnets_overlap
      error_message = "public_subnet_cidr = \"${var.public_subnet_cidr}\" and private_subnet_cidr = \"${var.private_subnet_cidr}\" overlap: expected two disjoint CIDR blocks."
    }
  }
}

resource "oci_core_internet_gateway" "this" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.this.id
  display_name   = "${var.name_prefix}-igw"
  enabled        = true
  freeform_tags  = local.freeform_tags
}

resource "oci_core_nat_gateway" "this" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.this.id
  display_name   = "${var.name_prefix}-nat"
  freeform_tags  = local.freeform_tags
}

resource "oci_core_service_gateway" "this" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.this.id
  display_name   = "${var.name_prefix}-sgw"
  freeform_tags  = local.freeform_tags

  services {
    service_id = data.oci_core_services.all.services[0].id
  }
}
