"""Accounts, passwords, API tokens and signed session cookies (stdlib only).

Accounts live in a JSON file (`SPREADGRAPH_USERS_FILE`, default `<SPREADGRAPH_HOME>/users.json`,
mode 600) managed by `spreadgraph user`. Passwords are hashed with `hashlib.scrypt` (a fresh
16-byte salt each, n=2**14, r=8, p=1) and compared in constant time; API tokens are 32 random
bytes shown once and stored as their SHA-256 (they are long random secrets, so a fast hash is
enough). A session cookie holds `name|expiry|stamp` signed with HMAC-SHA256 under the app's
`secret_key()`; the stamp changes with the password, so a new password ends old sessions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from fastapi import Request
from spreadgraph.webui.security import secret_key

from spreadgraph.config import get_settings
from spreadgraph.errors import SpreadgraphError

Role = Literal["contributor", "reviewer"]
ROLES: tuple[Role, ...] = ("contributor", "reviewer")
SESSION_COOKIE = "sg_session"
TOKEN_PREFIX = "sgt_"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 8
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class AccountError(SpreadgraphError):
    """A bad account name, role or password, or an unreadable accounts file."""

    status = 400
    code = "account"


@dataclass(frozen=True)
class User:
    """A signed-in account. Reviewers may also contribute."""

    name: str
    role: Role

    @property
    def can_contribute(self) -> bool:
        return self.role in ROLES

    @property
    def can_review(self) -> bool:
        return self.role == "reviewer"


# --- passwords ---------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """'scrypt$n$r$p$salt$hash' for a new random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    """Whether `password` matches `stored` (constant-time compare of the derived keys)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = _unb64(digest)
        derived = hashlib.scrypt(
            password.encode(),
            salt=_unb64(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=64 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(derived, expected)


_DUMMY = hash_password(secrets.token_urlsafe(12))  # for unknown names: same work as a real check


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


# --- the accounts file -------------------------------------------------------------------


def users_path() -> Path:
    return get_settings().users_path


_cache: dict[Path, tuple[int, int, dict[str, Any]]] = {}


def load_accounts(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """name -> {role, password, tokens, created}; an absent file means no accounts."""
    path = path or users_path()
    try:
        info = path.stat()
    except FileNotFoundError:
        return {}
    cached = _cache.get(path)
    if cached and cached[:2] == (info.st_mtime_ns, info.st_size):
        return cached[2]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        users = data["users"]
        assert isinstance(users, dict)
    except (OSError, ValueError, KeyError, AssertionError) as exc:
        raise AccountError(f"the accounts file {path} cannot be read ({exc})") from None
    _cache[path] = (info.st_mtime_ns, info.st_size, users)
    return users


def save_accounts(users: dict[str, dict[str, Any]], path: Path | None = None) -> None:
    """Write the accounts file atomically, readable by its owner only."""
    path = path or users_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"version": 1, "users": users}, indent=2, sort_keys=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".users-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text + "\n")
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _cache.pop(path, None)


def check_name(name: str) -> str:
    clean = name.strip().lower()
    if not NAME_PATTERN.match(clean):
        raise AccountError(
            f"'{name}' is not a usable account name",
            hint="use 2 to 40 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return clean


def add_user(name: str, role: str, password: str, *, path: Path | None = None) -> User:
    """Create an account, or replace the role and password of an existing one."""
    name = check_name(name)
    if role not in ROLES:
        raise AccountError(f"'{role}' is not a role; use one of: {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    users = dict(load_accounts(path))
    entry = dict(users.get(name) or {"created": _now(), "tokens": []})
    entry.update(role=role, password=hash_password(password))
    users[name] = entry
    save_accounts(users, path)
    return User(name, role)  # type: ignore[arg-type]


def remove_user(name: str, *, path: Path | None = None) -> bool:
    users = dict(load_accounts(path))
    if users.pop(name.strip().lower(), None) is None:
        return False
    save_accounts(users, path)
    return True


def list_users(path: Path | None = None) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "role": entry["role"],
            "tokens": len(entry.get("tokens") or []),
            "created": entry.get("created"),
        }
        for name, entry in sorted(load_accounts(path).items())
    ]


def new_token(name: str, *, path: Path | None = None) -> str:
    """A new API token for `name`: returned once, stored only as its hash."""
    name = name.strip().lower()
    users = dict(load_accounts(path))
    if name not in users:
        raise AccountError(f"there is no account '{name}'", hint="see `spreadgraph user list`")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    entry = dict(users[name])
    entry["tokens"] = [*(entry.get("tokens") or []), {"hash": _token_hash(token), "created": _now()}]
    users[name] = entry
    save_accounts(users, path)
    return token


def revoke_tokens(name: str, *, path: Path | None = None) -> int:
    name = name.strip().lower()
    users = dict(load_accounts(path))
    if name not in users:
        raise AccountError(f"there is no account '{name}'", hint="see `spreadgraph user list`")
    entry = dict(users[name])
    count = len(entry.get("tokens") or [])
    entry["tokens"] = []
    users[name] = entry
    save_accounts(users, path)
    return count


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _user(name: str, entry: dict[str, Any]) -> User | None:
    role = entry.get("role")
    return User(name, role) if role in ROLES else None


def authenticate(name: str, password: str) -> User | None:
    """The account when the password matches; the same scrypt work is done for unknown names."""
    entry = load_accounts().get(name.strip().lower())
    if entry is None:
        check_password(password, _DUMMY)
        return None
    if not check_password(password, str(entry.get("password", ""))):
        return None
    return _user(name.strip().lower(), entry)


def user_for_token(token: str) -> User | None:
    """The account an API token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    wanted = _token_hash(token)
    found = None
    for name, entry in load_accounts().items():
        for stored in entry.get("tokens") or []:
            if hmac.compare_digest(str(stored.get("hash", "")), wanted):
                found = _user(name, entry)
    return found


