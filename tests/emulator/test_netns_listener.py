"""The data plane's OCI endpoints listen inside a container's network namespace, not on the
machine (dataplane/services.py, listen_in_netns): a process in that namespace reaches them on
its own 127.0.0.1, and nothing listens on the machine's.

A network namespace of its own is made with `unshare --net` (what a container's is, without
Docker); that needs root or CAP_SYS_ADMIN, which a machine may lack: then the test skips."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time

import pytest
from oci_emulator.dataplane.services import listen_in_netns

PORT = 18443


@pytest.fixture
def namespace_process():
    if not all(shutil.which(tool) for tool in ("unshare", "nsenter", "ip")):
        pytest.skip("no unshare, nsenter or ip on this machine")
    # Loopback up, as Docker brings it up in a container's namespace.
    process = subprocess.Popen(
        ["unshare", "--net", "sh", "-c", "ip link set lo up && exec sleep 30"]
    )
    time.sleep(0.3)
    if process.poll() is not None:
        pytest.skip("this machine may not create a network namespace (unshare --net)")
    yield process
    process.kill()
    process.wait()


def test_a_process_in_the_namespace_reaches_the_listener_and_the_machine_does_not(
    namespace_process,
):
    listener = listen_in_netns(namespace_process.pid, PORT)
    try:
        listener.setblocking(True)
        listener.settimeout(10)
        # Inside the namespace (loopback only: `unshare --net` brings up nothing else).
        client = subprocess.Popen(
            [
                "nsenter",
                f"--net=/proc/{namespace_process.pid}/ns/net",
                sys.executable,
                "-c",
                "import socket, sys; s = socket.create_connection(('127.0.0.1', int(sys.argv[1])),"
                " timeout=5); s.sendall(b'ping'); s.close()",
                str(PORT),
            ]
        )
        conn, _ = listener.accept()
        with conn:
            assert conn.recv(4) == b"ping"
        assert client.wait(timeout=10) == 0
        # The machine's own loopback has nothing on that port.
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", PORT), timeout=2):
            pass
    finally:
        listener.close()
