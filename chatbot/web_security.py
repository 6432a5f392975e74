"""The web server's doors: which requests reach the chat at all, and as whom.

Everything here is plain ASGI middleware around the FastAPI app that `chatbot.server`
builds; none of it knows about answers. In order, outermost first:

- Starlette's ``TrustedHostMiddleware``: only the host names the server serves, so a
  DNS-rebinding page (its own name, our address) gets 400.
- :class:`RequestGuard`: a cross-origin request (an ``Origin`` that is not this server's
  own scheme, host and port) gets 403; a
  request body the chat never needs (over ``MAX_BODY`` outside the upload route) gets
  413; Gradio's URL-fetching routes (``/file=http…``, ``/proxy=``) get 403, so no client
  can make the server connect out; every response carries nosniff, frame and CSP headers.
- :class:`LoginGuard`, with a login only: every route but the login page wants a
  session; sessions expire; failed logins are throttled (the ``limits`` package);
  a Gradio session id belongs to the user who first used it; the login page does not
  carry the API schema.

Who may log in is decided in :mod:`chatbot.logins`.
"""

from __future__ import annotations

import json
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import parse_qs, unquote, urlsplit

USER_KEY = "legalqa.user"  # where LoginGuard leaves the logged-in user in a request's scope, for the routes
MAX_BODY = 256 * 1024  # a question, filters and Gradio's envelope: far below this
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")

# What the login page itself needs; everything else wants a logged-in session.
LOGIN_PAGE = {"/", "/login", "/login/", "/theme.css", "/favicon.ico", "/manifest.json", "/robots.txt"}
LOGIN_PAGE_ASSETS = ("/assets/", "/static/", "/svelte/", "/pwa_icon")

# Gradio's page needs its inline bootstrap script and styles; nothing may be framed,
# loaded from elsewhere or sent elsewhere.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' blob:; connect-src 'self'; "
       "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", CSP.encode()),
]

_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.-]*:|//|\\\\)", re.IGNORECASE)


def allowed_hosts(bind_host: str, extra: list[str]) -> list[str]:
    """The Host names clients may use: loopback, the bound address, and the configured ones."""
    hosts = list(LOOPBACK_HOSTS) + list(extra)
    if bind_host not in ("0.0.0.0", "::", ""):
        hosts.append(bind_host)
    return list(dict.fromkeys(h.strip().lower() for h in hosts if h.strip()))


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


