"""`python -m galley healthcheck`, the command behind the image's HEALTHCHECK."""


def test_healthy_server(galley, cli):
    # No token needed: the image's HEALTHCHECK only knows the port.
    done = cli("healthcheck", GALLEY_PORT=str(galley.port))
    assert (done.returncode, done.stderr) == (0, "")


def test_nothing_listening(cli, unused_port):
    done = cli("healthcheck", GALLEY_PORT=str(unused_port))
    assert done.returncode == 1
    url = f"http://127.0.0.1:{unused_port}/health"
    assert done.stderr.startswith(f"galley: unhealthy: {url} unreachable")
    assert "Traceback" not in done.stderr


def test_bad_port_setting(cli):
    done = cli("healthcheck", GALLEY_PORT="http")
    assert done.returncode == 1
    assert "GALLEY_PORT='http' is not a whole number" in done.stderr


def test_ignores_proxy_settings(galley, cli):
    # A proxy in the container's environment must not capture the loopback probe.
    proxy = "http://127.0.0.1:9"  # discard port: nothing answers there
    done = cli("healthcheck", GALLEY_PORT=str(galley.port), http_proxy=proxy, HTTP_PROXY=proxy)
    assert done.returncode == 0, done.stderr
