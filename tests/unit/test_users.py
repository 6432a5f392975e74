"""The web chat's users: the hashed users file, `legalqa users`, and the login check built on it.

argon2 at its default cost takes ~0.1 s a hash, so the tests use a cheap argon2id (same
format, same code paths) except where the default parameters themselves are what is checked."""

from __future__ import annotations

import json
import stat
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from chatbot.cli import cli
from chatbot.users import LoginRuleError, UnknownUserError, UsersFile, UsersFileError, users_path
from legalqa.settings import Settings, UISettings

PASSWORD = "correct horse"


def cheap_hasher():
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    """No login setting from the environment, and the users file in this test's folder."""
    monkeypatch.setenv("LEGALQA_DATA_DIR", str(tmp_path / "data"))
    for name in ("LEGALQA_UI__AUTH", "LEGALQA_UI__USERS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("chatbot.users.password_hasher", cheap_hasher)


@pytest.fixture
def users(tmp_path):
    return UsersFile(tmp_path / "data" / "users.json")


def settings_with(tmp_path, **ui) -> Settings:
    return Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data", ui=UISettings(**ui))


def test_the_file_holds_argon2_hashes_and_no_password(users):
    assert users.add("alice", PASSWORD) is True
    raw = users.path.read_bytes()
    assert PASSWORD.encode() not in raw and b"horse" not in raw
    data = json.loads(raw)
    assert data["version"] == 1 and list(data["users"]) == ["alice"]
    assert data["users"]["alice"]["hash"].startswith("$argon2id$")
    assert data["users"]["alice"]["added"].endswith("Z")


def test_the_default_hasher_is_argon2id_with_the_library_defaults(tmp_path, monkeypatch):
    from chatbot import users as module
    from argon2 import PasswordHasher

    monkeypatch.setattr(module, "password_hasher", PasswordHasher)
    default = UsersFile(tmp_path / "users.json")
    default.add("alice", PASSWORD)
    stored = json.loads(default.path.read_text())["users"]["alice"]["hash"]
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert default.verify("alice", PASSWORD) and not default.verify("alice", "wrong password")


def test_verify_right_wrong_and_unknown_in_any_case(users):
    users.add("Alice", PASSWORD)
    assert users.names() == ["alice"]
    assert users.verify("alice", PASSWORD) and users.verify("ALICE", PASSWORD) and users.verify(" alice ", PASSWORD)
    assert not users.verify("alice", "correct horsE")
    assert not users.verify("bob", PASSWORD)


def test_an_unknown_name_costs_an_argon2_check_too(tmp_path):
    checked = []

    class Recording:
        real = cheap_hasher()
        hash = real.hash

        def verify(self, hash, password):
            checked.append(hash)
            return self.real.verify(hash, password)

    users = UsersFile(tmp_path / "users.json", hasher=Recording())
    users.add("alice", PASSWORD)
    assert not users.verify("mallory", PASSWORD)
    assert len(checked) == 1 and checked[0].startswith("$argon2id$")
    assert checked[0] != json.loads(users.path.read_text())["users"]["alice"]["hash"]


def test_adding_again_replaces_the_password_and_keeps_the_date(users):
    users.add("alice", PASSWORD)
    added = json.loads(users.path.read_text())["users"]["alice"]["added"]
    assert users.add("ALICE", "another password") is False
    assert users.verify("alice", "another password") and not users.verify("alice", PASSWORD)
    assert json.loads(users.path.read_text())["users"]["alice"]["added"] == added


@pytest.mark.parametrize("name", ["", "al ice", "a" * 65, "alice:pw", "ålice", "ali\nce", "../alice", "bob,eve"])
def test_names_outside_the_rule_are_refused_with_the_rule(users, name):
    with pytest.raises(LoginRuleError, match=r"not allowed: use 1 to 64 ASCII letters, digits and \. _ @ - \(no spaces\)"):
        users.add(name, PASSWORD)
    assert not users.path.exists()


def test_names_inside_the_rule_are_kept_lower_case(users):
    for name in ["a", "J.Doe@firm-1.example", "x_" * 32]:
        users.add(name, PASSWORD)
    assert users.names() == ["a", "j.doe@firm-1.example", "x_" * 32]


def test_short_passwords_are_refused_without_echoing_them(users):
    with pytest.raises(LoginRuleError) as refused:
        users.add("alice", "s3cret!")
    assert "at least 8 characters" in str(refused.value) and "s3cret!" not in str(refused.value)
    users.add("alice", "8 chars!")


def test_remove_and_unknown_names(users):
    users.add("alice", PASSWORD)
    users.add("bob", PASSWORD)
    users.remove("BOB")
    assert users.names() == ["alice"] and not users.verify("bob", PASSWORD)
    with pytest.raises(UnknownUserError, match="no user 'bob' in .*users.json"):
        users.remove("bob")


def test_a_missing_file_is_no_users(users):
    assert users.names() == [] and not users.verify("alice", PASSWORD)


def test_the_file_is_private_and_its_folder_made(tmp_path):
    users = UsersFile(tmp_path / "new" / "folder" / "users.json")
    users.add("alice", PASSWORD)
    assert stat.S_IMODE(users.path.stat().st_mode) == 0o600
    users.add("bob", PASSWORD)  # rewritten, still private, nothing left beside it
    assert stat.S_IMODE(users.path.stat().st_mode) == 0o600
    assert [p.name for p in users.path.parent.iterdir()] == ["users.json"]


@pytest.mark.parametrize("content, reason", [
    (b"{not json", "not JSON"),
    (b"\xff\xfe", "not UTF-8"),
    (b"[]", "not a version-1 users file"),
    (b'{"version": 2, "users": {}}', "not a version-1 users file"),
    (b'{"version": 1, "users": []}', '"users" is not an object'),
    (b'{"version": 1, "users": {"alice": {"hash": "hunter22"}}}', "user 'alice' has no argon2 hash"),
    (b'{"version": 1, "users": {"Alice": {"hash": "$argon2id$x"}}}', "user name 'Alice' breaks the rule"),
])
def test_a_corrupt_file_is_an_error_naming_the_file_and_the_reason(users, content, reason):
    users.path.parent.mkdir(parents=True)
    users.path.write_bytes(content)
    for call in (users.names, lambda: users.verify("alice", PASSWORD), lambda: users.add("bob", PASSWORD)):
        with pytest.raises(UsersFileError) as error:
            call()
        assert str(users.path) in str(error.value) and reason in str(error.value)
    assert users.path.read_bytes() == content  # never overwritten


def test_the_path_comes_from_the_settings(tmp_path):
    assert users_path(settings_with(tmp_path)) == tmp_path / "data" / "users.json"
    assert users_path(settings_with(tmp_path, users_file=tmp_path / "elsewhere.json")) == tmp_path / "elsewhere.json"


# `legalqa users`

def run(*args, input=None):
    return CliRunner().invoke(cli, ["users", *args], input=input, catch_exceptions=False)


def test_cli_add_list_remove_with_password_stdin(tmp_path):
    added = run("add", "Alice", "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    path = tmp_path / "data" / "users.json"
    assert added.stdout == f"added alice in {path}\n"
    assert run("add", "bob", "--password-stdin", input="another password\n").exit_code == 0
    assert UsersFile(path).verify("alice", PASSWORD) and UsersFile(path).verify("bob", "another password")
    assert PASSWORD.encode() not in path.read_bytes()

    listed = run("list")
    assert listed.exit_code == 0 and listed.stdout == "alice\nbob\n"
    assert f"2 users in {path}" in listed.stderr and "$argon2" not in listed.output

    removed = run("remove", "BOB")
    assert removed.exit_code == 0 and removed.stdout == f"removed bob from {path}\n"
    assert run("list").stdout == "alice\n"
    last = run("remove", "alice")
    assert "that was the last user" in last.stderr


def test_cli_add_by_prompt_asks_twice_and_refuses_a_short_password(tmp_path):
    result = run("add", "carol", input="short\n" + PASSWORD + "\n" + PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "at least 8 characters" in result.output and PASSWORD not in result.output
    assert UsersFile(tmp_path / "data" / "users.json").verify("carol", PASSWORD)

    mismatch = run("add", "dave", input=f"{PASSWORD}\nsomething else\n")
    assert mismatch.exit_code != 0 and "do not match" in mismatch.output
    assert UsersFile(tmp_path / "data" / "users.json").names() == ["carol"]


@pytest.mark.parametrize("args, input, message", [
    (["add", "al ice", "--password-stdin"], PASSWORD + "\n", "user name 'al ice' is not allowed"),
    (["add", "alice", "--password-stdin"], "short\n", "password too short"),
    (["add", "alice", "--password-stdin"], "", "standard input was empty"),
    (["remove", "nobody"], None, "no user 'nobody'"),
])
def test_cli_errors_are_one_line_and_exit_2(args, input, message):
    result = run(*args, input=input)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_cli_corrupt_file_is_reported_by_name(tmp_path):
    path = tmp_path / "data" / "users.json"
    path.parent.mkdir(parents=True)
    path.write_text("{oops")
    result = run("list")
    assert result.exit_code == 2 and f"error: {path}: cannot read the users file: not JSON" in result.stderr


def test_cli_list_says_where_the_file_is_and_warns_of_plaintext(tmp_path, monkeypatch):
    empty = run("list")
    assert empty.stdout == "" and f"no users in {tmp_path / 'data' / 'users.json'}" in empty.stderr
    assert "asks for no login" in empty.stderr
    elsewhere = tmp_path / "etc" / "legalqa-users.json"
    monkeypatch.setenv("LEGALQA_UI__USERS_FILE", str(elsewhere))
    monkeypatch.setenv("LEGALQA_UI__AUTH", "bob:pw")
    run("add", "alice", "--password-stdin", input=PASSWORD)
    listed = run("list")
    assert listed.stdout == "alice\n" and str(elsewhere) in listed.stderr
    assert "warning: LEGALQA_UI__AUTH keeps passwords in plaintext" in listed.stderr


def test_cli_help_is_the_docstrings():
    assert "argon2" in run("--help").output
    assert "--password-stdin" in run("add", "--help").output


# The login check for Gradio's `auth`

def test_no_users_anywhere_is_no_login(tmp_path):
    from chatbot.logins import known_users, login_check, plaintext_warning

    settings = settings_with(tmp_path)
    assert login_check(settings) is None and known_users(settings) == [] and plaintext_warning(settings) is None


def test_login_check_takes_the_users_file_and_the_plaintext_list(tmp_path):
    from chatbot.logins import known_users, login_check, plaintext_warning

    settings = settings_with(tmp_path, auth="Bob:bob-password,carol:carol-pw1")
    UsersFile(users_path(settings)).add("alice", PASSWORD)
    UsersFile(users_path(settings)).add("carol", "carol-hashed")
    check = login_check(settings)
    assert check("alice", PASSWORD) and check("ALICE", PASSWORD) and not check("alice", "bob-password")
    assert check("bob", "bob-password") and check("BOB", "bob-password") and not check("bob", "bob-passwor")
    assert check("carol", "carol-hashed") and not check("carol", "carol-pw1")  # the file decides for its names
    assert not check("mallory", PASSWORD) and not check("", "")
    assert known_users(settings) == ["alice", "bob", "carol"]
    warning = plaintext_warning(settings)
    assert "plaintext" in warning and "legalqa users add NAME" in warning and "\n" not in warning


def test_login_check_with_the_users_file_alone(tmp_path):
    from chatbot.logins import known_users, login_check, plaintext_warning

    settings = settings_with(tmp_path)
    UsersFile(users_path(settings)).add("alice", PASSWORD)
    check = login_check(settings)
    assert check("Alice", PASSWORD) and not check("alice", "wrong password")
    assert known_users(settings) == ["alice"] and plaintext_warning(settings) is None
    UsersFile(users_path(settings)).add("dave", "added while serving")  # read at each login: no restart
    assert check("dave", "added while serving")
    UsersFile(users_path(settings)).remove("alice")
    assert not check("alice", PASSWORD)


def test_an_unreadable_users_file_stops_the_login_check_and_later_refuses_logins(tmp_path, capsys):
    from chatbot.logins import known_users, login_check

    settings = settings_with(tmp_path, auth="bob:bob-password")
    path = users_path(settings)
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 1}')
    for call in (login_check, known_users):
        with pytest.raises(UsersFileError, match=str(path)):
            call(settings)
    path.unlink()
    check = login_check(settings)
    assert check("bob", "bob-password")
    path.write_text("{")  # broken while serving: nobody gets in, and the operator is told why
    assert not check("bob", "bob-password")
    assert str(path) in capsys.readouterr().err


def test_the_login_guard_knows_users_by_their_lower_case_name():
    """Gradio keeps the name as typed at login; two spellings are one user, owning the same sessions."""
    from chatbot.web_security import LoginGuard

    class GradioApp:
        cookie_id = "c1"
        tokens = {"t1": "Alice", "t2": "alice"}

    guard = LoginGuard(None, gradio_app=GradioApp, session_hours=1, attempts_per_minute=5)
    for token in ("t1", "t2"):
        assert guard.user({"headers": [(b"cookie", f"access-token-c1={token}".encode())]}) == "alice"


def test_every_route_refuses_a_visitor_with_a_users_file_login(tmp_path, small_corpus, fake_embedder):
    """The reliability tier's route test (every route but the login page answers 401 until a
    login, a wrong password gets nothing), run with the login from a users file instead of
    LEGALQA_UI__AUTH, for a user added as ALICE who logs in as alice."""
    from chatbot.engine import Engine
    from ingest.pipeline import ingest_paths
    from tests.reliability import test_web_security as routes

    settings = settings_with(tmp_path, users_file=tmp_path / "users.json", max_upload_mb=0.01)
    settings = settings.model_copy(update={"embedding_model": "fake"})
    UsersFile(tmp_path / "users.json").add(routes.USER.upper(), routes.PASSWORD)
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    web = SimpleNamespace(settings=settings, engine=Engine(settings, embedder=fake_embedder))
    routes.test_every_route_but_the_login_page_refuses_a_visitor(web)
