#!/opt/oci-cli/bin/python
"""The `oci` command: the entry script uv writes for oci-cli, with the garbage collector held off
while the CLI loads.

Importing oci_cli.cli makes about 100,000 objects that live until the process ends. Collecting
while they are made (dozens of young-generation passes) and again at exit (a full pass) only
walks them: a quarter of what `oci --version` took. gc.freeze() moves them to the permanent
generation, which no later pass walks; what the command itself allocates is collected as before.
Cycles made during the import are kept until exit (a few hundred objects), which Python does
not promise to finalize at exit anyway. docker/README.md has the figures.
"""

import gc
import sys

gc.disable()
try:
    from oci_cli.cli import cli
finally:
    gc.freeze()
    gc.enable()

if __name__ == "__main__":
    sys.exit(cli())
