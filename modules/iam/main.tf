locals {
  freeform_tags = merge({ app = "galley", "managed-by" = "terraform" }, var.freeform_tags)

  work_compartment_id       = coalesce(var.galley_work_compartment_id, var.compartment_id)
  repository_compartment_id = coalesce(var.image_repository_compartment_id, var.compartment_id)
  named_compartment_ids = distinct([
    var.compartment_id, local.work_compartment_id, local.repository_compartment_id,
  ])

  # A policy may only name its own compartment's subtree. With a single named compartment the
  # policy sits there; with several, only the caller knows their common ancestor, so the tenancy
  # root (which contains everything) is the one safe default.
  policy_compartment_id = (
    var.policy_compartment_id != null ? var.policy_compartment_id
    : length(local.named_compartment_ids) == 1 ? var.compartment_id
    : var.tenancy_id
  )
  named_tenancies = [for c in local.named_compartment_ids : c if startswith(c, "ocid1.tenancy.")]

  # The root compartment is written "tenancy" in policy syntax.
  location = {
    for c in local.named_compartment_ids : c => startswith(c, "ocid1.tenancy.") ? "tenancy" : "compartment id ${c}"
  }
  subject = "dynamic-group id ${var.dynamic_group_id}"

  statements = [
    # Data: the Galley bucket only. "manage objects" does not include GetBucket.
    "Allow ${local.subject} to read buckets in ${local.location[var.compartment_id]} where target.bucket.name='${var.bucket_name}'",
    "Allow ${local.subject} to manage objects in ${local.location[var.compartment_id]} where target.bucket.name='${var.bucket_name}'",
    # Read-only view of container instances (Galley's own included); no write on its own stack.
    "Allow ${local.subject} to read compute-container-family in ${local.location[var.compartment_id]}",
    # Image pulls through the resource principal, from the Galley repository only.
    "Allow ${local.subject} to read repos in ${local.location[local.repository_compartment_id]} where target.repo.name='${var.image_repository_name}'",
    # The work Galley does: Resource Manager stacks and jobs, networks and instances.
    "Allow ${local.subject} to manage orm-stacks in ${local.location[local.work_compartment_id]}",
    "Allow ${local.subject} to manage orm-jobs in ${local.location[local.work_compartment_id]}",
    "Allow ${local.subject} to manage virtual-network-family in ${local.location[local.work_compartment_id]}",
    "Allow ${local.subject} to manage instance-family in ${local.location[local.work_compartment_id]}",
    # Launching an instance attaches its boot volume.
    "Allow ${local.subject} to use volume-family in ${local.location[local.work_compartment_id]}",
  ]
}

resource "oci_identity_policy" "this" {
  compartment_id = local.policy_compartment_id
  name           = "${var.name_prefix}-policy"
  statements     = local.statements
  freeform_tags  = local.freeform_tags

  lifecycle {
    precondition {
      condition     = local.policy_compartment_id != null
      error_message = "The policy names several compartments (${join(", ", local.named_compartment_ids)}) and neither policy_compartment_id nor tenancy_id is set: set policy_compartment_id to a compartment that contains all of them (their common parent), or tenancy_id to put the policy at the tenancy root."
    }
    precondition {
      condition     = length(local.named_tenancies) == 0 || local.policy_compartment_id == try(local.named_tenancies[0], null)
      error_message = "A statement names the tenancy root (${join(", ", local.named_tenancies)}), so the policy must live there: set policy_compartment_id to that tenancy OCID (policy_compartment_id is now \"${coalesce(local.policy_compartment_id, "null")}\")."
    }
  }
}

# Galley may manage networks and instances in its work compartment. When that is also the
# compartment holding Galley's own VCN, it could change its own network: warn (not fail), since
# a single compartment is the simple default.
check "work_compartment_is_separate" {
  assert {
    condition     = local.work_compartment_id != var.compartment_id
    error_message = "galley_work_compartment_id is the Galley compartment (${var.compartment_id}): Galley can manage networking and instances beside its own infrastructure. Set galley_work_compartment_id to a separate compartment for strict isolation."
  }
}
