"""Nothing leaves the machine: the whole flow with only loopback, counting every outbound attempt.

Inside `unshare -rn` (a network namespace with nothing but `lo`) the socket guard records
attempts without blocking them, so a call that would leave is counted even though it cannot
get out. Where unshare is not allowed, the guard blocks as well as records.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.reliability.figures import record_figures

GUARD = ROOT / "tests" / "netguard"
OFFLINE_SWITCHES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "ANONYMIZED_TELEMETRY", "GRADIO_ANALYTICS_ENABLED")


def can_unshare() -> tuple[bool, str]:
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False, "unshare or ip is not installed"
    probe = subprocess.run(["unshare", "-rn", "sh", "-c", "ip link set lo up && ip -o link"], capture_output=True,
                           text=True, timeout=30)
    if probe.returncode != 0:
        return False, f"unshare -rn is not permitted here: {probe.stderr.strip()[:200]}"
    links = [line.split(":")[1].strip() for line in probe.stdout.splitlines()]
    return links == ["lo"], f"namespace links: {links}"


def run_flow(tmp_path, namespace: bool) -> tuple[dict, list[dict]]:
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("Debian's chromium is missing (`make test` installs it)")
    log = tmp_path / "outbound.jsonl"
    out = tmp_path / "flow.json"
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_SWITCHES}
    env.update(PYTHONPATH=os.pathsep.join([str(GUARD), str(ROOT)]), LEGALQA_NETGUARD_LOG=str(log),
               LEGALQA_NETGUARD_BLOCK="0" if namespace else "1")

    def inside(argv: list[str]) -> list[str]:
        return ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *argv] if namespace else argv

    # The guard itself: a connect and a DNS lookup from a child process are both counted.
    probe = ("import socket\nfor call in (lambda: socket.create_connection(('192.0.2.1', 80), timeout=1), "
             "lambda: socket.getaddrinfo('example.org', 443)):\n    try: call()\n    except OSError: pass")
    subprocess.run(inside([sys.executable, "-c", probe]), env=env, cwd=ROOT, timeout=60)
    recorded = {(a["event"], a["target"]) for a in map(json.loads, log.read_text().splitlines())}
    assert {("socket.connect", "('192.0.2.1', 80)"), ("socket.getaddrinfo", "'example.org'")} <= recorded, recorded
    log.unlink()

    flow = [sys.executable, "-m", "tests.reliability.egress_flow", str(tmp_path / "work"), str(out)]
    done = subprocess.run(inside(flow), env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    attempts = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return json.loads(out.read_text()), attempts


def check(result: dict, attempts: list[dict], variant: str) -> None:
    assert result["ingest"]["code"] == 0, result["ingest"]
    assert result["ask"]["code"] == 0 and result["ask"]["citations"], result["ask"]
    assert result["gradio_client"]["citations"]
    assert result["browser"]["cards"] >= 1
    shown = [(a["event"], a["target"], a["argv"], "".join(a["stack"][-3:])) for a in attempts]
    assert not attempts, f"outbound attempts: {shown[:5]}"
    assert not result["browser"]["outside_requests"], result["browser"]["outside_requests"]
    record_figures(f"no_egress_{variant}", {
        "outbound_attempts": len(attempts), "browser_requests_elsewhere": len(result["browser"]["outside_requests"]),
        "steps": ["ingest", "ask", "serve", "gradio_client", "chromium"],
        "offline_switches_unset": list(OFFLINE_SWITCHES),
    })


def test_whole_flow_in_a_loopback_only_namespace(tmp_path):
    allowed, why = can_unshare()
    if not allowed:
        pytest.skip(why)
    check(*run_flow(tmp_path, namespace=True), "namespace")


def test_whole_flow_with_the_socket_guard_blocking(tmp_path):
    """Where namespaces are allowed, the one above already counts attempts; this runs elsewhere."""
    allowed, _ = can_unshare()
    if allowed:
        pytest.skip("covered by the network-namespace run (the guard records there too)")
    check(*run_flow(tmp_path, namespace=False), "guard")
