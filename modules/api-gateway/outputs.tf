output "gateway_id" {
  description = "OCID of the API Gateway."
  value       = oci_apigateway_gateway.this.id
}

output "deployment_id" {
  description = "OCID of the deployment."
  value       = oci_apigateway_deployment.this.id
}

output "hostname" {
  description = "Public hostname of the gateway."
  value       = oci_apigateway_gateway.this.hostname
}

output "endpoint_base_url" {
  description = "Base URL of the deployment (https://<hostname><path_prefix>), with custom_hostname when it is set."
  value       = "https://${local.public_hostname}${var.path_prefix}"
}

output "backend_url_template" {
  description = "Backend URL of the route, with the gateway's path variable."
  value       = oci_apigateway_deployment.this.specification[0].routes[0].backend[0].url
}

output "token_transport" {
  description = "How clients send the token (query, header or both): what the gateway checks for."
  value       = var.token_transport
}

output "token_query_parameter" {
  description = "Name of the query parameter that carries the token (always token: Galley's contract)."
  value       = local.token_query_parameter
}

output "execution_log_id" {
  description = "OCID of the execution log in OCI Logging (null when execution_log_enabled is false)."
  value       = try(oci_logging_log.execution[0].id, null)
}

output "log_group_id" {
  description = "OCID of the log group holding the execution log (null when execution_log_enabled is false)."
  value       = local.log_group_id
}

output "public_hostname" {
  description = "Hostname clients use: custom_hostname when set, else the gateway's generated hostname."
  value       = local.public_hostname
}

output "certificate_id" {
  description = "OCID of the certificate the gateway presents for custom_hostname (null without one)."
  value       = local.certificate_id
}

output "dns_record" {
  description = "The CNAME created in dns_zone_id ({name, target}), or null."
  value       = var.dns_zone_id == null ? null : { name = var.custom_hostname, target = oci_apigateway_gateway.this.hostname }
}
