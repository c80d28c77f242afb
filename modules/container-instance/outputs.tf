output "container_instance_id" {
  description = "OCID of the container instance."
  value       = oci_container_instances_container_instance.this.id
}

output "private_ip" {
  description = "Private IP of the container instance (static: survives replacement)."
  value       = oci_container_instances_container_instance.this.vnics[0].private_ip
}

output "backend_url" {
  description = "URL of Galley inside the VCN (http://<private ip>:<port>), the API Gateway's backend."
  value       = "http://${oci_container_instances_container_instance.this.vnics[0].private_ip}:${var.galley_port}"
}

output "url_token" {
  description = "Token of the endpoint URL; the instance holds only its SHA-256 (GALLEY_URL_TOKEN_SHA256)."
  value       = local.url_token
  sensitive   = true
}

output "image_url" {
  description = "Image the container runs."
  value       = local.image_url
}

output "availability_domain" {
  description = "Availability domain of the container instance."
  value       = oci_container_instances_container_instance.this.availability_domain
}

output "image_repository" {
  description = "Repository path of image_url (after <registry>/<namespace>/): the one the IAM policy must allow pulls from."
  value       = local.image_repository
}
