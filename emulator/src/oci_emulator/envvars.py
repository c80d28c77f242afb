"""The environment variables the emulator reads: their names, in one place.

Imports nothing, so the tiny plugin processes Terraform starts can load it for free.
"""

STATE_DIR_ENV = "OCI_EMULATOR_STATE_DIR"  # the emulated cloud's directory
REGION_ENV = "OCI_EMULATOR_REGION"  # region of a new cloud when the provider block sets none
HOME_REGION_ENV = "OCI_EMULATOR_HOME_REGION"  # the tenancy's home region (IAM writes go there)
SCHEMA_DIR_ENV = "OCI_EMULATOR_SCHEMA_DIR"  # provider schema + behaviour files
PYTHON_ENV = "OCI_EMULATOR_PYTHON"  # the interpreter the mirror's launchers run
DAEMON_ENV = "OCI_EMULATOR_DAEMON"  # control socket of the warm daemon (warm.py)
# The emulated tenancy's OCID, exported by EmulatedCloud for configurations that must name it
# (live/local/env.hcl: its iam unit looks up the tenancy's home region).
TENANCY_ID_ENV = "OCI_EMULATOR_TENANCY_ID"
MODE_ENV = "OCI_EMULATOR_MODE"  # harness default: "reattach" or "mirror"
