"""A container instance's image pull from OCIR, as far as IAM propagation decides it.

OCI pulls a private OCIR image with the instance's resource principal (a dynamic group) when the
container has no image pull secret; the right is a statement like
`Allow dynamic-group <g> to read repos in <location> where target.repo.name = '<repo>'`.
What the emulator checks, narrowly (everything it cannot evaluate counts in the instance's
favour):
- only containers whose `image_url` is on an OCIR host (`*.ocir.io`,
  `ocir.<region>.oci.oraclecloud.com`) and that the instance has no `image_pull_secrets` for;
- statements naming a dynamic group that matches the instance: a group in the cloud matches
  by its matching rule when every clause compares `resource.type`, `resource.compartment.id`
  or `resource.id` with a quoted value (`ALL {...}`, `ANY {...}` or one clause); a group the
  cloud does not hold, or a rule with other clauses, counts as matching;
- `read` (or more) on `repos` / `all-resources`, with the `where` clause evaluated on
  `target.repo.name`; the statement's location is not (the repository's compartment is unknown);
- no such statement: nothing is checked (the image may be public, or the right may come from
  elsewhere), as before. Such statements exist but none is in effect yet (propagation.py): the
  create fails as OCI's work request does when a pull fails.
"""

from __future__ import annotations

import re
from typing import Any

from . import propagation
from . import world as w
from .errors import OciError
from .iam_policy import Need, Subject, grants
from .ocids import new_ocid

Attrs = dict[str, Any]

PULL_NEED = Need("read", frozenset({"repos"}), "REPOSITORY_READ")
_OCIR_IMAGE = re.compile(
    r"^(?P<host>[a-z0-9-]+\.ocir\.io|ocir\.[a-z0-9-]+\.oci\.oraclecloud\.com)"
    r"/(?P<namespace>[^/]+)/(?P<repo>[^:@]+)"
)
_CLAUSE = re.compile(r"^\s*(resource\.[a-z.]+)\s*(=|!=)\s*'([^']*)'\s*$", re.IGNORECASE)
_GROUPED = re.compile(r"^\s*(all|any)\s*\{(.*)\}\s*$", re.IGNORECASE | re.DOTALL)
_INSTANCE_TYPE = "computecontainerinstance"


class WorkRequestFailed(OciError):
    """A create whose work request failed: the provider prints the work request's message."""

    def __init__(self, message: str) -> None:
        super().__init__(400, "WorkRequestFailed", message)
        self.args = (message,)

    def __str__(self) -> str:
        return self.message


def _rule_matches(rule: str, variables: dict[str, str]) -> bool:
    grouped = _GROUPED.match(rule)
    kind, body = (grouped.group(1).lower(), grouped.group(2)) if grouped else ("all", rule)
    results = []
    for clause in body.split(","):
        found = _CLAUSE.match(clause)
        if found is None or found.group(1).lower() not in variables:
            return True  # a clause the emulator cannot evaluate: cannot disprove the match
        name, operator, value = found.group(1).lower(), found.group(2), found.group(3)
        results.append((variables[name] == value) == (operator == "="))
    return any(results) if kind == "any" else all(results)


def _matches_instance(world: w.WorldView, subject: Subject, variables: dict[str, str]) -> bool:
    if subject.kind == "any-user":
        return True
    if subject.kind != "dynamic-group":
        return False
    wanted = subject.value.rsplit("/", 1)[-1].lower()
    for group in w.of_type(world, "oci_identity_dynamic_group"):
        if wanted in (str(group["id"]).lower(), str(group["attrs"].get("name")).lower()):
            return _rule_matches(str(group["attrs"].get("matching_rule") or ""), variables)
    return True  # not in the cloud (made outside it): cannot disprove the match


def check(attrs: Attrs, world: w.WorldView) -> None:
    """Refuse the create when a pull right exists for an image but none is in effect yet."""
    if attrs.get("image_pull_secrets"):
        return  # pulls with credentials, not the resource principal (narrowly: any secret)
    instance = {
        "resource.type": _INSTANCE_TYPE,
        "resource.compartment.id": str(attrs.get("compartment_id")),
        "resource.id": str(attrs.get("id")),
    }
    for container in attrs.get("containers") or []:
        image = str(container.get("image_url") or "")
        found = _OCIR_IMAGE.match(image)
        if found is None:
            continue
        left = list(
            grants(
                world,
                lambda s: _matches_instance(world, s, instance),
                PULL_NEED,
                None,
                {"target.repo.name": found.group("repo")},
            )
        )
        if left and min(left) > 0:
            raise WorkRequestFailed(
                f"work request did not succeed, workId: "
                f"{new_ocid('computecontainerinstanceworkrequest', world.region)}, entity: "
                f"containerinstance, action: CREATED. Message: Failed to pull image {image}: "
                f"not authorized to read repository {found.group('repo')!r}; "
                f"{propagation.pending_note(world, min(left))}"
            )
