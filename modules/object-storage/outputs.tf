output "bucket_name" {
  description = "Name of the Galley bucket (bucket_name, or <prefix>-<suffix>)."
  value       = oci_objectstorage_bucket.this.name
}

output "bucket_namespace" {
  description = "Object Storage namespace of the tenancy (also the OCIR namespace)."
  value       = oci_objectstorage_bucket.this.namespace
}

output "bucket_id" {
  description = "OCID of the bucket."
  value       = oci_objectstorage_bucket.this.bucket_id
}

output "previous_version_retention_days" {
  description = "Days a previous object version is kept before the lifecycle policy deletes it."
  value       = var.previous_version_retention_days
}

output "retention_rules" {
  description = "The bucket's retention rules as OCI holds them (display_name, duration, time_rule_locked, retention_rule_id)."
  value       = oci_objectstorage_bucket.this.retention_rules
}
