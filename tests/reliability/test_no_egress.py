"""Nothing leaves the machine: the whole flow with only loopback, counting every outbound attempt.

Inside the counted namespace of egress_namespace.py (loopback, plus one veth route to nowhere
whose transmit counter the kernel keeps) the socket guard records attempts without blocking
them, and the kernel counts every packet that tries to leave, from any process and any event
loop. Both counts must be zero. Where namespaces are not allowed, the guard blocks as well as
records (it sees asyncio through audit events and uvloop through its wrapped loop).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.reliability import egress_namespace
from tests.reliability.figures import record_figures

GUARD = ROOT / "tests" / "netguard"
OFFLINE_SWITCHES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "ANONYMIZED_TELEMETRY", "GRADIO_ANALYTICS_ENABLED")


def run_flow(tmp_path, namespace: bool) -> tuple[dict, list[dict], int | None]:
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("Debian's chromium is missing (`make test` installs it)")
    log = tmp_path / "outbound.jsonl"
    out = tmp_path / "flow.json"
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_SWITCHES}
    env.update(PYTHONPATH=os.pathsep.join([str(GUARD), str(ROOT)]), LEGALQA_NETGUARD_LOG=str(log),
               LEGALQA_NETGUARD_BLOCK="0" if namespace else "1")

    def inside(argv: list[str], counts) -> list[str]:
        return egress_namespace.inside(argv, counts) if namespace else argv

    # The guard itself: a connect and a DNS lookup from a child process are both counted.
    probe = ("import socket\nfor call in (lambda: socket.create_connection(('192.0.2.1', 80), timeout=1), "
             "lambda: socket.getaddrinfo('example.org', 443)):\n    try: call()\n    except OSError: pass")
    probe_counts = tmp_path / "guard-probe-counts"
    subprocess.run(inside([sys.executable, "-c", probe], probe_counts), env=env, cwd=ROOT, timeout=60)
    recorded = {(a["event"], a["target"]) for a in map(json.loads, log.read_text().splitlines())}
    assert {("socket.connect", "('192.0.2.1', 80)"), ("socket.getaddrinfo", "'example.org'")} <= recorded, recorded
    if namespace:  # and the kernel: a connect and a DNS query, each a few ARP requests on egress0
        assert egress_namespace.packets_sent(probe_counts) >= 2
    log.unlink()

    flow = [sys.executable, "-m", "tests.reliability.egress_flow", str(tmp_path / "work"), str(out)]
    counts = tmp_path / "flow-counts"
    done = subprocess.run(inside(flow, counts), env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    attempts = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    packets = (egress_namespace.packets_sent(counts), egress_namespace.destinations(counts)) if namespace else None
    return json.loads(out.read_text()), attempts, packets


def check(result: dict, attempts: list[dict], packets: tuple[int, list[str]] | None, variant: str) -> None:
    assert result["ingest"]["code"] == 0, result["ingest"]
    assert result["ask"]["code"] == 0 and result["ask"]["citations"], result["ask"]
    assert result["gradio_client"]["citations"]
    assert result["browser"]["cards"] >= 1
    refused = {route: status for route, status in result["server_fetch"].items()
               if not (isinstance(status, int) and 400 <= status < 500)}
    assert not refused, f"the server did not refuse to fetch an outside URL: {refused}"
    shown = [(a["event"], a["target"], a["argv"], "".join(a["stack"][-3:])) for a in attempts]
    assert not attempts, f"outbound attempts: {shown[:5]}"
    assert not result["browser"]["outside_requests"], result["browser"]["outside_requests"]
    sent, destinations = packets or (None, [])
    assert not sent, (f"the kernel saw {sent} packets try to leave loopback, for {destinations} "
                      f"(192.0.2.53 is a DNS lookup); the guard saw {len(attempts)} attempts")
    record_figures(f"no_egress_{variant}", {
        "outbound_attempts": len(attempts), "browser_requests_elsewhere": len(result["browser"]["outside_requests"]),
        "packets_off_loopback": sent, "server_fetches_refused": len(result["server_fetch"]),
        "steps": ["ingest", "ask", "serve", "gradio_client", "chromium", "server_fetch"],
        "offline_switches_unset": list(OFFLINE_SWITCHES),
    })


def test_whole_flow_in_a_loopback_only_namespace(tmp_path):
    allowed, why = egress_namespace.can_unshare(tmp_path)
    if not allowed:
        pytest.skip(why)
    check(*run_flow(tmp_path, namespace=True), "namespace")


def test_whole_flow_with_the_socket_guard_blocking(tmp_path):
    """Where namespaces are allowed, the one above already counts attempts; this runs elsewhere."""
    allowed, _ = egress_namespace.can_unshare(tmp_path)
    if allowed:
        pytest.skip("covered by the network-namespace run (the guard records there too)")
    check(*run_flow(tmp_path, namespace=False), "guard")
