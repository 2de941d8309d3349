"""The upper-tester API: a till driven over JSON/HTTP, and the reference till served that way.

A POS vendor implements the API (``docs/upper-tester.openapi.yaml``, guide in
``docs/upper-tester.md``) beside their POS; the harness drives it with the ``http://``
target (:mod:`harness.targets.http`) while it plays the printer, drawer and payment
terminal the POS uses. This package holds both sides of that contract:

* :mod:`~harness.upper_tester.api`: the endpoints as data (paths, request members, results);
* the reference implementation, ``kassakontroll till serve``
  (:mod:`harness.cli_till_serve`): :mod:`~harness.upper_tester.server` (HTTP),
  :mod:`~harness.upper_tester.supervisor` (the till's process, sessions, kill-and-restart),
  :mod:`~harness.upper_tester.worker` and :mod:`~harness.upper_tester.till_session` (the
  till in its own process);
* the harness's side: :mod:`~harness.upper_tester.client` (the HTTP client),
  :mod:`~harness.upper_tester.device_bench` (the devices the POS reaches, alive for the
  whole test run, fresh emulators per scenario) and :mod:`~harness.upper_tester.spawn`
  (starting the reference server as a child process; :mod:`~harness.upper_tester.processes`
  sets up the children's environment).
"""

from __future__ import annotations

__all__: list[str] = []
