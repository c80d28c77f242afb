"""Request-time authorization (oci/authz.py): verbs, resource types, where clauses, dynamic groups,
locations and propagation, for a container instance's resource principal."""

import pytest
from oci_emulator.oci import authz

BUCKET = "galley-abc"


def _setup(cloud, *statements, rule=None, settled=True):
    """A dynamic group matching container instances of the tenancy, and a policy for it."""
    cloud.settled_iam = settled
    group = cloud.create(
        "oci_identity_dynamic_group",
        compartment_id=cloud.tenancy,
        name="galley-instances",
        description="d",
        matching_rule=rule
        or (
            "ALL {resource.type='computecontainerinstance', "
            f"resource.compartment.id='{cloud.tenancy}'}}"
        ),
    )
    if statements:
        cloud.create(
            "oci_identity_policy",
            compartment_id=cloud.tenancy,
            name="galley",
            description="d",
            statements=[s.replace("{group}", group["id"]) for s in statements],
        )
    return group


def _principal(cloud, compartment=None, type_="computecontainerinstance"):
    return authz.Principal(
        type_,
        "ocid1.computecontainerinstance.oc1.iad.aaaaaaaaexample",
        compartment or cloud.tenancy,
        cloud.tenancy,
    )


def _allowed(cloud, permission, bucket=BUCKET, principal=None, **variables):
    target = authz.Target(cloud.tenancy, {"target.bucket.name": bucket, **variables})
    decision = authz.decide(cloud.world, principal or _principal(cloud), [permission], target)
    return decision.allowed


MANAGE_OBJECTS = (
    "Allow dynamic-group id {group} to manage objects in tenancy "
    f"where target.bucket.name='{BUCKET}'"
)


@pytest.mark.parametrize(
    ("verb", "granted", "refused"),
    [
        ("inspect", ["OBJECT_INSPECT"], ["OBJECT_READ", "OBJECT_CREATE"]),
        ("read", ["OBJECT_INSPECT", "OBJECT_READ"], ["OBJECT_OVERWRITE", "OBJECT_CREATE"]),
        ("use", ["OBJECT_READ", "OBJECT_OVERWRITE"], ["OBJECT_CREATE", "OBJECT_DELETE"]),
        ("manage", ["OBJECT_READ", "OBJECT_CREATE", "OBJECT_DELETE"], []),
    ],
)
def test_verbs_are_cumulative(cloud, verb, granted, refused):
    _setup(cloud, "Allow dynamic-group id {group} to " + verb + " objects in tenancy")
    assert all(_allowed(cloud, p) for p in granted)
    assert not any(_allowed(cloud, p) for p in refused)


@pytest.mark.parametrize(
    ("resource", "permission", "allowed"),
    [
        ("objects", "OBJECT_READ", True),
        ("object-family", "OBJECT_READ", True),
        ("all-resources", "OBJECT_READ", True),
        ("buckets", "OBJECT_READ", False),  # manage buckets does not read objects
        ("buckets", "BUCKET_READ", True),
        ("objects", "BUCKET_READ", False),  # "manage objects does not cover GetBucket"
        ("virtual-network-family", "OBJECT_READ", False),
    ],
)
def test_resource_types_and_families(cloud, resource, permission, allowed):
    _setup(cloud, "Allow dynamic-group id {group} to manage " + resource + " in tenancy")
    assert _allowed(cloud, permission) is allowed


def test_where_target_bucket_name_limits_the_grant_to_that_bucket(cloud):
    _setup(cloud, MANAGE_OBJECTS)
    assert _allowed(cloud, "OBJECT_CREATE")
    assert _allowed(cloud, "OBJECT_CREATE", bucket=BUCKET.upper())  # case-insensitive (OCI docs)
    assert not _allowed(cloud, "OBJECT_CREATE", bucket="another-bucket")


def test_where_patterns_any_all_and_a_variable_the_request_lacks(cloud):
    _setup(
        cloud,
        "Allow dynamic-group id {group} to manage objects in tenancy where all "
        "{target.bucket.name=/galley-*/, any {request.permission='OBJECT_READ', "
        "request.permission='OBJECT_INSPECT'}}",
        "Allow dynamic-group id {group} to manage buckets in tenancy "
        "where target.vault.id='ocid1.vault.oc1..x'",
    )
    assert _allowed(cloud, "OBJECT_READ")
    assert not _allowed(cloud, "OBJECT_CREATE")  # request.permission not in the list
    assert not _allowed(cloud, "OBJECT_READ", bucket="other")  # pattern does not match
    # A condition on a variable the call does not set is false: nothing granted on buckets.
    assert not _allowed(cloud, "BUCKET_READ")


