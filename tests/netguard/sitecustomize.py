"""Loaded by every Python process whose PYTHONPATH starts with tests/netguard: records each
attempt to reach a non-loopback address (socket connect, sendto, or a DNS lookup of a name
that is not local) as a JSON line in $LEGALQA_NETGUARD_LOG. With LEGALQA_NETGUARD_BLOCK=1 the
attempt also fails, so nothing can leave even where no network namespace is available."""

import os
import sys

_LOG = os.environ.get("LEGALQA_NETGUARD_LOG")
_BLOCK = os.environ.get("LEGALQA_NETGUARD_BLOCK") == "1"
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", ""}


def _is_local(host) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).strip("[]").lower()
    if host in _LOCAL_NAMES or host.startswith("127.") or host in ("::1", "0.0.0.0", "::"):
        return True
    return host.startswith("::ffff:127.")


def _record(event: str, target) -> None:
    import json
    import traceback

    with open(_LOG, "a", encoding="utf-8") as out:
        out.write(json.dumps({"event": event, "target": repr(target), "pid": os.getpid(), "argv": sys.argv[:4],
                              "stack": traceback.format_stack(limit=12)[:-2]}) + "\n")
    if _BLOCK:
        raise OSError(f"legalqa netguard: outbound connection to {target!r} refused")


def _hook(event: str, args) -> None:
    if event in ("socket.connect", "socket.sendto"):
        sock, address = args[0], args[-1]
        if getattr(sock, "family", None) in (2, 10) and isinstance(address, tuple) and not _is_local(address[0]):
            _record(event, address)
    elif event == "socket.getaddrinfo":
        if not _is_local(args[0]) and not _is_address(args[0]):  # an address literal needs no DNS
            _record(event, args[0])


def _is_address(host) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.decode() if isinstance(host, bytes) else str(host))
        return True
    except ValueError:
        return False


if _LOG:
    sys.addaudithook(_hook)