async def _send_plain(send, status: int, message: str, extra_headers=()) -> None:
    body = json.dumps({"detail": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *SECURITY_HEADERS, *extra_headers]})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive, limit: int) -> bytes | None:
    """The whole request body, or None if it is longer than ``limit``."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes, receive):
    """A ``receive`` that hands over ``body`` once, then whatever comes next (a disconnect)."""
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class RequestGuard:
    """Refuses cross-origin requests, oversized bodies and URL fetches; adds security headers."""

    def __init__(self, app, *, upload_path: str = "/gradio_api/upload", max_body: int = MAX_BODY):
        self.app = app
        self.upload_path = upload_path
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        origin = _header(scope, b"origin")
        if origin is not None and not same_origin(origin, _header(scope, b"host") or ""):
            return await _send_plain(send, 403, "cross-origin request refused")
        path = unquote(scope.get("path", ""))
        if fetches_url(path):
            return await _send_plain(send, 403, "this server fetches no URLs")
        if scope["method"] in ("POST", "PUT", "PATCH") and not path.startswith(self.upload_path):
            declared = _header(scope, b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_body:
                return await _send_plain(send, 413, "request too large")
            body = await _read_body(receive, self.max_body)
            if body is None:
                return await _send_plain(send, 413, "request too large")
            receive = _replay(body, receive)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in present]
            await send(message)

        await self.app(scope, receive, with_headers)


def same_origin(origin: str, host: str) -> bool:
    """Does a browser's ``Origin`` name this very server (scheme aside), port included?

    Another page on the same machine (``http://localhost:3000``) is another origin: a
    matching host name is not enough."""
    netloc = urlsplit(origin).netloc.lower()
    defaults = {"http": ":80", "https": ":443"}
    scheme = urlsplit(origin).scheme.lower()
    host = host.lower()
    if scheme in defaults:
        netloc = netloc.removesuffix(defaults[scheme])
        host = host.removesuffix(defaults[scheme])
    return bool(netloc) and netloc == host


def fetches_url(path: str) -> bool:
    """Is this a Gradio route that would make the server fetch something from elsewhere?"""
    for marker in ("/file=", "/proxy="):
        at = path.find(marker)
        if at >= 0 and (marker == "/proxy=" or _SCHEME.match(path[at + len(marker):])):
            return True
    return False


class LoginGuard:
    """With a login: the whole app, not only Gradio's own routes, wants a logged-in session.

    Gradio's ``auth`` guards its API and config but not the routes mounted beside it nor its
    OpenAPI schema; this checks the session cookie Gradio sets at login against Gradio's own
    token table, so there is one login and one list of users. It also expires sessions,
    throttles failed logins, binds each Gradio session id to its user, and keeps the API
    schema off the login page.

    Gradio keeps the name as it was typed at login (``Alice``), while :func:`chatbot.logins.login_check`
    matches names in any case; a user is therefore known here by the lower-case name, as in
    the users file, so ``Alice`` and ``alice`` are one user who owns the same sessions.
    """

    def __init__(self, app, *, gradio_app, session_hours: float, attempts_per_minute: int,
                 now=time.monotonic, allowed: Callable[[], frozenset[str]] | None = None):
        from limits import RateLimitItemPerMinute
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        self.app = app
        self.gradio_app = gradio_app
        self.allowed = allowed  # who may log in now (current_users); None: whoever Gradio let in
        self.session_seconds = session_hours * 3600
        self.now = now
        self.issued: dict[str, float] = {}
        self.owners: OrderedDict[str, str] = OrderedDict()  # Gradio session id -> user
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.per_name = RateLimitItemPerMinute(attempts_per_minute)
        self.per_client = RateLimitItemPerMinute(attempts_per_minute * 3)

    def user(self, scope) -> str | None:
        """The logged-in user of this request, lower-case, or None (expired tokens are forgotten here)."""
        cookies = _cookies(_header(scope, b"cookie") or "")
        cookie = self.gradio_app.cookie_id
        token = cookies.get(f"access-token-{cookie}") or cookies.get(f"access-token-unsecure-{cookie}")
        if token is None or token not in self.gradio_app.tokens:
            return None
        issued = self.issued.setdefault(token, self.now())
        if self.now() - issued > self.session_seconds:
            self.gradio_app.tokens.pop(token, None)
            self.issued.pop(token, None)
            return None
        user = self.gradio_app.tokens[token].lower()
        if self.allowed is not None and user not in self.allowed():  # removed since logging in
            self.gradio_app.tokens.pop(token, None)
            self.issued.pop(token, None)
            return None
        return user

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":  # no websocket routes are served; refuse any that appear
            if scope["type"] == "websocket" and self.user(scope) is None:
                await send({"type": "websocket.close", "code": 4401})
                return
            return await self.app(scope, receive, send)
        path, method = scope.get("path", ""), scope["method"]
        if method == "POST" and path in ("/login", "/login/"):
            return await self.login(scope, receive, send)
        user = self.user(scope)
        if user is None:
            public = method in ("GET", "HEAD") and (path in LOGIN_PAGE or path.startswith(LOGIN_PAGE_ASSETS))
            if not public:
                return await _send_plain(send, 401, "Not authenticated: log in first")
            if path == "/":
                return await self.app(scope, receive, _without_api_schema(send))
            return await self.app(scope, receive, send)
        scope[USER_KEY] = user  # the document routes filter by it (chatbot.server.viewer_of_request)
        session, receive = await self.session_of(scope, receive)
        if session is not None:
            owner = self.owners.setdefault(session, user)
            self.owners.move_to_end(session)
            while len(self.owners) > 100_000:
                self.owners.popitem(last=False)
            if owner != user:
                return await _send_plain(send, 403, "this session belongs to another user")
        return await self.app(scope, receive, send)

    async def login(self, scope, receive, send):
        body = await _read_body(receive, MAX_BODY)
        if body is None:
            return await _send_plain(send, 413, "request too large")
        name = (parse_qs(body.decode("utf-8", "replace")).get("username") or [""])[0].strip().lower()
        client = (scope.get("client") or ("?", 0))[0]
        keys = [(self.per_name, "name", name), (self.per_client, "client", client)]
        if not all(self.limiter.test(item, *ids) for item, *ids in keys):
            return await _send_plain(send, 429, "too many failed logins: wait a minute and try again",
                                     [(b"retry-after", b"60")])
        status = {}

        async def watch(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, _replay(body, receive), watch)
        if status.get("code") != 200:
            for item, *ids in keys:
                self.limiter.hit(item, *ids)

    async def session_of(self, scope, receive):
        """The Gradio session id a request names (query, path or JSON body), and a receive to go on with."""
        path = scope.get("path", "")
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if "session_hash" in query:
            return query["session_hash"][0], receive
        if "/heartbeat/" in path:
            return path.rsplit("/heartbeat/", 1)[1].strip("/"), receive
        content_type = _header(scope, b"content-type") or ""
        if scope["method"] == "POST" and content_type.startswith("application/json"):
            body = await _read_body(receive, MAX_BODY)
            if body is None:
                body = b""
            try:
                session = json.loads(body).get("session_hash")
            except (ValueError, AttributeError):
                session = None
            return (str(session) if session is not None else None), _replay(body, receive)
        return None, receive


def _cookies(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            out.setdefault(name, value)
    return out


_API_INFO = re.compile(rb"window\.gradio_api_info\s*=\s*.*?;</script>", re.DOTALL)


def _without_api_schema(send):
    """A ``send`` that removes the API schema Gradio inlines in its login page."""
    start = {}
    parts = []

    async def rewrite(message):
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] != "http.response.body":
            return await send(message)
        parts.append(message.get("body", b""))
        if message.get("more_body"):
            return
        body = _API_INFO.sub(b"window.gradio_api_info = null;</script>", b"".join(parts))
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await send({**start, "headers": headers + [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return rewrite
