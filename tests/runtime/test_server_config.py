"""The uvicorn configuration `python -m galley` serves with."""

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
