"""Who may log in to the web chat: a file of argon2 password hashes, and the `legalqa users` commands that keep it.

The file is ``<data_dir>/users.json`` unless ``LEGALQA_UI__USERS_FILE`` names another, and
holds names and argon2id hashes, never a password: a copy of it (a backup, a leaked disk)
hands out no password, and argon2 makes guessing one from it slow. It is written whole to a temporary file beside it and renamed
over it, mode 0600, so a crash leaves the old list or the new one, never half of either.
Every read goes to the disk, so a running server sees `legalqa users add` and `remove` at
the next login. A file that cannot be read is an error, never "no users": the server must
not start open because of a typo in it.

The `legalqa users` commands live here, beside the file they keep, rather than in
chatbot/cli.py (at the project's 400-line limit), which loads them when they are named.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import click

from legalqa.errors import LegalqaError

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from legalqa.settings import Settings

FORMAT_VERSION = 1
NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")  # ASCII only: no look-alike letters in a login name
NAME_RULE = "1 to 64 ASCII letters, digits and . _ @ - (no spaces)"
MIN_PASSWORD = 8


class UsersFileError(LegalqaError, ValueError):
    """The users file cannot be read or is not a users file; the server refuses to start on it."""


class LoginRuleError(LegalqaError, ValueError):
    """A user name or password that the rules refuse (the message states the rule, never the password)."""


class UnknownUserError(LegalqaError, LookupError):
    """A user name that is not in the users file."""


def users_path(settings: Settings) -> Path:
    """The users file in effect: ``LEGALQA_UI__USERS_FILE``, or ``users.json`` in the data folder."""
    return Path(settings.ui.users_file or Path(settings.data_dir) / "users.json")


def password_hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's default parameters (RFC 9106's low-memory profile)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


def user_name(name: str) -> str:
    """``name`` as stored and matched: lower-case. Surrounding spaces are dropped, as Gradio drops
    them from the login form; anything outside :data:`NAME_RULE` raises :class:`LoginRuleError`."""
    stripped = name.strip()
    if not NAME.fullmatch(stripped):
        raise LoginRuleError(f"user name {stripped!r} is not allowed: use {NAME_RULE}")
    return stripped.lower()


def check_password(password: str) -> None:
    """Refuse a password shorter than :data:`MIN_PASSWORD` characters."""
    if len(password) < MIN_PASSWORD:
        raise LoginRuleError(f"password too short: use at least {MIN_PASSWORD} characters")


class UsersFile:
    """The users file at ``path``: names (lower-case) and their argon2 hashes.

    ``hasher`` is an argon2-cffi ``PasswordHasher``; tests pass a cheap one, production gets
    :func:`password_hasher`."""

    def __init__(self, path: Path | str, *, hasher: PasswordHasher | None = None):
        self.path = Path(path)
        self.hasher = hasher or password_hasher()

    def names(self) -> list[str]:
        """Who is in the file, sorted; no file means no one."""
        return sorted(self._read())

    def add(self, name: str, password: str) -> bool:
        """Store ``name`` with the hash of ``password``, replacing the hash of a name already
        there (its ``added`` date stays). True if the name is new."""
        name = user_name(name)
        check_password(password)
        users = self._read()
        new = name not in users
        added = _utc_now() if new else users[name].get("added", _utc_now())
        users[name] = {"hash": self.hasher.hash(password), "added": added}
        self._write(users)
        return new

    def remove(self, name: str) -> None:
        """Take ``name`` out of the file; an unknown name raises :class:`UnknownUserError`."""
        key = name.strip().lower()
        users = self._read()
        if key not in users:
            raise UnknownUserError(f"no user {key!r} in {self.path} (`legalqa users list` shows who is there)")
        del users[key]
        self._write(users)

    def verify(self, name: str, password: str) -> bool:
        """Is ``password`` the one stored for ``name`` (in any case)? An unknown name costs one
        argon2 check too, against a dummy hash, so the time taken does not tell which names exist."""
        from argon2.exceptions import InvalidHashError, VerificationError

        entry = self._read().get(name.strip().lower())
        try:
            if entry is None:
                self.hasher.verify(self._dummy_hash, password)
                return False
            return self.hasher.verify(entry["hash"], password)
        except (VerificationError, InvalidHashError):
            return False

    @functools.cached_property
    def _dummy_hash(self) -> str:
        # Made with this hasher's parameters, so checking it costs what a real check costs;
        # its password is random and never kept, so nothing matches it.
        return self.hasher.hash(os.urandom(32).hex())

    def _read(self) -> dict[str, dict]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise self._unreadable(exc.strerror or str(exc)) from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise self._unreadable("not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise self._unreadable(f"not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
        return self._checked(data)

    def _checked(self, data) -> dict[str, dict]:
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise self._unreadable(f'not a version-{FORMAT_VERSION} users file (no "version": {FORMAT_VERSION})')
        users = data.get("users")
        if not isinstance(users, dict):
            raise self._unreadable('"users" is not an object of names')
        for name, entry in users.items():
            if not NAME.fullmatch(name) or name != name.lower():
                raise self._unreadable(f"user name {name!r} breaks the rule ({NAME_RULE}, lower-case)")
            if not isinstance(entry, dict) or not str(entry.get("hash", "")).startswith("$argon2"):
                raise self._unreadable(f"user {name!r} has no argon2 hash")
        return users

    def _unreadable(self, reason: str) -> UsersFileError:
        return UsersFileError(f"{self.path}: cannot read the users file: {reason}. The web chat will not start "
                              "with it: repair it, or move it aside and add the users again with `legalqa users add` "
                              "before restarting")

    def _write(self, users: dict[str, dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": FORMAT_VERSION, "users": dict(sorted(users.items()))}, indent=2) + "\n"
        fd, temp = tempfile.mkstemp(prefix=".users-", suffix=".tmp", dir=self.path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _settings() -> Settings:
    from pydantic import ValidationError

    from legalqa.settings import Settings, SettingsError

    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError.from_validation(exc) from None


def _reported(command):
    """An error meant for the user as one line, `error: …`, and exit code 2, as every legalqa command."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except LegalqaError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            raise SystemExit(2) from None

    return run


