locals {
  freeform_tags = merge({ app = "galley", "managed-by" = "terraform" }, var.freeform_tags)
}

data "oci_objectstorage_namespace" "this" {
  compartment_id = var.compartment_id
}

# Bucket names are unique per namespace: a random suffix lets several stacks share a tenancy.
resource "random_string" "bucket_suffix" {
  length  = 8
  special = false
  upper   = false
}

resource "oci_objectstorage_bucket" "this" {
  #checkov:skip=CKV_OCI_9: a customer-managed key is optional (input kms_key_id); without one, Oracle-managed keys encrypt the bucket.
  compartment_id        = var.compartment_id
  namespace             = data.oci_objectstorage_namespace.this.namespace
  name                  = "${var.name_prefix}-${random_string.bucket_suffix.result}"
  access_type           = "NoPublicAccess"
  storage_tier          = "Standard"
  versioning            = "Enabled"
  object_events_enabled = true
  kms_key_id            = var.kms_key_id
  freeform_tags         = local.freeform_tags
}
