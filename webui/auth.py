"""Accounts, passwords, API tokens and signed session cookies (stdlib only).

Accounts live in a JSON file (`SPREADGRAPH_USERS_FILE`, default `<SPREADGRAPH_HOME>/users.json`,
mode 600) managed by `spreadgraph user`. Passwords are hashed with `hashlib.scrypt` (a fresh
16-byte salt each, n=2**14, r=8, p=1) and compared in constant time; API tokens are 32 random
bytes shown once and stored as their SHA-256 (they are long random secrets, so a fast hash is
enough). A session cookie holds `name|expiry|session id` signed with HMAC-SHA256 under the app's
`secret_key()` (webui/sessions.py). API tokens expire (`SPREADGRAPH_TOKEN_DAYS`) and are
revoked one at a time by their short id; a new password ends every session and revokes every
token of the account.
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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from spreadgraph.config import get_settings
from spreadgraph.errors import SpreadgraphError

Role = Literal["contributor", "analyst", "reviewer"]
ROLES: tuple[Role, ...] = ("contributor", "analyst", "reviewer")
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
    """A signed-in account. Contributors submit cases; analysts read everything (the console);
    reviewers do both and decide."""

    name: str
    role: Role

    @property
    def can_contribute(self) -> bool:
        return self.role in ("contributor", "reviewer")

    @property
    def can_read_all(self) -> bool:
        return self.role in ("analyst", "reviewer")

    @property
    def can_review(self) -> bool:
        return self.role == "reviewer"


# --- passwords ---------------------------------------------------------------------------


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """'scrypt$n$r$p$salt$hash' for a new random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${b64(salt)}${b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    """Whether `password` matches `stored` (constant-time compare of the derived keys)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = unb64(digest)
        derived = hashlib.scrypt(
            password.encode(),
            salt=unb64(salt),
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


def token_id(token: str) -> str:
    """The short public id of a token (shown by `user list`, used to revoke it)."""
    return _token_hash(token)[:10]


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
    entry = dict(users.get(name) or {"created": _now()})
    # A new password ends every session and revokes every token of the account.
    entry.update(role=role, password=hash_password(password), tokens=[], sessions=[])
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
            "tokens": [
                {"id": t.get("id"), "expires": _iso(_token_expiry(t))} for t in entry.get("tokens") or []
            ],
            "created": entry.get("created"),
        }
        for name, entry in sorted(load_accounts(path).items())
    ]


def change_account(name: str, path: Path | None, edit: Callable[[dict[str, Any]], Any]) -> Any:
    """Apply `edit` to a copy of one account's entry and save it; returns what `edit` returned."""
    name = name.strip().lower()
    users = dict(load_accounts(path))
    if name not in users:
        raise AccountError(f"there is no account '{name}'", hint="see `spreadgraph user list`")
    entry = dict(users[name])
    result = edit(entry)
    users[name] = entry
    save_accounts(users, path)
    return result


def new_token(name: str, *, days: float | None = None, path: Path | None = None) -> str:
    """A new API token for `name`, valid for `days` (SPREADGRAPH_TOKEN_DAYS): returned once,
    stored only as its hash, with its short id and expiry."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = time.time() + (days or get_settings().token_days) * 86400
    record = {"id": token_id(token), "hash": _token_hash(token), "created": _now(), "expires": int(expires)}
    change_account(name, path, lambda entry: entry.update(tokens=[*_live_tokens(entry), record]))
    return token


def revoke_tokens(name: str, *, only: str | None = None, path: Path | None = None) -> int:
    """Revoke the account's tokens (just the one whose id is `only`, when given); how many went."""

    def edit(entry: dict[str, Any]) -> int:
        tokens = entry.get("tokens") or []
        kept = [t for t in tokens if only is not None and t.get("id") != only]
        entry["tokens"] = kept
        return len(tokens) - len(kept)

    return change_account(name, path, edit)


def _token_expiry(record: dict[str, Any]) -> float:
    """When a token expires; tokens made before expiry existed count from their creation."""
    if record.get("expires"):
        return float(record["expires"])
    try:
        created = datetime.fromisoformat(str(record.get("created"))).timestamp()
    except ValueError:
        return 0.0
    return created + get_settings().token_days * 86400


def _live_tokens(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in entry.get("tokens") or [] if _token_expiry(t) > time.time()]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def account_user(name: str, entry: dict[str, Any]) -> User | None:
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
    return account_user(name.strip().lower(), entry)


def user_for_token(token: str) -> User | None:
    """The account an API token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    wanted = _token_hash(token)
    found = None
    for name, entry in load_accounts().items():
        for stored in _live_tokens(entry):
            if hmac.compare_digest(str(stored.get("hash", "")), wanted):
                found = account_user(name, entry)
    return found


def accounts_exist() -> bool:
    try:
        return bool(load_accounts())
    except AccountError:
        return True