# --- sessions ----------------------------------------------------------------------------


def _sign(payload: str) -> str:
    return _b64(hmac.new(secret_key(), b"session:" + payload.encode(), hashlib.sha256).digest())


def session_cookie(user: User) -> tuple[str, int]:
    """(cookie value, max-age seconds) for a new session of `user`."""
    entry = load_accounts().get(user.name) or {}
    max_age = int(get_settings().session_hours * 3600)
    payload = _b64(f"{user.name}|{int(time.time()) + max_age}|{_stamp(str(entry.get('password')))}".encode())
    return f"{payload}.{_sign(payload)}", max_age


def user_for_session(value: str | None) -> User | None:
    """The account of a valid, unexpired session cookie whose password has not changed since."""
    if not value or value.count(".") != 1:
        return None
    payload, signature = value.split(".")
    if not hmac.compare_digest(signature, _sign(payload)):
        return None
    try:
        name, expires, stamp = _unb64(payload).decode().split("|")
        if int(expires) < time.time():
            return None
    except ValueError:
        return None
    entry = load_accounts().get(name)
    if entry is None or not hmac.compare_digest(stamp, _stamp(str(entry.get("password")))):
        return None
    return _user(name, entry)


def request_user(request: Request) -> User | None:
    """The request's account, from `Authorization: Bearer <token>` or the session cookie (cached)."""
    state = request.scope.setdefault("state", {})
    if "user" in state:
        return state["user"]
    user = None
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        user = user_for_token(header[7:].strip())
    else:
        user = user_for_session(request.cookies.get(SESSION_COOKIE))
    state["user"] = user
    return user


def account_for(request: Request) -> dict[str, Any]:
    """What the page header shows: the signed-in user, if any (for templates)."""
    try:
        user = request_user(request)
    except SpreadgraphError:
        user = None
    return {"user": user, "next": request.url.path}


def accounts_exist() -> bool:
    try:
        return bool(load_accounts())
    except AccountError:
        return True
