"""The OCI service error shape: HTTP status, service error code and a message naming the value."""

from __future__ import annotations


class OciError(Exception):
    """An error the emulated OCI API answers with; ``str(e)`` reads like the real provider's."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status}-{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def invalid(message: str) -> OciError:
    return OciError(400, "InvalidParameter", message)


def not_found(kind: str, ocid: str) -> OciError:
    return OciError(404, "NotAuthorizedOrNotFound", f"{kind} {ocid} not found")


def conflict(message: str, code: str = "Conflict") -> OciError:
    return OciError(409, code, message)


def limit_exceeded(message: str) -> OciError:
    return OciError(400, "LimitExceeded", message)
