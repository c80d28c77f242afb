output "vcn_id" {
  description = "OCID of the VCN."
  value       = oci_core_vcn.this.id
}

output "public_subnet_id" {
  description = "OCID of the regional public subnet (API Gateway)."
  value       = oci_core_subnet.public.id
}

output "private_subnet_id" {
  description = "OCID of the regional private subnet (Container Instance)."
  value       = oci_core_subnet.private.id
}

output "public_subnet_cidr" {
  description = "CIDR block of the public subnet."
  value       = oci_core_subnet.public.cidr_block
}

output "private_subnet_cidr" {
  description = "CIDR block of the private subnet."
  value       = oci_core_subnet.private.cidr_block
}

output "internet_gateway_id" {
  description = "OCID of the internet gateway."
  value       = oci_core_internet_gateway.this.id
}

output "nat_gateway_id" {
  description = "OCID of the NAT gateway."
  value       = oci_core_nat_gateway.this.id
}

output "service_gateway_id" {
  description = "OCID of the service gateway (All Services In Oracle Services Network)."
  value       = oci_core_service_gateway.this.id
}

output "route_table_ids" {
  description = "OCIDs of the route tables, by subnet (public, private)."
  value = {
    public  = oci_core_route_table.public.id
    private = oci_core_route_table.private.id
  }
}

output "security_list_ids" {
  description = "OCIDs of the security lists, by subnet (public, private), and the VCN's default list (default, emptied)."
  value = {
    public  = oci_core_security_list.public.id
    private = oci_core_security_list.private.id
    default = oci_core_default_security_list.this.id
  }
}
