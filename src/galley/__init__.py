"""Galley: an MCP server runtime for OCI."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("galley")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
