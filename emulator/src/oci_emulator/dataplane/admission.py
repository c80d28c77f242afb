"""What the provider asks the data plane before it records a container instance.

OCI creates a container instance through a work request that pulls each image; when a pull
fails, the work request fails and the provider's apply fails with it. With a data plane running
for the cloud, an image the local engine does not hold under the exact ``image_url`` fails the
apply the same way, naming the image. Without a data plane (no daemon for this cloud) nothing is
checked: the emulator records resources as it always did.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oci_emulator import ocids
from oci_emulator.dataplane.daemon import running_pid

INSTANCE = "oci_container_instances_container_instance"


def refusal(state_dir: Path, type_name: str, planned: dict[str, Any], region: str) -> str | None:
    """The provider error for an apply the data plane cannot run, or None."""
    if type_name != INSTANCE or running_pid(state_dir) is None:
        return None
    images = [c.get("image_url") for c in planned.get("containers") or []]
    wanted = [i for i in images if isinstance(i, str) and i]
    if not wanted:
        return None
    from oci_emulator.dataplane.daemon import DataPlaneUnavailable, docker_client

    try:
        client = docker_client()
    except DataPlaneUnavailable:
        return None  # the daemon will say so in its status; the record is still made
    import docker.errors

    missing = []
    for image in wanted:
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound:
            missing.append(image)
    if not missing:
        return None
    work_request = ocids.new_ocid("computecontainerinstanceworkrequest", region)
    reasons = "\n".join(
        f"Failed to pull image {image}: not found (the emulator never pulls: build or tag "
        "the image under exactly this reference in the local Docker engine)"
        for image in missing
    )
    return (
        f"work request did not succeed, workId: {work_request}, entity: containerinstance, "
        f"action: CREATED. Message: {reasons}"
    )
