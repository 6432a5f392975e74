"""The web chat's audit log: who asked what and which sources were cited, who uploaded,
removed or shared what, one JSON object per line.

Append-only: the file is opened for appending and each record is one ``write`` of one line,
so records from several answers at once never interleave, and nothing here reads, rewrites
or truncates it. ``LEGALQA_AUDIT__ENABLED=false`` switches it off; ``LEGALQA_AUDIT__PATH``
moves it (default ``<data_dir>/audit.jsonl``).
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

from legalqa.settings import Settings

SINGLE_USER = "-"  # the user field without a login


def audit_path(settings: Settings) -> Path:
    return Path(settings.audit.path) if settings.audit.path else Path(settings.data_dir) / "audit.jsonl"


class AuditLog:
    """Appends records for one server; a no-op when the settings switch it off."""

    def __init__(self, settings: Settings):
        self.enabled = settings.audit.enabled
        self.path = audit_path(settings)
        self._lock = threading.Lock()

    def record(self, user: str | None, action: str, **fields) -> None:
        """One line: time (UTC, ISO 8601), user, action, then ``fields`` (question, cited, file...)."""
        if not self.enabled:
            return
        entry = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "user": user or SINGLE_USER,
                 "action": action, **fields}
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)

    def asked(self, user: str | None, question: str, answer) -> None:
        """A question and what its answer cited (each source with its page), or that it abstained."""
        cited = list(dict.fromkeys(f"{c.source}" + (f" p. {c.page}" if c.page is not None else "")
                                   for c in answer.citations))
        self.record(user, "ask", question=question, cited=cited, abstained=bool(answer.abstained))