def _password_rule(password: str) -> str:
    """The prompt's check: a short password is refused at once and asked for again."""
    try:
        check_password(password)
    except LoginRuleError as exc:
        raise click.BadParameter(str(exc)) from None
    return password


def _counted(n: int) -> str:
    return "no users" if n == 0 else "1 user" if n == 1 else f"{n} users"


@click.group(name="users")
def users_command():
    """Who may log in to the web chat. Names and argon2 hashes of their passwords (never the
    passwords) are kept in LEGALQA_UI__USERS_FILE, by default LEGALQA_DATA_DIR/users.json.
    With no users and no LEGALQA_UI__AUTH the chat asks for no login: restart `legalqa serve`
    after adding the first user. Later changes apply from the next login."""


@users_command.command(name="add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (for scripts) instead of asking.")
@_reported
def add_user(name, password_stdin):
    """Add user NAME, or give an existing one a new password. NAME is 1 to 64 letters, digits
    and . _ @ -, matched in any case; the password, 8 characters or more, is asked for twice
    and not shown."""
    users = UsersFile(users_path(_settings()))
    name = user_name(name)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise LoginRuleError("--password-stdin found no password: standard input was empty")
    else:
        password = click.prompt(f"password for {name}", hide_input=True, confirmation_prompt=True,
                                value_proc=_password_rule)
    new = users.add(name, password)
    click.echo(f"{'added' if new else 'new password for'} {name} in {users.path}")


@users_command.command(name="remove")
@click.argument("name")
@_reported
def remove_user(name):
    """Remove user NAME: logging in with that name fails from now on, and a running server
    ends that user's open sessions at their next request."""
    users = UsersFile(users_path(_settings()))
    users.remove(name)
    click.echo(f"removed {name.strip().lower()} from {users.path}")
    if not users.names():
        click.secho("warning: that was the last user: restarted, the web chat asks for no login "
                    "(unless LEGALQA_UI__AUTH is set)", fg="yellow", err=True)


@users_command.command(name="list")
@_reported
def list_users():
    """List who may log in, one name a line (never a hash). Where the users file is, and a
    warning if LEGALQA_UI__AUTH also lets plaintext users in, go to standard error."""
    from chatbot.logins import plaintext_warning

    settings = _settings()
    users = UsersFile(users_path(settings))
    names = users.names()
    for name in names:
        click.echo(name)
    open_chat = not names and settings.ui.auth is None
    click.echo(f"{_counted(len(names))} in {users.path}" + ("; the web chat asks for no login" if open_chat else ""),
               err=True)
    if (warning := plaintext_warning(settings)) is not None:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
