"""Galley: an MCP server runtime for OCI."""
