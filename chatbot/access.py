"""Who may see which document, when several lawyers share one server.

The shared corpus (what `legalqa ingest` indexed) is for everyone. A web upload made with
a login belongs to its uploader (``SourceDocument.owner``), and may be filed under a named
matter that the uploader shares with chosen users. Every view of the library asks a
:class:`Viewer`: retrieval, the Documents tab, /document and /view, uploads' duplicate check
and removal. The check runs on the server; the page is never trusted to hide anything.

Without a login there is one user, who sees and may remove everything (``Viewer.everyone``).
Matters and their members live in ``<data_dir>/matters.json``, so sharing and unsharing take
effect at the next question without re-indexing anything.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ingest.layout import UPLOAD_PREFIX
from ingest.types import SourceDocument
from legalqa.errors import LegalqaError
from legalqa.settings import Settings

MATTERS_FILE = "matters.json"
NOBODY = "\x00nobody"  # with a login, the user of a request that names none: owns nothing, sees the shared corpus
_MATTER_NAME = re.compile(r"^[\w][\w .&'-]{0,59}$")


class AccessError(LegalqaError):
    """Something a user may not do, or asked for in a form that cannot be read; the message says which."""


@dataclass(frozen=True)
class Viewer:
    """One user's view of the library: their name and the matters shared with them.

    ``user`` None is single-user mode: no login, everything visible, as before logins."""

    user: str | None
    matters: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def everyone(cls) -> Viewer:
        return cls(None)

    @property
    def sees_all(self) -> bool:
        return self.user is None

    def can_see(self, doc: SourceDocument) -> bool:
        if self.user is None or doc.owner is None:
            return True
        return doc.owner == self.user or (doc.matter is not None and doc.matter in self.matters)

    def can_remove(self, doc: SourceDocument) -> bool:
        """Only web uploads are removed from the chat, and only by their uploader."""
        if not doc.source.startswith(UPLOAD_PREFIX):
            return False
        return self.user is None or doc.owner == self.user

    def visible(self, documents: dict[str, SourceDocument]) -> dict[str, SourceDocument]:
        return documents if self.sees_all else {s: d for s, d in documents.items() if self.can_see(d)}


def matter_name(name: str) -> str:
    """A matter's name as typed, checked: letters, digits, spaces and ``.&'-``, up to 60 characters."""
    name = " ".join(str(name or "").split())
    if not _MATTER_NAME.match(name):
        raise AccessError("a matter's name is 1 to 60 letters, digits, spaces or . & ' - (e.g. 'Acme v. Widget')")
    return name


class Matters:
    """The matters file: each matter's owner and the users it is shared with.

    A matter belongs to the user who created it; only they share or unshare it. A user sees
    the uploads filed under the matters they own or are members of."""

    def __init__(self, settings: Settings):
        self.path = Path(settings.data_dir) / MATTERS_FILE

    def read(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise AccessError(f"{self.path}: cannot be read ({exc}); no matter is shared until it is fixed") from None
        matters = data.get("matters") if isinstance(data, dict) else None
        if not isinstance(matters, dict):
            raise AccessError(f"{self.path}: not a legalqa matters file (no 'matters' table)")
        return matters

    def of(self, user: str) -> frozenset[str]:
        """The matters ``user`` owns or is a member of."""
        return frozenset(name for name, m in self.read().items()
                         if m.get("owner") == user or user in m.get("members", []))

    def owned_by(self, user: str) -> dict[str, list[str]]:
        """``user``'s own matters (by id, ``user/name``), each with its members."""
        return {name: sorted(m.get("members", [])) for name, m in sorted(self.read().items()) if m.get("owner") == user}

    def viewer(self, user: str | None) -> Viewer:
        """The view of ``user`` (None: single-user mode, everything)."""
        return Viewer.everyone() if user is None else Viewer(user, self.of(user))

    def share(self, owner: str, name: str, users: list[str], known: set[str]) -> tuple[str, list[str]]:
        """Share ``owner``'s matter ``name`` (created if new) with ``users``; returns its id
        (``owner/name``: two users' matters never collide, nor tell each other's names) and members.
        Only users who can log in can be added."""
        matter = f"{owner}/{matter_name(name)}"
        unknown = sorted(set(users) - known)
        if unknown:
            raise AccessError(f"no such user: {', '.join(unknown)}")
        with self._editing() as matters:
            entry = matters.setdefault(matter, {"owner": owner, "members": []})
            entry["members"] = sorted(set(entry["members"]) | {u for u in users if u != owner})
            return matter, list(entry["members"])

    def unshare(self, owner: str, name: str, users: list[str]) -> tuple[str, list[str]]:
        """Stop sharing ``owner``'s matter ``name`` with ``users``; returns its id and who still has it."""
        matter = f"{owner}/{matter_name(name)}"
        with self._editing() as matters:
            entry = matters.get(matter)
            if entry is None or entry.get("owner") != owner:
                raise AccessError(f"you have no matter named '{matter_name(name)}'")
            entry["members"] = sorted(set(entry["members"]) - set(users))
            return matter, list(entry["members"])

    def may_file_under(self, user: str, matter: str) -> bool:
        """May ``user`` file an upload under ``matter`` (an id)? Its owner and members may."""
        return matter in self.of(user)

    @contextmanager
    def _editing(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            matters = self.read()
            yield matters
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"version": 1, "matters": matters}, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