def test_where_not_equal_and_permission_lists(cloud):
    _setup(
        cloud,
        "Allow dynamic-group id {group} to read objects in tenancy "
        "where target.bucket.name != 'secret'",
        "Allow dynamic-group id {group} to {OBJECT_DELETE} in tenancy",
    )
    assert _allowed(cloud, "OBJECT_READ")
    assert not _allowed(cloud, "OBJECT_READ", bucket="secret")
    assert _allowed(cloud, "OBJECT_DELETE")
    assert not _allowed(cloud, "OBJECT_CREATE")


def test_dynamic_group_by_name_and_its_matching_rule(cloud):
    _setup(cloud, "Allow dynamic-group galley-instances to read objects in tenancy")
    assert _allowed(cloud, "OBJECT_READ")
    elsewhere = _principal(cloud, compartment="ocid1.compartment.oc1..aaaaaaaaother")
    assert not _allowed(cloud, "OBJECT_READ", principal=elsewhere)
    vm = _principal(cloud, type_="instance")
    assert not _allowed(cloud, "OBJECT_READ", principal=vm)


@pytest.mark.parametrize(
    ("rule", "matches"),
    [
        ("resource.type = 'computecontainerinstance'", True),
        ("ANY {resource.type='instance', resource.type='computecontainerinstance'}", True),
        ("ALL {resource.type='computecontainerinstance', resource.id='ocid1.x.oc1..y'}", False),
        (
            "ALL {resource.type='computecontainerinstance', "
            "resource.id='ocid1.computecontainerinstance.oc1.iad.aaaaaaaaexample'}",
            True,
        ),
        ("ALL {resource.type='computecontainerinstance', tag.ns.key.value='x'}", False),
        ("tag.ns.key.value", False),
        ("resource.type != 'computecontainerinstance'", False),
    ],
)
def test_matching_rules(cloud, rule, matches):
    assert authz.rule_matches(rule, _principal(cloud)) is matches


def test_a_group_the_cloud_does_not_hold_grants_nothing(cloud):
    _setup(
        cloud,
        "Allow dynamic-group id ocid1.dynamicgroup.oc1..aaaaaaaaelsewhere to manage objects "
        "in tenancy",
        "Allow group admins to manage objects in tenancy",
        "Allow service objectstorage-us-ashburn-1 to manage objects in tenancy",
    )
    assert not _allowed(cloud, "OBJECT_READ")


def test_any_user_includes_resource_principals(cloud):
    _setup(cloud, "Allow any-user to read objects in tenancy")
    assert _allowed(cloud, "OBJECT_READ")


def test_location_must_contain_the_target_compartment(cloud):
    parent = cloud.create(
        "oci_identity_compartment", compartment_id=cloud.tenancy, name="galley", description="d"
    )
    child = cloud.create(
        "oci_identity_compartment", compartment_id=parent["id"], name="data", description="d"
    )
    sibling = cloud.create(
        "oci_identity_compartment", compartment_id=cloud.tenancy, name="work", description="d"
    )
    _setup(
        cloud,
        "Allow dynamic-group id {group} to read objects in compartment id " + parent["id"],
        "Allow dynamic-group id {group} to manage objects in compartment galley:data",
    )
    principal = _principal(cloud)

    def allowed(compartment, permission="OBJECT_READ"):
        target = authz.Target(compartment, {"target.bucket.name": BUCKET})
        return authz.decide(cloud.world, principal, [permission], target).allowed

    assert allowed(parent["id"])
    assert allowed(child["id"])  # policies inherit downward
    assert not allowed(sibling["id"])
    assert not allowed(cloud.tenancy)
    assert allowed(child["id"], "OBJECT_DELETE")  # a name path below the policy's compartment
    assert not allowed(parent["id"], "OBJECT_DELETE")


def test_every_permission_of_the_call_is_needed(cloud):
    _setup(cloud, "Allow dynamic-group id {group} to read objects in tenancy")
    target = authz.Target(cloud.tenancy, {"target.bucket.name": BUCKET})
    principal = _principal(cloud)
    assert authz.decide(cloud.world, principal, ["OBJECT_READ"], target).allowed
    both = authz.decide(cloud.world, principal, ["OBJECT_READ", "OBJECT_CREATE"], target)
    assert both == authz.Decision(False, None)


def test_a_statement_still_propagating_grants_nothing_yet(cloud, monkeypatch):
    monkeypatch.setenv("OCI_EMULATOR_PACE", "1")
    _setup(cloud, MANAGE_OBJECTS, settled=False)
    target = authz.Target(cloud.tenancy, {"target.bucket.name": BUCKET})
    decision = authz.decide(cloud.world, _principal(cloud), ["OBJECT_READ"], target)
    assert decision.allowed is False
    assert decision.pending_s is not None and 0 < decision.pending_s <= 10
    monkeypatch.setenv("OCI_EMULATOR_PACE", "0")
    assert authz.decide(cloud.world, _principal(cloud), ["OBJECT_READ"], target).allowed


