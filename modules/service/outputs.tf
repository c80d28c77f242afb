output "container_instance_id" {
  description = "OCID of the container instance."
  value       = module.container_instance.container_instance_id
}

output "private_ip" {
  description = "Private IP of the current container instance, read back once it is healthy: the gateway's backend."
  value       = module.container_instance.private_ip
}

output "backend_url" {
  description = "URL of Galley inside the VCN (http://<private ip>:<port>), the API Gateway's backend."
  value       = module.container_instance.backend_url
}

output "url_token" {
  description = "The current token (the newest generation, or url_token)."
  value       = module.container_instance.url_token
  sensitive   = true
}

output "url_tokens" {
  description = "Every valid token by generation name (or {custom = url_token})."
  value       = module.container_instance.url_tokens
  sensitive   = true
}

output "current_token_name" {
  description = "Name of the current token's generation (\"custom\" for url_token)."
  value       = module.container_instance.current_token_name
}

output "image_url" {
  description = "Image the container runs."
  value       = module.container_instance.image_url
}

output "gateway_id" {
  description = "OCID of the API Gateway."
  value       = module.api_gateway.gateway_id
}

output "deployment_id" {
  description = "OCID of the deployment."
  value       = module.api_gateway.deployment_id
}

output "hostname" {
  description = "Public hostname of the gateway: part of the URL clients keep."
  value       = module.api_gateway.hostname
}

output "endpoint_base_url" {
  description = "Base URL of the deployment (https://<hostname><path_prefix>); Galley's MCP endpoint is <this>/mcp."
  value       = module.api_gateway.endpoint_base_url
}

output "token_transport" {
  description = "How clients send the token (query, header or both): what the gateway checks for."
  value       = module.api_gateway.token_transport
}

output "token_query_parameter" {
  description = "Name of the query parameter that carries the token (always token: Galley's contract)."
  value       = module.api_gateway.token_query_parameter
}

output "execution_log_id" {
  description = "OCID of the execution log in OCI Logging (null when execution_log_enabled is false)."
  value       = module.api_gateway.execution_log_id
}

output "public_hostname" {
  description = "Hostname clients use: custom_hostname when set, else the gateway's generated hostname."
  value       = module.api_gateway.public_hostname
}
