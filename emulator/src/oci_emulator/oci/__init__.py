"""OCI API rules and data sources of the emulated cloud; the entry points are in ``api``."""
