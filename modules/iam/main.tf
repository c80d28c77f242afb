locals {
  freeform_tags = merge({ app = "galley", "managed-by" = "terraform" }, var.freeform_tags)

  work_compartment_id       = coalesce(var.galley_work_compartment_id, var.compartment_id)
  repository_compartment_id = coalesce(var.image_repository_compartment_id, var.compartment_id)
  kms_key_compartment_id    = var.kms_key_id == null ? null : coalesce(var.kms_key_compartment_id, var.compartment_id)

  # Each policy names its own compartments and must live in one that contains them all. With a
  # single named compartment the policy sits there; with several, only the caller knows their
  # common ancestor, so the tenancy root (which contains everything) is the one safe default.
  policy_named = {
    galley  = distinct([var.compartment_id, local.work_compartment_id, local.repository_compartment_id])
    service = distinct(compact([var.compartment_id, local.kms_key_compartment_id]))
  }
  policy_tenancies = {
    for policy, named in local.policy_named : policy => [for c in named : c if startswith(c, "ocid1.tenancy.")]
  }
  policy_compartment = {
    for policy, named in local.policy_named : policy => (
      var.policy_compartment_id != null ? var.policy_compartment_id
      : length(named) == 1 ? named[0]
      : length(local.policy_tenancies[policy]) > 0 ? local.policy_tenancies[policy][0]
      : var.tenancy_id
    )
  }
  named_compartment_ids = distinct(flatten(values(local.policy_named)))

  # Why a policy cannot be placed, by policy ("" when it can), for the preconditions below.
  placement_problem = {
    for policy, named in local.policy_named : policy => (
      local.policy_compartment[policy] == null
      ? "The ${policy} policy names several compartments (${join(", ", named)}) and neither policy_compartment_id nor tenancy_id is set: set policy_compartment_id to a compartment that contains all of them (their common parent), or tenancy_id to put the policy at the tenancy root."
      # (try: HCL evaluates both sides of &&, and [0] of an empty list fails)
      : try(local.policy_compartment[policy] != local.policy_tenancies[policy][0], false)
      ? "A statement of the ${policy} policy names the tenancy root (${local.policy_tenancies[policy][0]}), so the policy must live there: set policy_compartment_id to that tenancy OCID (policy_compartment_id is now \"${local.policy_compartment[policy]}\")."
      : length(setintersection(named, local.compartments_outside_policy)) > 0
      ? "policy_compartment_id = \"${coalesce(var.policy_compartment_id, "null")}\" does not contain ${join(", ", setintersection(named, local.compartments_outside_policy))}, which the ${policy} policy names: expected the compartments' common ancestor (or the tenancy)."
      : ""
    )
  }

  # The root compartment is written "tenancy" in policy syntax.
  location = {
    for c in local.named_compartment_ids : c => startswith(c, "ocid1.tenancy.") ? "tenancy" : "compartment id ${c}"
  }
  subject = "dynamic-group id ${var.dynamic_group_id}"

  statements = concat([
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
    ], var.audit_log == null ? [] : [
    # The audit trail: ingestion into the audit log's group only (modules/audit-log).
    "Allow ${local.subject} to use log-content in ${local.location[var.compartment_id]} where target.loggroup.id='${var.audit_log.log_group_id}'",
  ])

  # Object Storage acts as itself, not as Galley: it needs its own rights to run the bucket's
  # lifecycle rules (deleting previous versions) and to encrypt with a customer-managed key.
  # OCI refuses to create the lifecycle policy, or the bucket with that key, without them.
  object_storage_service = "service objectstorage-${var.region}"
  service_statements = concat(
    ["Allow ${local.object_storage_service} to manage object-family in ${local.location[var.compartment_id]}"],
    var.kms_key_id == null ? [] : [
      "Allow ${local.object_storage_service} to use keys in ${local.location[local.kms_key_compartment_id]} where target.key.id = '${var.kms_key_id}'",
    ],
  )
}

# An explicit policy compartment must contain every named compartment. With tenancy_id known,
# the compartment tree is read once and each named compartment's ancestors are compared at plan
# time; a compartment absent from the list (no right to list it) is left to OCI's own check.
data "oci_identity_compartments" "tree" {
  count                     = local.verify_ancestry || local.check_work_ancestry ? 1 : 0
  compartment_id            = var.tenancy_id
  compartment_id_in_subtree = true
  access_level              = "ANY"
}

locals {
  # Policies inherit downward: rights over an ancestor of the Galley compartment are rights over
  # Galley's own network and instance. The tenancy root is everyone's ancestor; a compartment in
  # between is found in the tree (with tenancy_id).
  check_work_ancestry = var.tenancy_id != null && local.work_compartment_id != var.compartment_id
  galley_ancestors = concat(
    startswith(local.work_compartment_id, "ocid1.tenancy.") ? [local.work_compartment_id] : [],
    [for hop in [local.ancestors_1, local.ancestors_2, local.ancestors_3, local.ancestors_4, local.ancestors_5, local.ancestors_6] : hop[var.compartment_id]],
  )
  work_compartment_is_ancestor = (
    local.work_compartment_id != var.compartment_id && contains(local.galley_ancestors, local.work_compartment_id)
  )

  verify_ancestry = (
    var.policy_compartment_id != null && var.tenancy_id != null
    && var.policy_compartment_id != var.tenancy_id
    && anytrue([for c in local.named_compartment_ids : c != var.policy_compartment_id])
  )
  # "" for null: Terraform evaluates both sides of && and contains() refuses null.
  explicit_policy_compartment_id = var.policy_compartment_id == null ? "" : var.policy_compartment_id
  parent_of = {
    for c in try(data.oci_identity_compartments.tree[0].compartments, []) : c.id => c.compartment_id
  }
  # OCI nests compartments at most six levels below the root: six parent hops reach it.
  ancestors_1 = { for c in local.named_compartment_ids : c => lookup(local.parent_of, c, "") }
  ancestors_2 = { for c, a in local.ancestors_1 : c => lookup(local.parent_of, a, "") }
  ancestors_3 = { for c, a in local.ancestors_2 : c => lookup(local.parent_of, a, "") }
  ancestors_4 = { for c, a in local.ancestors_3 : c => lookup(local.parent_of, a, "") }
  ancestors_5 = { for c, a in local.ancestors_4 : c => lookup(local.parent_of, a, "") }
  ancestors_6 = { for c, a in local.ancestors_5 : c => lookup(local.parent_of, a, "") }
  compartments_outside_policy = [
    for c in local.named_compartment_ids : c if(
      local.verify_ancestry && c != var.policy_compartment_id && contains(keys(local.parent_of), c)
      && !contains([
        local.ancestors_1[c], local.ancestors_2[c], local.ancestors_3[c],
        local.ancestors_4[c], local.ancestors_5[c], local.ancestors_6[c],
      ], local.explicit_policy_compartment_id)
    )
  ]
}

