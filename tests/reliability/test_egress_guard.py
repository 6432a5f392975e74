"""The egress guard sees a served app reach out, on either event loop uvicorn may choose.

A planted app (planted_egress.py) looks up example.org and connects to 192.0.2.1:80 from
inside a request. uvicorn picks uvloop when it is installed, and uvloop connects and resolves
in libuv, where Python's audit events never fire; so the uvloop case is the one that proves
the guard is not blind. Each case checks the server really ran on that loop.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.reliability import egress_namespace

GUARD = ROOT / "tests" / "netguard"
LOOP_CLASSES = {"uvloop": "uvloop.Loop", "asyncio": "asyncio.unix_events._UnixSelectorEventLoop"}
PLANTED = {"('192.0.2.1', 80)", "'example.org'"}


def run_planted(tmp_path, loop: str, *, namespace: bool) -> tuple[dict, list[dict], int | None]:
    """The driver's result, the guard's records of the server process, and egress0's packet count."""
    log, out, counts = tmp_path / "outbound.jsonl", tmp_path / "planted.json", tmp_path / "counts"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(GUARD), str(ROOT)]), "LEGALQA_NETGUARD_LOG": str(log),
           "LEGALQA_NETGUARD_BLOCK": "0" if namespace else "1"}
    argv = [sys.executable, "-m", "tests.reliability.planted_egress", "drive", loop, str(out)]
    done = subprocess.run(egress_namespace.inside(argv, counts) if namespace else argv, env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["reply"]["loop"] == LOOP_CLASSES[loop], result  # the loop under test really served
    records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    server = [r for r in records if r["pid"] == result["server_pid"]]
    return result, server, egress_namespace.packets_sent(counts) if namespace else None


@pytest.mark.parametrize("loop", ["uvloop", "asyncio"])
def test_blocking_guard_records_and_refuses_a_planted_outbound_call(tmp_path, loop):
    result, server, _ = run_planted(tmp_path, loop, namespace=False)
    assert {r["target"] for r in server} >= PLANTED, [(r["event"], r["target"]) for r in server]
    outcomes = result["reply"]["outcomes"]
    assert "netguard" in outcomes["getaddrinfo"] and "netguard" in outcomes["open_connection"], outcomes
    assert outcomes["httpx"] != "connected", outcomes


@pytest.mark.parametrize("loop", ["uvloop", "asyncio"])
def test_namespace_counts_a_planted_outbound_call_in_the_kernel_and_the_guard(tmp_path, loop):
    allowed, why = egress_namespace.can_unshare(tmp_path)
    if not allowed:
        pytest.skip(why)
    result, server, packets = run_planted(tmp_path, loop, namespace=True)
    assert {r["target"] for r in server} >= PLANTED, [(r["event"], r["target"]) for r in server]
    # A DNS query and three connects, each a few ARP requests on egress0: whatever the loop does, the kernel saw it.
    assert packets >= 4, (packets, result)
    assert "connected" not in result["reply"]["outcomes"].values(), result
