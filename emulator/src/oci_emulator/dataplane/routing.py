"""API Gateway routing: deployment by path prefix, route by path and method, and the backend
URL with its ``${request.*}`` context variables filled in."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from oci_emulator.dataplane.desired import DeploymentSpec, RouteSpec

_PARAM = re.compile(r"^\{(?P<name>[A-Za-z0-9_]+)(?P<wild>\*?)\}$")
_CONTEXT = re.compile(r"\$\{request\.(?P<table>[A-Za-z_]+)(?:\[(?P<key>[^\]]*)\])?\}")


@dataclass(frozen=True)
class Match:
    deployment: DeploymentSpec
    route: RouteSpec
    params: dict[str, str]


def _prefix_matches(prefix: str, path: str) -> bool:
    prefix = prefix.rstrip("/")
    return not prefix or path == prefix or path.startswith(prefix + "/")


def _match_path(pattern: str, path: str) -> dict[str, str] | None:
    """Parameters of ``path`` (raw, still %-encoded) under route ``pattern``, or None."""
    wanted = pattern.split("/")[1:]
    given = path.split("/")[1:] if path.startswith("/") else [path]
    params: dict[str, str] = {}
    for n, segment in enumerate(wanted):
        match = _PARAM.match(segment)
        if match and match["wild"]:
            params[match["name"]] = "/".join(given[n:])
            return params
        if n >= len(given):
            return None
        if match:
            if not given[n]:
                return None
            params[match["name"]] = given[n]
        elif segment != given[n]:
            return None
    return params if len(given) == len(wanted) else None


def _specificity(route: RouteSpec) -> tuple[int, int]:
    # Literal segments win over parameters, and single parameters over a trailing wildcard.
    segments = route.path.split("/")[1:]
    literal = sum(1 for s in segments if not _PARAM.match(s))
    wildcard = 1 if segments and segments[-1].endswith("*}") else 0
    return (-literal, wildcard)


def find_route(
    deployments: Sequence[DeploymentSpec], path: str, method: str
) -> tuple[Match | None, bool]:
    """(match, path_known): path_known is True when a route has the path but not the method."""
    candidates = [d for d in deployments if _prefix_matches(d.path_prefix, path)]
    path_known = False
    for deployment in sorted(candidates, key=lambda d: -len(d.path_prefix.rstrip("/"))):
        rest = path[len(deployment.path_prefix.rstrip("/")) :] or "/"
        for route in sorted(deployment.routes, key=_specificity):
            params = _match_path(route.path, rest)
            if params is None:
                continue
            if "ANY" in route.methods or method.upper() in route.methods:
                return Match(deployment, route, params), True
            path_known = True
    return None, path_known


def render_url(
    template: str,
    params: Mapping[str, str],
    query_string: str,
    headers: Mapping[str, str],
    host: str,
) -> str:
    """The backend URL for one request; the request's query string is passed on unchanged."""
    query = dict(parse_qsl(query_string, keep_blank_values=True))

    def value(ref: re.Match[str]) -> str:
        table, key = ref["table"], ref["key"] or ""
        if table == "path":
            return params.get(key, "")
        if table == "query":
            return query.get(key, "")
        if table == "headers":
            return headers.get(key.lower(), "")
        if table == "host":
            return host
        return ""  # auth, cert, subdomain: no such context here

    url = _CONTEXT.sub(value, template)
    if query_string:
        url += ("&" if "?" in url else "?") + query_string
    return url
