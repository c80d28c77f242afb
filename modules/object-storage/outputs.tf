output "bucket_name" {
  description = "Name of the Galley bucket (galley-<suffix>)."
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
