"""Sign-in, sessions, API tokens and role checks on every write route (real Neo4j, empty graph).

The helpers here (`ensure_accounts`, `sign_in`, `csrf`, `token_for`) are imported by the
submit, review and browser tests.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.webui import auth, sessions
from spreadgraph.webui.app import create_app
from spreadgraph.webui.security import CSRF_COOKIE
from typer.testing import CliRunner

from spreadgraph.cli import _register, app
from spreadgraph.config import get_settings

PASSWORD = "a long enough test password"
CONTRIBUTOR, REVIEWER = "casey", "robin"
README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def ensure_accounts() -> None:
    """A contributor and a reviewer in the session's accounts file (same password)."""
    users = auth.load_accounts()
    for name, role in ((CONTRIBUTOR, "contributor"), (REVIEWER, "reviewer")):
        if users.get(name, {}).get("role") != role or not auth.authenticate(name, PASSWORD):
            auth.add_user(name, role, PASSWORD)


def csrf(client: TestClient) -> str:
    """The client's CSRF token (fetching a page sets its cookie)."""
    page = client.get("/sign-in")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> None:
    response = client.post(
        "/sign-in",
        data={"name": name, "password": password, "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:400]


def token_for(name: str) -> str:
    return auth.new_token(name)


@pytest.fixture
def client(graph: Driver) -> Iterator[TestClient]:
    ensure_accounts()
    with TestClient(create_app()) as test_client:
        yield test_client


def test_passwords_are_salted_scrypt_and_checked(tmp_path: Path) -> None:
    one, two = auth.hash_password("secret words"), auth.hash_password("secret words")
    assert one != two and one.startswith("scrypt$16384$8$1$")
    assert auth.check_password("secret words", one) and not auth.check_password("secret word", one)
    assert not auth.check_password("secret words", "md5$nonsense")
    path = tmp_path / "users.json"
    auth.add_user("Sam", "reviewer", "secret words", path=path)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert "secret words" not in path.read_text() and '"sam"' in path.read_text()
    with pytest.raises(auth.AccountError):
        auth.add_user("sam", "admin", "secret words", path=path)
    with pytest.raises(auth.AccountError):
        auth.add_user("sam", "reviewer", "short", path=path)
    with pytest.raises(auth.AccountError):
        auth.add_user("../etc", "reviewer", "secret words", path=path)


def test_session_cookies_are_signed_expire_and_end_with_a_new_password(graph: Driver) -> None:
    ensure_accounts()
    user = auth.User(CONTRIBUTOR, "contributor")
    value, max_age = sessions.session_cookie(user)
    assert max_age == int(get_settings().session_hours * 3600)
    assert sessions.user_for_session(value) == user
    payload, signature = value.split(".")
    forged = auth.b64(auth.unb64(payload).replace(CONTRIBUTOR.encode(), REVIEWER.encode()))
    assert sessions.user_for_session(f"{forged}.{signature}") is None
    assert sessions.user_for_session(payload + ".x") is None and sessions.user_for_session("junk") is None
    expired = auth.b64(f"{CONTRIBUTOR}|{int(time.time()) - 1}|x".encode())
    assert sessions.user_for_session(f"{expired}.{sessions._sign(expired)}") is None
    auth.add_user(CONTRIBUTOR, "contributor", PASSWORD + "!")
    assert sessions.user_for_session(value) is None  # a new password ends old sessions
    auth.add_user(CONTRIBUTOR, "contributor", PASSWORD)


def test_sign_in_wrong_password_then_right_one(client: TestClient) -> None:
    token = csrf(client)
    wrong = client.post("/sign-in", data={"name": REVIEWER, "password": "not it", "csrf_token": token})
    assert wrong.status_code == 401 and "name or password is wrong" in wrong.text
    assert sessions.SESSION_COOKIE not in wrong.headers.get("set-cookie", "")
    unknown = client.post("/sign-in", data={"name": "nobody", "password": PASSWORD, "csrf_token": token})
    assert unknown.status_code == 401 and "name or password is wrong" in unknown.text
    right = client.post(
        "/sign-in",
        data={"name": REVIEWER, "password": PASSWORD, "csrf_token": token, "next": "/review"},
        follow_redirects=False,
    )
    assert right.status_code == 303 and right.headers["location"] == "/review"
    cookie = right.headers["set-cookie"]
    assert cookie.startswith("sg_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Max-Age=" in cookie
    home = client.get("/sign-in")
    assert f"Signed in as <strong>{REVIEWER}</strong>" in home.text and "Sign out" in home.text
    stale = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert stale.status_code == 403  # the token from before sign-in is not bound to this session
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', home.text).group(1)
    out = client.post("/sign-out", data={"csrf_token": fresh}, follow_redirects=False)
    assert out.status_code == 303
    assert "Signed in as" not in client.get("/sign-in").text


def test_sign_in_never_redirects_off_site(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        response = client.post(
            "/sign-in",
            data={"name": REVIEWER, "password": PASSWORD, "csrf_token": csrf(client), "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/", target


def test_sign_in_page_explains_how_to_get_an_account(client: TestClient, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SPREADGRAPH_USERS_FILE", str(tmp_path / "none.json"))
    get_settings.cache_clear()
    try:
        page = client.get("/sign-in")
        assert "No accounts exist yet" in page.text and "spreadgraph user add" in page.text
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@pytest.mark.parametrize(
    "path",
    [
        "/sign-in",
        "/sign-out",
        "/submit",
        "/submit/upload",
        "/review/cases/case:ctg-myrecord/publish",
        "/review/cases/case:ctg-myrecord/reject",
        "/review/claims/claim:test:1/confirm",
        "/review/claims/claim:test:1/reject",
    ],
)
def test_forms_refuse_a_missing_or_wrong_csrf_token(client: TestClient, path: str) -> None:
    sign_in(client, REVIEWER)
    before = fingerprint()
    for data in ({"name": REVIEWER, "password": PASSWORD}, {"csrf_token": "forged.token"}):
        response = client.post(path, data=data)
        assert response.status_code == 403 and "security token" in response.text, (path, data)
    client.cookies.delete(CSRF_COOKIE)
    assert client.post(path, data={"csrf_token": csrf(client) + "x"}).status_code == 403
    assert fingerprint() == before


WRITES = [
    ("api", "/api/cases", "contributor"),
    ("api", "/api/cases/case:nope/publish", "reviewer"),
    ("api", "/api/cases/case:nope/reject", "reviewer"),
    ("api", "/api/claims/claim:nope/confirm", "reviewer"),
    ("api", "/api/claims/claim:nope/reject", "reviewer"),
    ("form", "/submit", "contributor"),
    ("form", "/submit/upload", "contributor"),
    ("form", "/review/cases/case:nope/publish", "reviewer"),
    ("form", "/review/cases/case:nope/reject", "reviewer"),
    ("form", "/review/claims/claim:nope/confirm", "reviewer"),
    ("form", "/review/claims/claim:nope/reject", "reviewer"),
    ("get", "/review", "reviewer"),
]


def _call(client: TestClient, kind: str, path: str, headers: dict[str, str]):
    if kind == "get":
        return client.get(path, headers={**headers, "accept": "application/json"})
    if kind == "api":
        return client.post(path, json={"reason": "test", "note": "test"}, headers=headers)
    data = {"csrf_token": csrf(client), "reason": "test"}
    return client.post(path, data=data, headers={**headers, "accept": "application/json"})


@pytest.mark.parametrize(
    "how", ["anonymous", "contributor-session", "contributor-token", "reviewer-session", "reviewer-token"]
)
def test_every_write_route_checks_the_role(client: TestClient, how: str) -> None:
    before = fingerprint()
    headers: dict[str, str] = {}
    if how != "anonymous":
        role, via = how.split("-")
        name = CONTRIBUTOR if role == "contributor" else REVIEWER
        if via == "session":
            sign_in(client, name)
        else:
            headers = {"authorization": f"Bearer {token_for(name)}"}
    for kind, path, needs in WRITES:
        response = _call(client, kind, path, headers)
        body = response.json()
        if how == "anonymous":
            assert response.status_code == 401, (path, response.text[:300])
            assert body["error"]["code"] == "not_signed_in" and "sign in" in body["error"]["message"]
        elif needs == "reviewer" and how.startswith("contributor"):
            assert response.status_code == 403, (path, how, response.text[:300])
            assert body["error"]["code"] == "forbidden" and "only reviewers" in body["error"]["message"]
        else:
            assert response.status_code not in (401, 403), (path, how, response.text[:300])
    if how == "anonymous" or how.startswith("contributor"):
        assert fingerprint() == before


def test_an_unknown_token_is_refused_with_a_clear_message(client: TestClient) -> None:
    for value in ("Bearer sgt_not-a-real-token", "Bearer nonsense", "Basic abc"):
        response = client.post("/api/cases", content=b"x: 1", headers={"authorization": value})
        assert response.status_code == 401
        assert "not recognised" in response.json()["error"]["message"]


def test_a_removed_account_loses_its_token_and_session(client: TestClient) -> None:
    auth.add_user("temp-user", "reviewer", PASSWORD)
    token = token_for("temp-user")
    sign_in(client, "temp-user")
    assert client.get("/review.json").status_code == 200
    assert auth.remove_user("temp-user")
    assert client.get("/review.json").status_code == 401
    assert client.get("/review.json", headers={"authorization": f"Bearer {token}"}).status_code == 401


def test_read_access_can_require_an_account(client: TestClient, monkeypatch) -> None:
    assert client.get("/.json").status_code == 200  # open by default
    monkeypatch.setenv("SPREADGRAPH_READ_ACCESS", "signed-in")
    get_settings.cache_clear()
    try:
        closed = client.get("/.json")
        assert closed.status_code == 401 and closed.json()["error"]["code"] == "not_signed_in"
        assert client.get("/cypher").status_code == 401
        assert client.get("/sign-in").status_code == 200
        token = token_for(CONTRIBUTOR)
        assert client.get("/.json", headers={"authorization": f"Bearer {token}"}).status_code == 200
        sign_in(client, CONTRIBUTOR)
        assert client.get("/.json").status_code == 200
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_user_cli_adds_lists_tokens_and_removes(graph: Driver, monkeypatch) -> None:
    _register()
    runner = CliRunner()
    added = runner.invoke(app, ["user", "add", "Cli-Person", "--role", "reviewer"], input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert auth.authenticate("cli-person", PASSWORD) == auth.User("cli-person", "reviewer")
    monkeypatch.setenv("SG_TEST_PASSWORD", PASSWORD + "2")
    again = runner.invoke(
        app, ["user", "add", "cli-person", "--role", "contributor", "--password-env", "SG_TEST_PASSWORD"]
    )
    assert again.exit_code == 0 and auth.authenticate("cli-person", PASSWORD + "2").role == "contributor"
    token = runner.invoke(app, ["user", "token", "cli-person"])
    printed = token.stdout.strip().splitlines()[0]
    assert printed.startswith("sgt_") and auth.user_for_token(printed).name == "cli-person"
    assert printed not in auth.users_path().read_text()  # stored hashed
    listed = runner.invoke(app, ["user", "list"])
    assert "cli-person" in listed.output and "contributor" in listed.output
    assert runner.invoke(app, ["user", "token", "cli-person", "--revoke-all"]).exit_code == 0
    assert auth.user_for_token(printed) is None
    assert runner.invoke(app, ["user", "remove", "cli-person"]).exit_code == 0
    assert "cli-person" not in auth.load_accounts()
    bad = runner.invoke(app, ["user", "add", "x", "--role", "admin"], input=PASSWORD + "\n")
    assert bad.exit_code != 0


def test_accounts_are_documented() -> None:
    for text in ("## Sign-in and roles", "spreadgraph user add", "hashlib.scrypt", "SPREADGRAPH_READ_ACCESS"):
        assert text in README, text
