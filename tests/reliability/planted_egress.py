"""A served app with an outbound call planted in it, to prove the egress guard sees one.

`serve LOOP PORT` runs a tiny ASGI app with uvicorn on the named event loop ("uvloop" or
"asyncio"); GET /reach makes it look up example.org and connect to 192.0.2.1:80 (TEST-NET-1,
which routes nowhere) the ways a web server does: the loop's own calls and httpx, which
Gradio uses to fetch URLs. `drive LOOP OUT` starts that server, asks for /reach over
loopback, stops it and writes the server's pid and reply to OUT. test_egress_guard.py runs
the driver with the socket guard on, and inside the counted namespace where allowed.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = ("192.0.2.1", 80)
NAME = "example.org"


async def reach() -> dict:
    """Each planted attempt, and how it ended (every one of them should fail)."""
    import httpx

    loop = asyncio.get_running_loop()
    attempts = {
        "getaddrinfo": lambda: loop.getaddrinfo(NAME, 80),
        "open_connection": lambda: asyncio.open_connection(*TARGET),
        "httpx": lambda: httpx.AsyncClient(trust_env=False).get(f"http://{TARGET[0]}/x"),
    }
    outcomes = {}
    for name, attempt in attempts.items():
        try:
            await asyncio.wait_for(attempt(), timeout=10)
            outcomes[name] = "connected"
        except BaseException as error:  # noqa: BLE001 - the outcome is the point
            outcomes[name] = f"{type(error).__name__}: {error}"
    loop_class = type(loop)
    return {"loop": f"{loop_class.__module__}.{loop_class.__qualname__}", "outcomes": outcomes}


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    body = json.dumps(await reach() if scope["path"] == "/reach" else {}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def serve(loop: str, port: int) -> None:
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=port, loop=loop, log_level="warning")


def drive(loop: str, out: str) -> None:
    import urllib.request

    sys.path.insert(0, str(ROOT))
    from tests.conftest import free_port, start_service, stop_service

    port = free_port()
    server = start_service([sys.executable, "-m", "tests.reliability.planted_egress", "serve", loop, str(port)], port,
                           env=dict(os.environ), timeout=60, name=f"planted {loop} server")
    try:
        local = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        reply = json.loads(local.open(f"http://127.0.0.1:{port}/reach", timeout=120).read())
    finally:
        stop_service(server)
    Path(out).write_text(json.dumps({"server_pid": server.pid, "reply": reply}, indent=2))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        drive(sys.argv[2], sys.argv[3])
