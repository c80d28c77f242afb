"""The uvicorn configuration `python -m galley` serves with."""

from galley.http_protocol import BoundedH11Protocol
from galley.runtime_state import RuntimeState
from galley.server import build_config
from galley.settings import DEFAULT_HOST, DEFAULT_PORT, load_settings

# A typical idle timeout of proxies for pooled upstream connections.
PROXY_IDLE_TIMEOUT_SECONDS = 60


def test_keep_alive_outlasts_the_proxies_idle_timeout(tmp_path):
    settings = load_settings(
        {"GALLEY_URL_TOKEN": "0123456789abcdef", "GALLEY_DATA_DIR": str(tmp_path)}
    )
    config = build_config(settings, RuntimeState())
    assert config.timeout_keep_alive == 75
    assert config.timeout_keep_alive > PROXY_IDLE_TIMEOUT_SECONDS
    assert (config.host, config.port, config.ws, config.server_header) == (
        DEFAULT_HOST,
        DEFAULT_PORT,
        "none",
        False,
    )


def test_requests_are_read_under_time_limits(tmp_path):
    settings = load_settings(
        {"GALLEY_URL_TOKEN": "0123456789abcdef", "GALLEY_DATA_DIR": str(tmp_path)}
    )
    config = build_config(settings, RuntimeState())
    # The class itself (never "auto", which would pick httptools when installed): its limits are
    # exercised in test_connections.py.
    assert config.http is BoundedH11Protocol
    assert BoundedH11Protocol.head_timeout < config.timeout_keep_alive
    assert BoundedH11Protocol.body_idle_timeout < config.timeout_keep_alive


def test_accept_backlog_and_connection_cap(tmp_path):
    """asyncio accepts up to `backlog` connections per turn and, out of file descriptors, logs
    a traceback for each try: uvicorn's 2048 made one event thousands of lines."""
    import resource

    from galley.http_protocol import MAX_CONNECTIONS, RESERVED_FDS, connection_cap
    from galley.server import BACKLOG

    settings = load_settings(
        {"GALLEY_URL_TOKEN": "0123456789abcdef", "GALLEY_DATA_DIR": str(tmp_path)}
    )
    config = build_config(settings, RuntimeState())
    assert config.backlog == BACKLOG <= 128
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    cap = connection_cap()
    assert cap <= MAX_CONNECTIONS
    if soft != resource.RLIM_INFINITY:
        assert cap <= soft - RESERVED_FDS
