# Public subnet: HTTPS in from allowed_ingress_cidrs (the API Gateway), and out only to Galley's
# port in the private subnet (the gateway's backend calls). Both lists also let in ICMP
# "fragmentation needed" (type 3 code 4), as OCI's default security list does: without it path
# MTU discovery fails and large responses stall on paths with a smaller MTU.
resource "oci_core_security_list" "public" {
  #checkov:skip=CKV_OCI_17: stateful rules on purpose: connection tracking lets replies through, whereas stateless ingress would need an extra egress rule per port for the return traffic.
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.this.id
  display_name   = "${var.name_prefix}-public-sl"
  freeform_tags  = local.freeform_tags

  # HTTPS to the API Gateway, one rule per allowed client CIDR (sorted, distinct: the rules
  # follow the set of CIDRs, not the order or repetitions of the input). Other clients' TCP
  # connections to https_port are dropped: they time out.
  dynamic "ingress_security_rules" {
    for_each = local.allowed_ingress_cidrs
    content {
      protocol    = local.protocol_tcp
      source      = ingress_security_rules.value
      source_type = "CIDR_BLOCK"
      stateless   = false

      tcp_options {
        min = var.https_port
        max = var.https_port
      }
    }
  }

  ingress_security_rules {
    # Path MTU discovery from anywhere
    protocol    = "1" # ICMP, written as a literal: checkov reads a reference here as "every port"
    source      = local.anywhere
    source_type = "CIDR_BLOCK"
    stateless   = false

    icmp_options {
      type = 3
      code = 4
    }
  }

  egress_security_rules {
    # API Gateway to the Galley backend
    protocol         = local.protocol_tcp
    destination      = var.private_subnet_cidr
    destination_type = "CIDR_BLOCK"
    stateless        = false

    tcp_options {
      min = var.galley_port
      max = var.galley_port
    }
  }
}

# Private subnet: Galley's port from the public subnet only; all egress (through the NAT and
# service gateways) for image pulls, Object Storage and the OCI APIs.
resource "oci_core_security_list" "private" {
  #checkov:skip=CKV_OCI_17: stateful rules on purpose: connection tracking lets replies through, whereas stateless ingress would need an extra egress rule per port for the return traffic.
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.this.id
  display_name   = "${var.name_prefix}-private-sl"
  freeform_tags  = local.freeform_tags

  ingress_security_rules {
    # Galley from the API Gateway subnet
    protocol    = local.protocol_tcp
    source      = var.public_subnet_cidr
    source_type = "CIDR_BLOCK"
    stateless   = false

    tcp_options {
      min = var.galley_port
      max = var.galley_port
    }
  }

  ingress_security_rules {
    # Path MTU discovery from within the VCN
    protocol    = "1" # ICMP, written as a literal: checkov reads a reference here as "every port"
    source      = var.vcn_cidr
    source_type = "CIDR_BLOCK"
    stateless   = false

    icmp_options {
      type = 3
      code = 4
    }
  }

  egress_security_rules {
    # All outbound traffic through the NAT and service gateways
    protocol         = "all"
    destination      = local.anywhere
    destination_type = "CIDR_BLOCK"
    stateless        = false
  }
}

# Every VCN comes with a default security list that lets SSH in from anywhere. Nothing here uses
# it, but a subnet created later without a list of its own would: taken over, with no rules
# (CIS OCI Foundations Benchmark 2.1/2.2).
resource "oci_core_default_security_list" "this" {
  manage_default_resource_id = oci_core_vcn.this.default_security_list_id
  compartment_id             = var.compartment_id
  display_name               = "${var.name_prefix}-default-sl"
  freeform_tags              = local.freeform_tags
}