resource "oci_identity_policy" "object_storage_service" {
  compartment_id = local.policy_compartment["service"]
  name           = "${var.name_prefix}-objectstorage-policy"
  description    = "Galley (${var.name_prefix}): Object Storage service rights on Galley's bucket (lifecycle rules, encryption key)"
  statements     = local.service_statements
  freeform_tags  = local.freeform_tags

  lifecycle {
    precondition {
      condition     = local.placement_problem["service"] == ""
      error_message = local.placement_problem["service"]
    }
  }
}

resource "oci_identity_policy" "this" {
  compartment_id = local.policy_compartment["galley"]
  name           = "${var.name_prefix}-policy"
  description    = "Galley (${var.name_prefix}): least-privilege access for its container instances"
  statements     = local.statements
  freeform_tags  = local.freeform_tags

  lifecycle {
    precondition {
      condition     = local.placement_problem["galley"] == ""
      error_message = local.placement_problem["galley"]
    }
    precondition {
      condition     = !local.work_compartment_is_ancestor
      error_message = "galley_work_compartment_id = \"${local.work_compartment_id}\" is an ancestor of the Galley compartment (${var.compartment_id}): policies inherit downward, so Galley could change or delete its own VCN, gateways and container instance. Expected a compartment outside the Galley compartment's ancestry, such as a sibling of it."
    }
  }
}

# Galley may manage networks and instances in its work compartment. When that is also the
# compartment holding Galley's own VCN, it could change its own network: warn (not fail), since
# a single compartment is the simple default.
check "work_compartment_is_separate" {
  assert {
    condition     = local.work_compartment_id != var.compartment_id
    error_message = "galley_work_compartment_id is the Galley compartment (${var.compartment_id}), so Galley could change or delete its own VCN, subnets, security lists and gateways (manage virtual-network-family there) and cut itself off. To avoid it, set galley_work_compartment_id to a separate compartment for the resources Galley manages."
  }
}

# IAM is eventually consistent: a policy written in the home region takes a while to be enforced
# everywhere, and the calls that use it right away (the lifecycle policy and a key-encrypted
# bucket through the Object Storage service, the instance's image pull) are not retried by the
# provider. Consumers take the policy ids from these sleeps, so they wait; an edit of the
# statements waits again. One per policy: the bucket waits for the service policy, and Galley's
# policy names the bucket.
resource "time_sleep" "service_policy_propagation" {
  create_duration = "${var.propagation_wait_seconds}s"
  triggers = {
    policy_id  = oci_identity_policy.object_storage_service.id
    statements = sha256(jsonencode(oci_identity_policy.object_storage_service.statements))
  }
}

resource "time_sleep" "policy_propagation" {
  create_duration = "${var.propagation_wait_seconds}s"
  triggers = {
    policy_id  = oci_identity_policy.this.id
    statements = sha256(jsonencode(oci_identity_policy.this.statements))
  }
}

# The defined tag that marks Galley's own container instance: the dynamic group's matching rule
# requires it, so the compartment alone gives an instance no rights. Optional here: a tag
# namespace is a tenancy-wide name, often made once by an administrator (README step 2).
resource "oci_identity_tag_namespace" "instance" {
  count          = var.create_tag_namespace ? 1 : 0
  compartment_id = coalesce(var.tag_namespace_compartment_id, var.tenancy_id, var.compartment_id)
  name           = var.instance_tag.namespace
  description    = "Galley (${var.name_prefix}): marks Galley's own container instance for its dynamic group"
  freeform_tags  = local.freeform_tags
}

resource "oci_identity_tag" "instance" {
  count            = var.create_tag_namespace ? 1 : 0
  tag_namespace_id = oci_identity_tag_namespace.instance[0].id
  name             = var.instance_tag.key
  description      = "Galley (${var.name_prefix}): set on Galley's own container instance only"
  freeform_tags    = local.freeform_tags
}

locals {
  # The rule requires the tag's value: "tag.<namespace>.<key>.value='<value>'" ("Writing
  # Matching Rules to Define Dynamic Groups").
  dynamic_group_matching_rule = "ALL {resource.type='computecontainerinstance', resource.compartment.id='${var.compartment_id}', tag.${var.instance_tag.namespace}.${var.instance_tag.key}.value='${var.instance_tag.value}'}"
  # From the created tag when there is one, so that an instance given this waits for it.
  instance_tag = {
    namespace = try(oci_identity_tag_namespace.instance[0].name, var.instance_tag.namespace)
    key       = try(oci_identity_tag.instance[0].name, var.instance_tag.key)
    value     = var.instance_tag.value
  }
}
