output "log_id" {
  description = "OCID of the custom log: the container instance's GALLEY_AUDIT_LOG_ID (modules/container-instance audit_log_id)."
  value       = oci_logging_log.this.id
}

output "log_group_id" {
  description = "OCID of the log group: the scope of Galley's `use log-content` right (modules/iam audit_log.log_group_id)."
  value       = oci_logging_log_group.this.id
}
