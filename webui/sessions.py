"""Web sessions: the signed session cookie, its record with the account, and the request's user.

A session cookie (`sg_session`) holds `name|expiry|session id`, signed with HMAC-SHA256 under the
app's `secret_key()`. The session id's hash is kept with the account (webui/auth.py) until
sign-out or expiry, so signing out ends the session on the server, and a new password (which
clears the account's sessions) ends every session. CSRF tokens are bound to the session id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from pathlib import Path
from typing import Any

from fastapi import Request
from spreadgraph.webui.auth import (
    User,
    account_user,
    b64,
    change_account,
    load_accounts,
    unb64,
    user_for_token,
)
from spreadgraph.webui.security import secret_key

from spreadgraph.config import get_settings
from spreadgraph.errors import SpreadgraphError

SESSION_COOKIE = "sg_session"


def _sign(payload: str) -> str:
    return b64(hmac.new(secret_key(), b"session:" + payload.encode(), hashlib.sha256).digest())


def _session_hash(session_id: str) -> str:
    return hashlib.sha256(b"session:" + session_id.encode()).hexdigest()


def session_cookie(user: User, *, path: Path | None = None) -> tuple[str, int]:
    """(cookie value, max-age seconds) for a new session of `user`, recorded with the account."""
    max_age = int(get_settings().session_hours * 3600)
    expires = int(time.time()) + max_age
    session_id = secrets.token_urlsafe(18)

    def edit(entry: dict[str, Any]) -> None:
        live = [s for s in entry.get("sessions") or [] if s.get("expires", 0) > time.time()]
        entry["sessions"] = [*live, {"hash": _session_hash(session_id), "expires": expires}]

    change_account(user.name, path, edit)
    payload = b64(f"{user.name}|{expires}|{session_id}".encode())
    return f"{payload}.{_sign(payload)}", max_age


def _session(value: str | None) -> tuple[str, str, dict[str, Any]] | None:
    """(name, session id, account entry) of a valid, unexpired, not ended session cookie."""
    if not value or value.count(".") != 1:
        return None
    payload, signature = value.split(".")
    if not hmac.compare_digest(signature, _sign(payload)):
        return None
    try:
        name, expires, session_id = unb64(payload).decode().split("|")
        if int(expires) < time.time():
            return None
    except ValueError:
        return None
    entry = load_accounts().get(name)
    wanted = _session_hash(session_id)
    if entry is None or not any(
        hmac.compare_digest(str(s.get("hash", "")), wanted) for s in entry.get("sessions") or []
    ):
        return None
    return name, session_id, entry


def user_for_session(value: str | None) -> User | None:
    """The account of a valid session cookie: signed, unexpired, not signed out, and made since
    the last password change."""
    found = _session(value)
    return account_user(found[0], found[2]) if found else None


def end_session(value: str | None) -> bool:
    """Sign out: forget the session on the server, so the cookie no longer works anywhere."""
    found = _session(value)
    if found is None:
        return False
    name, session_id, _ = found
    wanted = _session_hash(session_id)
    change_account(
        name,
        None,
        lambda e: e.update(sessions=[s for s in e.get("sessions") or [] if s.get("hash") != wanted]),
    )
    return True


def _request_session(request: Request) -> tuple[str, str, dict[str, Any]] | None:
    """The request's session cookie checked once per request (deps, the page and its CSRF token
    all ask)."""
    state = request.scope.setdefault("state", {})
    if "session" not in state:
        state["session"] = _session(request.cookies.get(SESSION_COOKIE))
    return state["session"]


def session_binding(request: Request) -> str:
    """What the request's CSRF token is bound to: its session id when signed in, else ''."""
    found = _request_session(request)
    return found[1] if found else ""


def request_user(request: Request) -> User | None:
    """The request's account, from `Authorization: Bearer <token>` or the session cookie (cached)."""
    state = request.scope.setdefault("state", {})
    if "user" in state:
        return state["user"]
    user = None
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        user = user_for_token(header[7:].strip())
    elif found := _request_session(request):
        user = account_user(found[0], found[2])
    state["user"] = user
    return user


def account_for(request: Request) -> dict[str, Any]:
    """What the page header shows: the signed-in user, if any (for templates)."""
    try:
        user = request_user(request)
    except SpreadgraphError:
        user = None
    return {"user": user, "next": request.url.path}
