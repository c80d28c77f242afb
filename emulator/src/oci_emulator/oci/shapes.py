"""Container Instance shapes and their flexible OCPU / memory / bandwidth ranges.

Figures follow OCI's Container Instances "Shapes" documentation as last read; the upper OCPU bounds
and the memory ceilings are the least certain (they have changed between releases), so every check
reads them from this one table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .errors import invalid


@dataclass(frozen=True)
class Shape:
    name: str
    processor_description: str
    ocpu_min: float
    ocpu_max: float
    memory_min_gbs: float
    memory_max_gbs: float
    memory_min_per_ocpu: float
    memory_max_per_ocpu: float
    memory_default_per_ocpu: float
    bandwidth_per_ocpu_gbps: float
    bandwidth_max_gbps: float
    vcpus_per_ocpu: int  # x86 OCPUs are two hardware threads, Ampere OCPUs one core

    def memory_range(self, ocpus: float) -> tuple[float, float]:
        low = max(self.memory_min_gbs, ocpus * self.memory_min_per_ocpu)
        high = min(self.memory_max_gbs, ocpus * self.memory_max_per_ocpu)
        return low, high

    def bandwidth(self, ocpus: float) -> float:
        return min(self.bandwidth_max_gbps, ocpus * self.bandwidth_per_ocpu_gbps)


# "Container Instances Shapes": E3/E4 1-64 OCPUs, memory 1 GB (or 1 per OCPU) to 64 GB per
# OCPU and 1024 GB in total, 1 Gbps per OCPU up to 40 Gbps.
_E4 = Shape(
    name="CI.Standard.E4.Flex",
    processor_description="2.55 GHz AMD EPYC\u2122 7J13 (Milan)",
    ocpu_min=1,
    ocpu_max=64,
    memory_min_gbs=1,
    memory_max_gbs=1024,
    memory_min_per_ocpu=1,
    memory_max_per_ocpu=64,
    memory_default_per_ocpu=16,
    bandwidth_per_ocpu_gbps=1,
    bandwidth_max_gbps=40,
    vcpus_per_ocpu=2,
)
_E3 = replace(
    _E4, name="CI.Standard.E3.Flex", processor_description="2.25 GHz AMD EPYC\u2122 7742 (Rome)"
)
# "Container Instances Shapes": A1 up to 76 OCPUs and 64 GB per OCPU, 488 GB in total.
_A1 = replace(
    _E4,
    name="CI.Standard.A1.Flex",
    processor_description="3.0 GHz Ampere\u00ae Altra\u2122",
    ocpu_max=76,
    memory_max_gbs=488,
    memory_default_per_ocpu=6,
    vcpus_per_ocpu=1,
)
SHAPES: dict[str, Shape] = {s.name: s for s in (_E4, _E3, _A1)}


def shape(name: object) -> Shape:
    if not isinstance(name, str) or name not in SHAPES:
        raise invalid(
            f"shape {name!r} is not a container instance shape "
            f"(expected one of: {', '.join(SHAPES)})"
        )
    return SHAPES[name]


def describe(item: Shape) -> dict[str, object]:
    """One ``items`` entry of the container_instance_shapes data source."""
    return {
        "name": item.name,
        "processor_description": item.processor_description,
        "ocpu_options": [{"min": item.ocpu_min, "max": item.ocpu_max}],
        "memory_options": [
            {
                "min_in_gbs": item.memory_min_gbs,
                "max_in_gbs": item.memory_max_gbs,
                "min_per_ocpu_in_gbs": item.memory_min_per_ocpu,
                "max_per_ocpu_in_gbs": item.memory_max_per_ocpu,
                "default_per_ocpu_in_gbs": item.memory_default_per_ocpu,
            }
        ],
        "networking_bandwidth_options": [
            {
                "min_in_gbps": item.bandwidth_per_ocpu_gbps,
                "max_in_gbps": item.bandwidth_max_gbps,
                "default_per_ocpu_in_gbps": item.bandwidth_per_ocpu_gbps,
            }
        ],
    }
