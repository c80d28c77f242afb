locals {
  freeform_tags = merge({ app = "galley", "managed-by" = "terraform" }, var.freeform_tags)

  bucket_name = coalesce(var.bucket_name, "${var.name_prefix}-${try(random_string.bucket_suffix[0].result, "")}")
}

data "oci_objectstorage_namespace" "this" {
  compartment_id = var.compartment_id
}

# Bucket names are unique per namespace: a random suffix lets several deployments share a
# tenancy when no name is given.
resource "random_string" "bucket_suffix" {
  count   = var.bucket_name == null ? 1 : 0
  length  = 8
  special = false
  upper   = false
}

# Deployments made before bucket_name existed keep their suffix, and so their bucket.
moved {
  from = random_string.bucket_suffix
  to   = random_string.bucket_suffix[0]
}

resource "oci_objectstorage_bucket" "this" {
  #checkov:skip=CKV_OCI_9: a customer-managed key is optional (input kms_key_id); without one, Oracle-managed keys encrypt the bucket.
  compartment_id        = var.compartment_id
  namespace             = data.oci_objectstorage_namespace.this.namespace
  name                  = local.bucket_name
  access_type           = "NoPublicAccess"
  storage_tier          = "Standard"
  versioning            = var.versioning
  object_events_enabled = true
  kms_key_id            = var.kms_key_id
  freeform_tags         = local.freeform_tags

  # While a rule keeps an object, nobody can delete or overwrite it: not Galley (whose policy has
  # manage objects but not manage buckets, so it cannot remove a rule either), not an operator.
  dynamic "retention_rules" {
    for_each = var.retention_rules
    content {
      display_name     = retention_rules.value.display_name
      time_rule_locked = retention_rules.value.time_rule_locked

      dynamic "duration" {
        for_each = retention_rules.value.time_amount == null ? [] : [retention_rules.value]
        content {
          time_amount = tostring(duration.value.time_amount)
          time_unit   = duration.value.time_unit
        }
      }
    }
  }

  # With a customer-managed key, OCI creates the bucket only once Object Storage may use the key.
  depends_on = [var.service_policy_id]

  lifecycle {
    # OCI: no retention rules on a bucket with versioning Enabled, and no Enabled versioning on a
    # bucket with rules ("Managing Object Versioning").
    precondition {
      condition     = length(var.retention_rules) == 0 || var.versioning != "Enabled"
      error_message = "retention_rules are set with versioning = \"Enabled\": OCI refuses retention rules on a versioned bucket. Set versioning = \"Disabled\" for a new bucket, or \"Suspended\" for an existing versioned one (Enabled can only be suspended)."
    }
  }
}

# Versioning keeps every overwritten or deleted object: previous versions are deleted after
# previous_version_retention_days, so the bucket does not grow forever. OCI runs the rule as the
# Object Storage service, which needs its own policy (modules/iam, service_policy_id).
resource "oci_objectstorage_object_lifecycle_policy" "this" {
  namespace = oci_objectstorage_bucket.this.namespace
  bucket    = oci_objectstorage_bucket.this.name

  rules {
    name        = "delete-previous-versions"
    action      = "DELETE"
    target      = "previous-object-versions"
    time_amount = tostring(var.previous_version_retention_days)
    time_unit   = "DAYS"
    is_enabled  = true
  }

  depends_on = [var.service_policy_id]
}

check "object_storage_service_may_act" {
  assert {
    condition     = var.service_policy_id != null
    error_message = "service_policy_id is not set: OCI refuses the bucket's lifecycle policy (and a bucket with kms_key_id) unless the Object Storage service may act on the bucket. Pass modules/iam's service_policy_id, or make sure a policy grants \"Allow service objectstorage-<region> to manage object-family in compartment ...\" (and \"to use keys ... where target.key.id = '<key>'\" with a key) before apply."
  }
}
