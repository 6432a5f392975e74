"""A network namespace whose only way out is counted by the kernel.

`unshare -rnm` gives a process tree its own network stack. Inside it, loopback works as usual
and a veth interface, `egress0`, carries the default routes for IPv4 and IPv6; its far end
answers nothing, so a connection attempt fails within seconds and never leaves the machine.
/etc/resolv.conf is replaced (in the private mount namespace only) by one naming a TEST-NET
nameserver, so DNS lookups take the same road. Every packet any process sends off loopback,
whatever its language or event loop (asyncio, uvloop, libuv, Chromium), is counted in
egress0's transmit counter; the Python socket guard says who sent it, the counter says that
something did even where the guard cannot see.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

# Runs as `sh -c SETUP sh COUNTS argv...`; writes "<packets before> <packets after>" to COUNTS,
# then the neighbour table of egress0: every address something tried to reach (each is on-link).
SETUP = r"""
set -e
counts=$1; shift
ip link set lo up
ip link add egress0 type veth peer name egress1
ip link set egress0 addrgenmode none
ip link set egress1 addrgenmode none
ip link set egress1 up
ip link set egress0 up
ip addr add 198.18.0.2/32 dev egress0
ip -6 addr add 2001:db8::2/128 dev egress0 nodad
ip route add default dev egress0
ip -6 route add default dev egress0
resolv=$(mktemp)
printf 'nameserver 192.0.2.53\noptions timeout:1 attempts:1\n' > "$resolv"
mount --bind "$resolv" /etc/resolv.conf
sent() { awk '$1 == "egress0:" { print $11 }' /proc/net/dev; }
sleep 2  # adding the IPv6 address announces it once; let that pass before counting
before=$(sent)
set +e
"$@"
code=$?
echo "$before $(sent)" > "$counts"
ip neigh show dev egress0 >> "$counts"
ip -6 neigh show dev egress0 >> "$counts"
exit $code
"""


def inside(argv: list[str], counts: Path) -> list[str]:
    """The command line that runs argv in a fresh counted namespace."""
    return ["unshare", "-rnm", "sh", "-c", SETUP, "sh", str(counts), *argv]


def packets_sent(counts: Path) -> int:
    """Packets sent through egress0 while the command ran (not during set-up)."""
    before, after = map(int, counts.read_text().splitlines()[0].split())
    return after - before


def destinations(counts: Path) -> list[str]:
    """The addresses the kernel tried to reach through egress0 (its neighbour table at the end)."""
    return sorted({line.split()[0] for line in counts.read_text().splitlines()[1:] if line.strip()})


def can_unshare(tmp_path: Path) -> tuple[bool, str]:
    """Whether the counted namespace can be built here, and the kernel counts a connect in it."""
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False, "unshare or ip is not installed"
    counts = tmp_path / "probe-counts"
    probe = [sys.executable, "-c", "import socket\ntry: socket.create_connection(('192.0.2.1', 80), timeout=5)\n"
             "except OSError: pass"]
    done = subprocess.run(inside(probe, counts), capture_output=True, text=True, timeout=60)
    if done.returncode != 0 or not counts.exists():
        return False, f"a counted network namespace is not permitted here: {done.stderr.strip()[-300:]}"
    if packets_sent(counts) < 1:
        return False, "the namespace was built but the kernel counted no packet for a connect"
    return True, "ok"
