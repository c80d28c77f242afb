"""The emulator's data plane: what the emulated cloud holds, made real on this machine.

The control plane (the Terraform provider) records desired state in the cloud's store; the data
plane reconciles this machine with it, over and over:

- container instances run as Docker containers (``containers``, ``health``), their private IPs
  named in an address map (``addresses``) that points at ports published on 127.0.0.1 only;
- API Gateway deployments are served over HTTPS on 127.0.0.1 (``listeners``, ``proxy``,
  ``routing``, ``policies``) with a CA made per emulated cloud (``ca``);
- ``reconcile`` compares what the store holds (``desired``) with what runs, ``daemon`` keeps
  that loop alive in the background (pidfile and status under ``<state dir>/dataplane``), and
  ``admission`` lets the provider refuse an apply the way OCI's work request would fail.

Optional: without a Docker engine nothing starts and the emulator keeps its records-only
behaviour. Nothing here ever connects to an emulated private address: every backend is reached
through its published loopback port.
"""
