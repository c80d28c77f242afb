output "container_instance_id" {
  description = "OCID of the container instance."
  value       = oci_container_instances_container_instance.this.id
}

output "private_ip" {
  description = "Private IP of the current container instance, read back once it is healthy; a rollout gives the new instance another IP, and the gateway follows it."
  value       = data.oci_container_instances_container_instance.ready.vnics[0].private_ip
}

output "backend_url" {
  description = "URL of Galley inside the VCN (http://<private ip>:<port>), the API Gateway's backend."
  value       = "http://${data.oci_container_instances_container_instance.ready.vnics[0].private_ip}:${var.galley_port}"
}

output "url_token" {
  description = "The current token (the newest generation, or url_token); the instance holds only digests (GALLEY_URL_TOKEN_SHA256)."
  value       = local.url_tokens[local.current_token_name]
  sensitive   = true
}

output "url_tokens" {
  description = "Every valid token by generation name (or {custom = url_token})."
  value       = local.url_tokens
  sensitive   = true
}

output "current_token_name" {
  description = "Name of the current token's generation (\"custom\" for url_token)."
  value       = local.current_token_name
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
