"""Checks that the data directory exists and can really be written to."""

import tempfile
from pathlib import Path


def data_dir_problem(path: Path) -> str | None:
    """Return why `path` cannot hold Galley's data, or None when it can.

    Writes and removes a probe file instead of trusting permission bits: as root
    (the container's default user) os.access() answers yes for almost anything,
    while a read-only mount or a path that is not a directory still fails here.
    """
    if not path.is_dir():
        return f"{path} is not a directory" if path.exists() else f"{path} does not exist"
    try:
        with tempfile.TemporaryFile(dir=path, prefix=".galley-probe-"):
            pass
    except OSError as exc:
        return f"{path} is not writable ({exc.strerror or exc})"
    return None


def ensure_data_dir(path: Path) -> str | None:
    """Create `path` if missing; return why it is unusable, or None when it is usable."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create {path} ({exc.strerror or exc})"
    return data_dir_problem(path)
