# Galley in a network someone else owns: the VCN and its two subnets are only read (data
# sources), and Galley's traffic rules go into two network security groups of its own, attached
# to the gateway and to the instance, rather than into the subnets' security lists, which other
# workloads share. OCI allows traffic that any security list of the subnet or any NSG of the
# VNIC allows ("Security Rules", OCI Networking documentation), so the subnets' own lists need
# nothing for Galley.
locals {
  freeform_tags = merge({ app = "galley", "managed-by" = "terraform" }, var.freeform_tags)

  anywhere     = "0.0.0.0/0"
  protocol_tcp = "6"
  protocol_all = "all"
}

data "oci_core_vcn" "this" {
  vcn_id = var.vcn_id
}

# The checks run when the subnets are read: at plan, for subnets that exist by then.
data "oci_core_subnet" "public" {
  subnet_id = var.public_subnet_id

  lifecycle {
    postcondition {
      condition     = self.vcn_id == var.vcn_id
      error_message = "public_subnet_id = \"${var.public_subnet_id}\" is in VCN ${self.vcn_id}, not in vcn_id = \"${var.vcn_id}\": expected a subnet of that VCN."
    }
    postcondition {
      condition     = self.availability_domain == null || self.availability_domain == ""
      error_message = "public_subnet_id = \"${var.public_subnet_id}\" is specific to availability domain ${coalesce(self.availability_domain, "-")}: API Gateway requires a regional subnet (created without availability_domain)."
    }
    postcondition {
      condition     = !self.prohibit_public_ip_on_vnic
      error_message = "public_subnet_id = \"${var.public_subnet_id}\" is a private subnet (prohibit_public_ip_on_vnic = true): a public API Gateway needs a public subnet, routed to an internet gateway."
    }
  }
}

data "oci_core_subnet" "private" {
  subnet_id = var.private_subnet_id

  lifecycle {
    postcondition {
      condition     = self.id != var.public_subnet_id
      error_message = "private_subnet_id = public_subnet_id = \"${var.private_subnet_id}\": expected the instance in a private subnet of its own, apart from the gateway's public one."
    }
    postcondition {
      condition     = self.vcn_id == var.vcn_id
      error_message = "private_subnet_id = \"${var.private_subnet_id}\" is in VCN ${self.vcn_id}, not in vcn_id = \"${var.vcn_id}\": expected a subnet of that VCN."
    }
    postcondition {
      condition     = self.prohibit_public_ip_on_vnic
      error_message = "private_subnet_id = \"${var.private_subnet_id}\" allows public IPs (prohibit_public_ip_on_vnic = false): expected a private subnet, so that Galley is reached only through the gateway."
    }
  }
}

resource "oci_core_network_security_group" "gateway" {
  compartment_id = var.compartment_id
  vcn_id         = data.oci_core_vcn.this.id
  display_name   = "${var.name_prefix}-gateway-nsg"
  freeform_tags  = local.freeform_tags
}

resource "oci_core_network_security_group" "instance" {
  compartment_id = var.compartment_id
  vcn_id         = data.oci_core_vcn.this.id
  display_name   = "${var.name_prefix}-instance-nsg"
  freeform_tags  = local.freeform_tags
}

# Gateway: HTTPS in from each allowed CIDR (keyed by CIDR, so reordering plans no change), and
# out only to Galley's port on the instance's NSG.
resource "oci_core_network_security_group_security_rule" "gateway_https" {
  #checkov:skip=CKV_OCI_21: stateful rules on purpose: connection tracking lets replies through, whereas stateless ingress would need an extra egress rule per port for the return traffic.
  for_each = toset(var.allowed_ingress_cidrs)

  network_security_group_id = oci_core_network_security_group.gateway.id
  description               = "HTTPS to the API Gateway from ${each.value}"
  direction                 = "INGRESS"
  protocol                  = local.protocol_tcp
  source                    = each.value
  source_type               = "CIDR_BLOCK"
  stateless                 = false

  tcp_options {
    destination_port_range {
      min = var.https_port
      max = var.https_port
    }
  }
}

resource "oci_core_network_security_group_security_rule" "gateway_to_instance" {
  network_security_group_id = oci_core_network_security_group.gateway.id
  description               = "API Gateway to the Galley backend"
  direction                 = "EGRESS"
  protocol                  = local.protocol_tcp
  destination               = oci_core_network_security_group.instance.id
  destination_type          = "NETWORK_SECURITY_GROUP"
  stateless                 = false

  tcp_options {
    destination_port_range {
      min = var.galley_port
      max = var.galley_port
    }
  }
}

# Instance: Galley's port from the gateway's NSG only; all egress (image pulls, Object Storage,
# the OCI APIs, through the VCN's own NAT and service gateways).
resource "oci_core_network_security_group_security_rule" "instance_from_gateway" {
  #checkov:skip=CKV_OCI_21: stateful rules on purpose: connection tracking lets replies through, whereas stateless ingress would need an extra egress rule per port for the return traffic.
  network_security_group_id = oci_core_network_security_group.instance.id
  description               = "Galley from the API Gateway"
  direction                 = "INGRESS"
  protocol                  = local.protocol_tcp
  source                    = oci_core_network_security_group.gateway.id
  source_type               = "NETWORK_SECURITY_GROUP"
  stateless                 = false

  tcp_options {
    destination_port_range {
      min = var.galley_port
      max = var.galley_port
    }
  }
}

resource "oci_core_network_security_group_security_rule" "instance_egress" {
  #checkov:skip=CKV2_OCI_2: an egress rule: it lets nothing in, on 3389 or any port.
  network_security_group_id = oci_core_network_security_group.instance.id
  description               = "All outbound traffic through the VCN's NAT and service gateways"
  direction                 = "EGRESS"
  protocol                  = local.protocol_all
  destination               = local.anywhere
  destination_type          = "CIDR_BLOCK"
  stateless                 = false
}

# ICMP "fragmentation needed" (type 3 code 4) in, as OCI's default security list lets it in:
# without it path MTU discovery fails and large responses stall on paths with a smaller MTU.
resource "oci_core_network_security_group_security_rule" "path_mtu" {
  #checkov:skip=CKV_OCI_21: stateful rules on purpose: connection tracking lets replies through, whereas stateless ingress would need an extra egress rule per port for the return traffic.
  #checkov:skip=CKV2_OCI_2: ICMP type 3 code 4 only (protocol 1), not TCP 3389.
  for_each = {
    gateway  = oci_core_network_security_group.gateway.id
    instance = oci_core_network_security_group.instance.id
  }

  network_security_group_id = each.value
  description               = "Path MTU discovery"
  direction                 = "INGRESS"
  protocol                  = "1"
  source                    = local.anywhere
  source_type               = "CIDR_BLOCK"
  stateless                 = false

  icmp_options {
    type = 3
    code = 4
  }
}
