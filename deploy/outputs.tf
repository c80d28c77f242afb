output "mcp_endpoint_url" {
  description = "URL to give an MCP client (the token included)."
  value       = "${module.api_gateway.endpoint_base_url}${local.mcp_path}?${module.api_gateway.token_query_parameter}=${module.container_instance.url_token}"
  sensitive   = true
}

output "api_gateway_hostname" {
  description = "Public hostname of the API Gateway."
  value       = module.api_gateway.hostname
}

output "url_token" {
  description = "Token of the endpoint URL."
  value       = module.container_instance.url_token
  sensitive   = true
}

output "object_storage_bucket" {
  description = "Name of the Galley bucket."
  value       = module.object_storage.bucket_name
}

output "object_storage_namespace" {
  description = "Object Storage namespace of the bucket."
  value       = module.object_storage.bucket_namespace
}

output "container_instance_id" {
  description = "OCID of the Galley container instance."
  value       = module.container_instance.container_instance_id
}

output "backend_url" {
  description = "Galley's address inside the VCN (the gateway's backend)."
  value       = module.container_instance.backend_url
}

output "policy_name" {
  description = "Name of the IAM policy granting the dynamic group its rights."
  value       = module.iam.policy_name
}

output "dynamic_group_matching_rule" {
  description = "Matching rule the dynamic group should have."
  value       = module.iam.dynamic_group_matching_rule
}

output "home_region" {
  description = "Region the IAM policies were written to (the tenancy's home region)."
  value       = local.home_region
}
