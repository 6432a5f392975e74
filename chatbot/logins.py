"""Who may log in to the web chat: Gradio's ``auth`` check over the users file of
:mod:`chatbot.users` (argon2 hashes) and, for a quick demo, the plaintext pairs of
``LEGALQA_UI__AUTH``; and the list of users the server reads again when the file changes.
"""

from __future__ import annotations

import hmac
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from legalqa.errors import LegalqaError

if TYPE_CHECKING:
    from legalqa.settings import Settings


class AuthSettingError(LegalqaError, ValueError):
    """``LEGALQA_UI__AUTH`` does not say who may log in; the server refuses to start."""


def parse_logins(spec: str | None) -> list[tuple[str, str]] | None:
    """``user:password`` pairs, comma-separated, or None for no login.

    Anything else is an error, never "no users": a typo must not leave the documents open.
    The message names the entry by position, not by content, so no password reaches a log."""
    if spec is None:
        return None
    entries = spec.split(",")
    logins = []
    for i, entry in enumerate(entries, 1):
        user, sep, password = entry.partition(":")
        if not sep or not user.strip() or not password:
            raise AuthSettingError(
                f"LEGALQA_UI__AUTH entry {i} of {len(entries)} is not `user:password` "
                "(comma-separated pairs, e.g. alice:secret1,bob:secret2); the server will not start without a valid login list"
            )
        logins.append((user.strip(), password))
    return logins


def login_check(settings: Settings) -> Callable[[str, str], bool] | None:
    """Gradio's ``auth``: does a name and password let someone in? None when neither the users
    file nor ``LEGALQA_UI__AUTH`` has a user (one user on loopback: no login).

    Names match in any case. A name in the users file is checked against its argon2 hash
    only, even if ``LEGALQA_UI__AUTH`` names it too; other names against ``LEGALQA_UI__AUTH``.
    Every attempt costs one argon2 check, so the time taken tells no one which names exist,
    or where. The file is read at each login, so `legalqa users add` and `remove` apply
    without a restart. An unreadable file or a malformed ``LEGALQA_UI__AUTH`` raises here,
    before the server starts; a file broken later refuses every login until it is repaired."""
    from chatbot.users import UsersFile, UsersFileError, users_path

    users = UsersFile(users_path(settings))
    plaintext = {name.lower(): password for name, password in parse_logins(settings.ui.auth) or []}
    if not users.names() and not plaintext:
        return None

    def check(username: str, password: str) -> bool:
        name = username.strip().lower()
        try:
            if users.verify(name, password):
                return True
            hashed = name in users.names()
        except UsersFileError as exc:
            print(f"legalqa: error: {exc} (every login is refused meanwhile)", file=sys.stderr, flush=True)
            return False
        expected = plaintext.get(name)
        return not hashed and expected is not None and hmac.compare_digest(password.encode(), expected.encode())

    return check


def known_users(settings: Settings) -> list[str]:
    """Everyone who may log in, from the users file and ``LEGALQA_UI__AUTH``: lower-case, sorted."""
    from chatbot.users import UsersFile, users_path

    plaintext = {name.lower() for name, _ in parse_logins(settings.ui.auth) or []}
    return sorted(set(UsersFile(users_path(settings)).names()) | plaintext)


def current_users(settings: Settings) -> Callable[[], frozenset[str]]:
    """Who may log in now: :func:`known_users`, read again whenever the users file changes (one
    ``stat`` per call otherwise). A user removed with `legalqa users remove` loses an open session
    at their next request, not when it expires; an unreadable file leaves no one logged in."""
    from chatbot.users import users_path

    path = users_path(settings)
    seen: dict = {}

    def names() -> frozenset[str]:
        try:
            info = path.stat()
            stamp = info.st_mtime_ns, info.st_size
        except OSError:
            stamp = None
        if seen.get("stamp", object()) != stamp:
            try:
                seen["names"] = frozenset(known_users(settings))
            except LegalqaError:
                seen["names"] = frozenset()
            seen["stamp"] = stamp
        return seen["names"]

    return names


def plaintext_warning(settings: Settings) -> str | None:
    """One line for the operator when ``LEGALQA_UI__AUTH`` is set, else None."""
    if settings.ui.auth is None:
        return None
    return ("LEGALQA_UI__AUTH keeps passwords in plaintext, fit for a quick demo only: add each user with "
            "`legalqa users add NAME` (an argon2 hash is stored) and unset it")