def test_a_removed_statement_stops_granting_at_once(cloud):
    _setup(cloud, MANAGE_OBJECTS)
    (policy,) = [r["attrs"] for r in cloud.world.resources.values() if r["type"].endswith("policy")]
    assert _allowed(cloud, "OBJECT_READ")
    cloud.update(
        "oci_identity_policy",
        policy,
        statements=["Allow any-user to inspect buckets in tenancy where target.bucket.name='x'"],
    )
    assert not _allowed(cloud, "OBJECT_READ")


# --- defined tags in matching rules (scoped instance identity: README, step 2) --------------------

GALLEY = "ocid1.computecontainerinstance.oc1.iad.aaaaaaaagalley"
OTHER = "ocid1.computecontainerinstance.oc1.iad.aaaaaaaaother"


def _tag_rule(cloud):
    """modules/iam's dynamic_group_matching_rule."""
    return (
        "ALL {resource.type='computecontainerinstance', "
        f"resource.compartment.id='{cloud.tenancy}', tag.galley.role.value='galley-instance'}}"
    )


def _tagged(cloud, ocid, **tags):
    return authz.Principal("computecontainerinstance", ocid, cloud.tenancy, cloud.tenancy, tags)


@pytest.mark.parametrize(
    ("rule", "tags", "matches"),
    [
        ("tag.galley.role.value='galley-instance'", {"galley.role": "galley-instance"}, True),
        ("tag.galley.role.value = 'galley-instance'", {"galley.role": "other"}, False),
        ("tag.galley.role.value='galley-instance'", {}, False),
        ("tag.galley.role.value='galley-instance'", {"galley.owner": "galley-instance"}, False),
        # Namespace and key names are case-insensitive; the value is compared as written.
        ("tag.Galley.ROLE.value='galley-instance'", {"galley.role": "galley-instance"}, True),
        ("tag.galley.role.value='Galley-Instance'", {"galley.role": "galley-instance"}, False),
        # The key alone: tagged, whatever the value.
        ("tag.galley.role.value", {"galley.role": "anything"}, True),
        ("tag.galley.role.value", {}, False),
        ("tag.galley.role.value != 'x'", {"galley.role": "y"}, True),
        ("tag.galley.role.value != 'x'", {}, False),
        ("ANY {tag.galley.role.value='a', tag.galley.role.value='b'}", {"galley.role": "b"}, True),
    ],
)
def test_matching_rule_tag_clauses(cloud, rule, tags, matches):
    assert authz.rule_matches(rule, _tagged(cloud, GALLEY, **tags)) is matches


def test_the_tag_rule_matches_the_tagged_instance_and_not_an_untagged_one(cloud):
    rule = _tag_rule(cloud)
    tagged = _tagged(cloud, GALLEY, **{"galley.role": "galley-instance"})
    assert authz.rule_matches(rule, tagged)
    assert not authz.rule_matches(rule, _tagged(cloud, OTHER))  # same compartment, no tag
    assert not authz.rule_matches(rule, _tagged(cloud, OTHER, **{"galley.role": "mine"}))


def _instance(cloud, ocid, tags):
    """A container instance in the cloud's store (only what authorization reads)."""
    cloud.world.resources[ocid] = {
        "type": "oci_container_instances_container_instance",
        "id": ocid,
        "attrs": {"id": ocid, "compartment_id": cloud.tenancy, "defined_tags": tags},
    }


def test_two_instances_in_one_compartment_only_the_tagged_one_gets_galleys_rights(cloud):
    """The store's tags decide, not the principal's token (which carries none): a second
    instance anyone may create in Galley's compartment gets nothing without the tag."""
    _setup(
        cloud,
        MANAGE_OBJECTS,
        "Allow dynamic-group id {group} to read buckets in tenancy",
        rule=_tag_rule(cloud),
    )
    _instance(cloud, GALLEY, {"galley.role": "galley-instance"})
    _instance(cloud, OTHER, {})
    galley, other = _tagged(cloud, GALLEY), _tagged(cloud, OTHER)
    for permission in ("OBJECT_CREATE", "OBJECT_READ", "BUCKET_READ"):
        assert _allowed(cloud, permission, principal=galley)
        assert not _allowed(cloud, permission, principal=other)
    # A tag change applies to the next call: untagged, Galley's instance loses its rights.
    cloud.world.resources[GALLEY]["attrs"]["defined_tags"] = {}
    assert not _allowed(cloud, "OBJECT_READ", principal=galley)
    cloud.world.resources[OTHER]["attrs"]["defined_tags"] = {"galley.role": "galley-instance"}
    assert _allowed(cloud, "OBJECT_READ", principal=other)


def test_the_compartment_only_rule_matches_any_instance_there(cloud):
    """What the tag prevents: with the old rule, every instance in the compartment matched."""
    _setup(cloud, MANAGE_OBJECTS)
    _instance(cloud, OTHER, {})
    assert _allowed(cloud, "OBJECT_CREATE", principal=_tagged(cloud, OTHER))
