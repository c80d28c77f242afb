locals {
  freeform_tags   = merge({ app = "galley", "managed-by" = "terraform" }, var.freeform_tags)
  repository_name = coalesce(var.repository_name, var.name_prefix)
}

# The OCIR repository Galley's image is pushed to and pulled from. Created here, in the
# compartment the iam module's pull right names, it is in place before the first push: a push to
# a repository that does not exist creates one in the tenancy's root compartment, where that
# right does not reach. Private: pulls need the right (the container instance's resource
# principal) or a user's auth token.
resource "oci_artifacts_container_repository" "this" {
  compartment_id = var.compartment_id
  display_name   = local.repository_name
  is_immutable   = var.is_immutable
  is_public      = false
  freeform_tags  = local.freeform_tags
}
