"""Loaded by every Python process whose PYTHONPATH starts with tests/netguard: records each
attempt to reach a non-loopback address (a connect, a datagram sent, or a DNS lookup of a name
that is not local) as a JSON line in $LEGALQA_NETGUARD_LOG. With LEGALQA_NETGUARD_BLOCK=1 the
attempt also fails, so nothing can leave even where no network namespace is available.

Two layers, because no single Python hook sees every event loop:
- audit events (`socket.connect`, `socket.getaddrinfo`, ...) cover the standard library,
  blocking clients and asyncio's own loop, which connects and resolves through `socket`;
- uvloop (what uvicorn picks when it is installed) connects and resolves inside libuv and
  raises no audit event, so its loop's public methods are wrapped the moment it is imported.
A loop written in C that is neither of these would slip past both: that is why the egress
test also counts packets in the kernel (tests/reliability/egress_namespace.py).
"""

import os
import sys

_LOG = os.environ.get("LEGALQA_NETGUARD_LOG")
_BLOCK = os.environ.get("LEGALQA_NETGUARD_BLOCK") == "1"
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", ""}
_INET = (2, 10)  # AF_INET, AF_INET6 (socket is not imported here: sitecustomize runs in every process)


def _is_local(host) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).strip("[]").lower()
    if host in _LOCAL_NAMES or host.startswith("127.") or host in ("::1", "0.0.0.0", "::"):
        return True
    return host.startswith("::ffff:127.")


def _is_address(host) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.decode() if isinstance(host, bytes) else str(host))
        return True
    except ValueError:
        return False


def _record(event: str, target) -> None:
    import json
    import traceback

    with open(_LOG, "a", encoding="utf-8") as out:
        out.write(json.dumps({"event": event, "target": repr(target), "pid": os.getpid(), "argv": sys.argv[:4],
                              "stack": traceback.format_stack(limit=12)[:-2]}) + "\n")
    if _BLOCK:
        raise OSError(f"legalqa netguard: outbound connection to {target!r} refused")


def _outbound_address(address):
    """The (host, port) tuple if it names a remote internet address, else None."""
    if isinstance(address, (tuple, list)) and address and not _is_local(address[0]):
        return tuple(address)
    return None


def _hook(event: str, args) -> None:
    if event in ("socket.connect", "socket.sendto"):
        sock, address = args[0], args[-1]
        if getattr(sock, "family", None) in _INET and _outbound_address(address):
            _record(event, address)
    elif event == "socket.getaddrinfo":
        if not _is_local(args[0]) and not _is_address(args[0]):  # an address literal needs no DNS
            _record(event, args[0])
    elif event == "socket.getnameinfo":  # a reverse lookup of a remote address asks a DNS server
        if _outbound_address(args[0]):
            _record(event, args[0][0])


# What each uvloop method is about to reach, from its arguments (None: nothing remote).
def _arg(args, kwargs, index, name):
    return args[index] if len(args) > index else kwargs.get(name)


def _uvloop_create_connection(args, kwargs):
    host, port = _arg(args, kwargs, 1, "host"), _arg(args, kwargs, 2, "port")
    return None if _is_local(host) else (host, port)


def _uvloop_getaddrinfo(args, kwargs):
    host = _arg(args, kwargs, 0, "host")
    return None if _is_local(host) or _is_address(host) else host


def _uvloop_sock_address(args, kwargs):
    sock, address = _arg(args, kwargs, 0, "sock"), _arg(args, kwargs, 1, "address")
    return _outbound_address(address) if getattr(sock, "family", None) in _INET else None


def _uvloop_datagram(args, kwargs):
    return _outbound_address(_arg(args, kwargs, 2, "remote_addr"))


def _uvloop_getnameinfo(args, kwargs):
    return _outbound_address(_arg(args, kwargs, 0, "sockaddr"))


_UVLOOP_TARGETS = {
    "create_connection": _uvloop_create_connection,
    "getaddrinfo": _uvloop_getaddrinfo,
    "getnameinfo": _uvloop_getnameinfo,
    "sock_connect": _uvloop_sock_address,
    "sock_sendto": _uvloop_sock_address,
    "create_datagram_endpoint": _uvloop_datagram,
}


def _guard_uvloop(uvloop) -> None:
    """Wrap the coroutine methods of uvloop.Loop (the class uvloop.new_event_loop builds)."""
    loop_class = uvloop.Loop
    for name, target_of in _UVLOOP_TARGETS.items():
        original = getattr(loop_class, name, None)
        if original is None or getattr(original, "_netguard", False):
            continue

        async def guarded(self, *args, _original=original, _target_of=target_of, _event=f"uvloop.{name}", **kwargs):
            target = _target_of(args, kwargs)
            if target is not None:
                _record(_event, target)  # raises when blocking, before libuv sees the address
            return await _original(self, *args, **kwargs)

        guarded._netguard = True
        guarded.__name__ = name
        setattr(loop_class, name, guarded)


class _UvloopFinder:
    """Meta-path finder that lets the real finders load uvloop, then wraps its loop."""

    def find_spec(self, name, path=None, target=None):
        if name != "uvloop":
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        exec_module = spec.loader.exec_module

        def exec_and_guard(module):
            exec_module(module)
            _guard_uvloop(module)

        spec.loader.exec_module = exec_and_guard
        return spec


if _LOG:
    sys.addaudithook(_hook)
    if "uvloop" in sys.modules:
        _guard_uvloop(sys.modules["uvloop"])
    else:
        sys.meta_path.insert(0, _UvloopFinder())
