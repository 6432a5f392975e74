"""A raw HTTP client for Gradio's queue, as an attacker uses it: any fn_index, any data,
any session id, any headers. Bounded in time: every call gives up after a few seconds."""

from __future__ import annotations

import json
import time
import uuid

import requests


class Raw:
    def __init__(self, base: str, *, login: tuple[str, str] | None = None):
        self.base = base.rstrip("/") + "/"
        self.http = requests.Session()
        if login:
            response = self.http.post(self.base + "login", data={"username": login[0], "password": login[1]}, timeout=10)
            assert response.status_code == 200, response.text
        self.config = self.http.get(self.base + "config", timeout=10).json()

    def fn(self, elem_id: str, event: str) -> int:
        """The fn_index of the event ``event`` on the component with ``elem_id``."""
        ids = {c["id"]: c.get("props", {}).get("elem_id") for c in self.config["components"]}
        for i, dep in enumerate(self.config["dependencies"]):
            if any(ids.get(target) == elem_id and kind == event for target, kind in dep["targets"]):
                return i
        raise LookupError(f"no {event} event on #{elem_id}")

    def join(self, fn_index: int, data: list, *, session: str | None = None, timeout: float = 10.0, **extra) -> dict:
        """Queue one event and read its stream to the end: {"status", "messages", "output", "seconds"}."""
        session = session or uuid.uuid4().hex[:11]
        started = time.monotonic()
        joined = self.http.post(self.base + "gradio_api/queue/join", timeout=timeout,
                                json={"fn_index": fn_index, "data": data, "session_hash": session, **extra})
        result = {"status": joined.status_code, "messages": [], "output": None, "joined": joined}
        if joined.status_code == 200:
            with self.http.get(self.base + "gradio_api/queue/data", params={"session_hash": session}, stream=True,
                               timeout=timeout) as stream:
                for line in stream.iter_lines():
                    if not line.startswith(b"data:"):
                        continue
                    message = json.loads(line[5:])
                    result["messages"].append(message)
                    if message.get("msg") == "process_completed":
                        result["output"] = message.get("output")
                        result["success"] = message.get("success")
                        break
                    if time.monotonic() - started > timeout:
                        break
        result["seconds"] = time.monotonic() - started
        return result

    def upload(self, name: str, content: bytes) -> dict:
        """Gradio's own upload route, as the browser uses it: the FileData for the stored copy."""
        response = self.http.post(self.base + "gradio_api/upload", files={"files": (name, content)}, timeout=30)
        assert response.status_code == 200, response.text
        path = response.json()[0]
        return {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}


def file_data(path: str) -> dict:
    """A FileData naming a path on the server: what the attack sends instead of an upload."""
    return {"path": path, "orig_name": path.rsplit("/", 1)[-1], "meta": {"_type": "gradio.FileData"}}


def texts(result: dict) -> str:
    """Everything the server sent back for an event, as one string to search."""
    return json.dumps(result["messages"])
