"""Request safety: signed double-submit CSRF tokens, a same-origin rule, a body size limit and
security headers.

Decisions (also in the README):
- **HTML forms** carry a signed double-submit token: the `sg_csrf` cookie (HttpOnly,
  SameSite=Strict) holds `nonce.signature` (HMAC-SHA256 with `SPREADGRAPH_SECRET_KEY` over the
  nonce and the session it is bound to: the signed-in session's id, or none), and each form
  repeats it in a hidden `csrf_token` field; the `csrf_protect` dependency (webui/deps.py)
  compares the two and checks the signature for the request's session, so a token planted from
  another session does not work. Every non-API POST route is declared with it (a test checks).
- **Host allow-list**: a request whose `Host` is not allowed gets 400 before any route runs, so a
  DNS-rebinding page (another name resolving to 127.0.0.1) is never same-origin with us.
- **The JSON API** (`/api/*`) uses same-origin rules instead of tokens: any unsafe request whose
  `Origin` is another host, or whose `Sec-Fetch-Site` is `cross-site`/`same-site`, is refused.
  Browsers always send these on cross-site requests; scripts and CLI tools (no ambient
  cookies, nothing to forge) are unaffected. Bearer tokens arrive with sign-in (issue 6, part 2).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from functools import lru_cache

from fastapi import Request
from spreadgraph.webui.http_errors import BadHost, BodyTooLarge, CsrfRefused
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spreadgraph.config import get_settings

CSRF_COOKIE = "sg_csrf"
CSRF_FIELD = "csrf_token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


@lru_cache(maxsize=1)
def _process_key() -> bytes:
    return secrets.token_bytes(32)


def secret_key() -> bytes:
    """SPREADGRAPH_SECRET_KEY, or a random key for this process (tokens then die on restart)."""
    configured = get_settings().secret_key
    return configured.get_secret_value().encode() if configured else _process_key()


def _sign(nonce: str, binding: str) -> str:
    message = b"csrf:" + binding.encode() + b":" + nonce.encode()
    digest = hmac.new(secret_key(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def new_token(binding: str = "") -> str:
    """A token valid only for the session `binding` names ('' before sign-in)."""
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_sign(nonce, binding)}"


def token_is_valid(token: str | None, binding: str = "") -> bool:
    if not token or token.count(".") != 1:
        return False
    nonce, signature = token.split(".")
    return hmac.compare_digest(signature, _sign(nonce, binding))


def csrf_token(request: Request, binding: str) -> tuple[str, bool]:
    """The request's valid token from its cookie, or a new one (and True: set the cookie)."""
    current = request.cookies.get(CSRF_COOKIE)
    if token_is_valid(current, binding):
        return current or "", False
    return new_token(binding), True


async def check_csrf(request: Request, binding: str) -> None:
    """The form's token must equal the signed cookie, signed for this request's session."""
    cookie = request.cookies.get(CSRF_COOKIE)
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if (
        not isinstance(sent, str)
        or not token_is_valid(cookie, binding)
        or not hmac.compare_digest(sent, cookie or "")
    ):
        raise CsrfRefused(
            "the form's security token is missing or does not match",
            hint="reload the page and submit the form again",
        )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def cross_origin_problem(scope: Scope) -> str | None:
    """Why an unsafe request looks cross-site, or None."""
    if scope.get("method") not in UNSAFE:
        return None
    site = _header(scope, b"sec-fetch-site")
    if site in ("cross-site", "same-site"):
        return f"cross-site requests are refused (Sec-Fetch-Site: {site})"
    origin = _header(scope, b"origin")
    if origin is None:
        return None
    host = _header(scope, b"host") or ""
    if origin == "null" or origin.split("://", 1)[-1].rstrip("/") != host:
        return "requests from another origin are refused"
    return None


#: Hosts answered when neither `serve` nor SPREADGRAPH_ALLOWED_HOSTS names any: loopback, any port.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def allowed_hosts_for(host: str, port: int) -> tuple[str, ...]:
    """The Host values to answer when serving on host:port (a loopback address also answers to
    its other loopback names). A wildcard bind (0.0.0.0, ::) has no name of its own: BadHost,
    unless SPREADGRAPH_ALLOWED_HOSTS names the hosts."""
    if get_settings().allowed_hosts:
        return configured_hosts()
    if host in ("0.0.0.0", "::", ""):
        raise BadHost(
            f"serving on {host or 'every address'} needs SPREADGRAPH_ALLOWED_HOSTS",
            hint="set it to the host names (host or host:port) people use to reach the site",
        )
    names = LOOPBACK_HOSTS if host in LOOPBACK_HOSTS or host == "::1" else (host,)
    return tuple(f"{name}:{port}" for name in names)


def configured_hosts() -> tuple[str, ...]:
    """SPREADGRAPH_ALLOWED_HOSTS as a tuple, or the loopback names when it is unset."""
    value = get_settings().allowed_hosts
    if not value:
        return LOOPBACK_HOSTS
    return tuple(part.strip().lower() for part in value.split(",") if part.strip())


def host_allowed(host: str | None, allowed: tuple[str, ...]) -> bool:
    """Whether a Host header matches an entry: '*', an exact 'host:port', or a bare host (any port)."""
    if "*" in allowed:
        return True
    value = (host or "").strip().lower()
    if not value:
        return False
    bare = value.rsplit(":", 1)[0] if not value.endswith("]") else value
    return value in allowed or bare in allowed


ErrorRenderer = Callable[[Scope, Exception], Awaitable[Callable[[Scope, Receive, Send], Awaitable[None]]]]


class GuardMiddleware:
    """Same-origin rule, body size limit and security headers, in front of the whole app."""

    def __init__(self, app: ASGIApp, render_error: ErrorRenderer, allowed_hosts: tuple[str, ...]) -> None:
        self.app = app
        self.render_error = render_error
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"
                ]
                headers.append((b"content-security-policy", CSP.encode()))
                headers += [(k.encode(), v.encode()) for k, v in HEADERS.items()]
                message["headers"] = headers
            await send(message)

        host = _header(scope, b"host")
        if not host_allowed(host, self.allowed_hosts):
            await self._fail(
                scope, receive, send_with_headers, BadHost(f"this site does not answer to the host {host!r}")
            )
            return
        problem = cross_origin_problem(scope)
        if problem:
            await self._fail(scope, receive, send_with_headers, CsrfRefused(problem))
            return
        limit = get_settings().max_body_bytes
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            await self._fail(scope, receive, send_with_headers, _too_large(int(declared), limit))
            return
        if declared is None and scope.get("method") in UNSAFE:
            body, size = await _read_capped(receive, limit)
            if body is None:
                await self._fail(scope, receive, send_with_headers, _too_large(size, limit))
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send_with_headers)

    async def _fail(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        response = await self.render_error(scope, exc)
        await response(scope, receive, send)


def _too_large(size: int, limit: int) -> BodyTooLarge:
    return BodyTooLarge(f"the request body is {size:,} bytes; at most {limit:,} bytes are accepted")


async def _read_capped(receive: Receive, limit: int) -> tuple[bytes | None, int]:
    """The whole body, or (None, bytes read) once it passes the limit."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None, size
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), size


def _replay(body: bytes, original: Receive) -> Receive:
    """Hand the buffered body to the app once, then pass through (e.g. to see a disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive
