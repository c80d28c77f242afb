"""Stand-in modules written from the interface in plan/contract.md ("Terraform modules").

They let the checker be proven on a copy of the live layer independently of the real modules,
which the tests also check directly.
"""

from __future__ import annotations

from pathlib import Path

COMMON = {"compartment_id": None, "name_prefix": '"galley"', "freeform_tags": "{}"}
# variable -> default (None = required); outputs
CONTRACT: dict[str, tuple[dict[str, str | None], list[str]]] = {
    "network": (
        {
            "vcn_cidr": '"10.0.0.0/16"',
            "public_subnet_cidr": '"10.0.1.0/24"',
            "private_subnet_cidr": '"10.0.2.0/24"',
            "galley_port": "8000",
            "https_port": "443",
        },
        [
            "vcn_id",
            "public_subnet_id",
            "private_subnet_id",
            "public_subnet_cidr",
            "private_subnet_cidr",
            "internet_gateway_id",
            "nat_gateway_id",
            "service_gateway_id",
        ],
    ),
    "object-storage": ({"kms_key_id": "null"}, ["bucket_name", "bucket_namespace", "bucket_id"]),
    "iam": (
        {
            "tenancy_id": "null",
            "dynamic_group_id": None,
            "bucket_name": None,
            "galley_work_compartment_id": "null",
            "policy_compartment_id": "null",
            "image_repository_name": '"galley"',
            "image_repository_compartment_id": "null",
        },
        ["policy_id", "policy_name", "policy_statements"],
    ),
    "container-instance": (
        {
            "region": None,
            "availability_domain": "null",
            "subnet_id": None,
            "subnet_cidr": None,
            "private_ip": "null",
            "shape": '"CI.Standard.E4.Flex"',
            "ocpus": "1",
            "memory_in_gbs": "2",
            "galley_image_url": "null",
            "image_namespace": None,
            "image_tag": '"0.1.0"',
            "galley_port": "8000",
            "galley_data_dir": '"/var/lib/galley"',
            "url_token": "null",
            "bucket_name": None,
            "bucket_namespace": None,
        },
        ["container_instance_id", "private_ip", "backend_url", "url_token"],
    ),
    "api-gateway": (
        {
            "subnet_id": None,
            "backend_ip": None,
            "backend_port": "8000",
            "path_prefix": '"/galley"',
        },
        ["gateway_id", "deployment_id", "hostname", "endpoint_base_url"],
    ),
}


def write_contract_modules(modules_root: Path, provider_source: str = "oracle/oci") -> None:
    for name, (variables, outputs) in CONTRACT.items():
        module = modules_root / name
        module.mkdir(parents=True, exist_ok=True)
        lines = []
        for var, default in {**COMMON, **variables}.items():
            body = "" if default is None else f"\n  default = {default}\n"
            lines.append(f'variable "{var}" {{{body}}}\n')
        (module / "variables.tf").write_text("\n".join(lines))
        (module / "outputs.tf").write_text(
            "\n".join(f'output "{o}" {{\n  value = "x"\n}}\n' for o in outputs)
        )
        (module / "versions.tf").write_text(
            "terraform {\n  required_providers {\n"
            f'    oci = {{\n      source = "{provider_source}"\n    }}\n'
            "  }\n}\n"
        )
