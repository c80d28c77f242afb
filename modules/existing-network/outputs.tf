output "vcn_id" {
  description = "OCID of the existing VCN."
  value       = data.oci_core_vcn.this.id
}

output "public_subnet_id" {
  description = "OCID of the existing regional public subnet (API Gateway)."
  value       = data.oci_core_subnet.public.id
}

output "private_subnet_id" {
  description = "OCID of the existing private subnet (Container Instance)."
  value       = data.oci_core_subnet.private.id
}

output "public_subnet_cidr" {
  description = "CIDR block of the public subnet."
  value       = data.oci_core_subnet.public.cidr_block
}

output "private_subnet_cidr" {
  description = "CIDR block of the private subnet."
  value       = data.oci_core_subnet.private.cidr_block
}

output "gateway_nsg_id" {
  description = "OCID of the network security group for the API Gateway (its network_security_group_ids)."
  value       = oci_core_network_security_group.gateway.id
}

output "instance_nsg_id" {
  description = "OCID of the network security group for the container instance's VNIC (its nsg_ids)."
  value       = oci_core_network_security_group.instance.id
}
