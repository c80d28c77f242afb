output "mcp_url" {
  description = "Galley's MCP endpoint, without a token: give it with the header (authorization_header) or as ?token= (mcp_endpoint_url)."
  value       = "${module.service.endpoint_base_url}${local.mcp_path}"
}

output "mcp_endpoint_url" {
  description = "URL to give an MCP client, the current token in its query."
  value       = "${module.service.endpoint_base_url}${local.mcp_path}?${module.service.token_query_parameter}=${module.service.url_token}"
  sensitive   = true
}

output "authorization_header" {
  description = "Value of the Authorization header for the current token (Bearer <token>): claude mcp add --transport http galley <mcp_url> --header \"Authorization: <this>\"."
  value       = "Bearer ${module.service.url_token}"
  sensitive   = true
}

output "mcp_endpoint_urls" {
  description = "For every valid token, by generation name: the query-form URL and the Authorization header value (used while clients move from one token to the next)."
  value = {
    for name, token in module.service.url_tokens : name => {
      url                  = "${module.service.endpoint_base_url}${local.mcp_path}?${module.service.token_query_parameter}=${token}"
      authorization_header = "Bearer ${token}"
    }
  }
  sensitive = true
}

output "current_token_name" {
  description = "Generation name of the current token (the one in mcp_endpoint_url and authorization_header)."
  value       = module.service.current_token_name
}

output "token_transport" {
  description = "How clients send the token: query, header or both."
  value       = module.service.token_transport
}

output "api_gateway_hostname" {
  description = "Public hostname of the API Gateway."
  value       = module.service.hostname
}

output "url_token" {
  description = "The current token."
  value       = module.service.url_token
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
  value       = module.service.container_instance_id
}

output "backend_url" {
  description = "Galley's address inside the VCN (the gateway's backend)."
  value       = module.service.backend_url
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

output "budget_id" {
  description = "OCID of the budget (budget_monthly_amount set), else null."
  value       = try(module.budget[0].budget_id, null)
}

output "image_repository_id" {
  description = "OCID of the OCIR repository (create_image_repository = true), else null."
  value       = try(module.container_repository[0].repository_id, null)
}

output "alarm_topic_id" {
  description = "OCID of the Notifications topic the alarms send to (alarms_enabled = true), else null."
  value       = try(module.alarms[0].topic_id, null)
}

output "public_hostname" {
  description = "Hostname clients use: custom_hostname when set, else the gateway's generated hostname."
  value       = module.service.public_hostname
}

output "audit_log_id" {
  description = "OCID of the OCI Logging custom log holding Galley's audit records (audit_log_enabled = true), else null."
  value       = try(module.audit_log[0].log_id, null)
}
