"""One test per attack of issue 14, each against a real uvicorn server over HTTP and the real Neo4j.

Each test sends the attack as an outsider (or a signed-in account of the wrong kind) would, checks
the answer (4xx, or no rows), and checks that the graph's fingerprint did not change. The server
layer's own defence (LOAD CSV refused even when the app's guard is bypassed) is tested with the
driver directly in tests/test_server_hardening.py; the guard's fuzz is tests/test_guard_fuzz.py.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from neo4j import Driver
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.webui import auth, sessions
from spreadgraph.webui.caseform import form_to_template
from spreadgraph.webui.security import allowed_hosts_for

from bench.scratch import free_port
from spreadgraph.config import get_settings
from tests.conftest import analyst_token, live_server, wipe_data
from tests.test_webui_auth import CONTRIBUTOR, PASSWORD, REVIEWER, ensure_accounts
from tests.test_webui_pages import PENDING, PUBLISHED, seed
from tests.test_webui_submit import valid_form

OTHER = "morgan"  # a second contributor
CSRF_FIELD = 'name="csrf_token" value="'


@dataclass
class Live:
    url: str
    driver: Driver

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@pytest.fixture(scope="module")
def live(migrated: Driver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """`serve`'s app (with its Host allow-list) in a thread, over the seeded demo graph."""
    from spreadgraph.webui.app import create_app

    seed(migrated, tmp_path_factory.mktemp("attack-docs"))
    ensure_accounts()
    if OTHER not in auth.load_accounts():
        auth.add_user(OTHER, "contributor", PASSWORD)
    port = free_port()
    app = create_app(allowed_hosts=allowed_hosts_for("127.0.0.1", port))
    with live_server(app, port=port) as url:
        yield Live(url, migrated)
    wipe_data(migrated)


@pytest.fixture
def unchanged(live: Live) -> Iterator[None]:
    """The attack must leave the graph exactly as it was."""
    before = fingerprint(live.driver)
    yield
    assert fingerprint(live.driver) == before


def cypher(client: httpx.Client, query: str) -> httpx.Response:
    return client.post("/api/cypher", json={"query": query})


def sign_in(client: httpx.Client, name: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/sign-in", data={"name": name, "password": password, "csrf_token": csrf_of(client)})


def csrf_of(client: httpx.Client, path: str = "/sign-in") -> str:
    return client.get(path).text.split(CSRF_FIELD, 1)[1].split('"', 1)[0]


# --- the console -------------------------------------------------------------------------


HIDDEN = [
    'WITH "//" AS x LOAD CSV FROM "file:///etc/hostname" AS l RETURN l',
    "WITH '/*' AS x LOAD CSV FROM 'file:///etc/hostname' AS l RETURN l, '*/'",
    "CALL `dbms`.listConfig() YIELD name RETURN name",
    "SHOW SETTINGS",
    "SHOW TRANSACTIONS YIELD *",
    "LOAD CSV FROM 'http://127.0.0.1:9/' AS l RETURN l",
]


@pytest.mark.parametrize("query", HIDDEN)
def test_anonymous_console_is_closed(live: Live, unchanged: None, query: str) -> None:
    with live.client() as client:
        answer = cypher(client, query)
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "not_signed_in"
        assert client.get("/cypher", params={"query": query}).status_code == 401


@pytest.mark.parametrize("query", HIDDEN)
def test_analyst_cannot_read_files_or_administer(live: Live, unchanged: None, query: str) -> None:
    with live.client(analyst_token()) as client:
        answer = cypher(client, query)
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] in ("query_refused", "query_failed")
        assert "rows" not in answer.json()


def test_private_data_is_not_readable_without_the_right_role(live: Live, unchanged: None) -> None:
    query = "MATCH (c:Contributor) RETURN c.contact AS contact"
    with live.client() as anonymous:
        assert cypher(anonymous, query).status_code == 401
    with live.client(auth.new_token(CONTRIBUTOR)) as contributor:
        refused = cypher(contributor, query)
        assert refused.status_code == 403 and "analyst" in refused.json()["error"]["message"]
    with live.client(analyst_token()) as analyst:  # analysts may read everything
        assert cypher(analyst, query).json()["rows"]


def test_an_open_console_stays_closed_while_the_graph_holds_private_data(
    live: Live, unchanged: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPREADGRAPH_CONSOLE_ACCESS", "open")
    get_settings.cache_clear()
    try:
        with live.client() as anonymous:
            refused = cypher(anonymous, "RETURN 1 AS one")
            assert refused.status_code == 403
            assert "contact details" in refused.json()["error"]["message"]
    finally:
        monkeypatch.delenv("SPREADGRAPH_CONSOLE_ACCESS")
        get_settings.cache_clear()


def test_the_byte_cap_cuts_one_huge_row(live: Live, unchanged: None) -> None:
    with live.client(analyst_token()) as client:
        answer = cypher(client, "RETURN range(1, 3000000) AS big")
        assert answer.status_code == 200
        body = answer.json()
        assert body["truncated"] is True
        assert len(answer.content) < 2 * get_settings().query_byte_cap


def test_console_csv_neutralises_formula_cells(live: Live, unchanged: None) -> None:
    query = "RETURN '=HYPERLINK(\"http://evil.example\")' AS a, '+1' AS b, '-1' AS c, '@x' AS d, 'plain' AS e"
    with live.client(analyst_token()) as client:
        answer = client.get("/cypher.csv", params={"query": query})
        assert answer.status_code == 200
        row = answer.text.splitlines()[1]
        assert row.startswith("\"'=HYPERLINK") and ",'+1,'-1,'@x,plain" in row


# --- search and public pages ---------------------------------------------------------------


def test_unpublished_cases_are_for_reviewers_only(live: Live, unchanged: None) -> None:
    params = {"q": "patient portal records", "published_only": "false", "kind": "case"}
    with live.client() as anonymous:
        assert anonymous.get("/api/search", params=params).status_code == 401
        assert anonymous.get("/api/what-worked", params=params).status_code == 401
    with live.client(auth.new_token(CONTRIBUTOR)) as contributor:
        assert contributor.get("/api/search", params=params).status_code == 403
    with live.client(auth.new_token(REVIEWER)) as reviewer:
        found = reviewer.get("/api/search", params={**params, "limit": 50})
        assert found.status_code == 200
        assert f"case:{PENDING}" in found.text


def test_public_pages_carry_no_email_address(live: Live, unchanged: None) -> None:
    contacts = [
        r["contact"]
        for r in live.driver.execute_query("MATCH (c:Contributor) RETURN c.contact AS contact").records
    ]
    emails = [c for c in contacts if "@" in c]
    assert emails, "the demo cases should have e-mail contacts to hide"
    ids = [r["id"] for r in live.driver.execute_query("MATCH (c:Contributor) RETURN c.id AS id").records]
    assert not any("@" in i for i in ids)
    with live.client() as anonymous:
        for name in PUBLISHED:
            for url in (f"/cases/case:{name}", f"/cases/case:{name}.json"):
                page = anonymous.get(url)
                assert page.status_code == 200
                assert not any(email in page.text for email in emails), url


# --- ownership and review ---------------------------------------------------------------------


def _template(case_id: str, title: str) -> bytes:
    data, _ = form_to_template(valid_form())
    data.update(id=case_id, title=title)
    return json.dumps(data).encode()


def test_only_the_owner_or_a_reviewer_may_resubmit(live: Live) -> None:
    with live.client(auth.new_token(CONTRIBUTOR)) as owner:
        created = owner.post("/api/cases", content=_template("owned-case", "Owned case"))
        assert created.status_code == 201, created.text
    before = fingerprint(live.driver)
    with live.client(auth.new_token(OTHER)) as other:
        taken = other.post("/api/cases", content=_template("owned-case", "Taken over"))
        assert taken.status_code == 403 and taken.json()["error"]["code"] == "not_case_owner"
        for demo in PUBLISHED:  # cases loaded by the CLI have no owner account: reviewers only
            assert other.post("/api/cases", content=_template(demo, "Unpublished")).status_code == 403
        assert other.get("/submissions/case:owned-case").status_code == 404
    assert fingerprint(live.driver) == before
    with live.client(auth.new_token(REVIEWER)) as reviewer:
        revised = reviewer.post("/api/cases", content=_template("owned-case", "Owned case, revised"))
        assert revised.status_code == 201 and revised.json()["revision"] == 2


def test_a_decision_names_the_revision_the_reviewer_saw(live: Live) -> None:
    with live.client(auth.new_token(CONTRIBUTOR)) as owner:
        owner.post("/api/cases", content=_template("changing-case", "First text"))
        owner.post("/api/cases", content=_template("changing-case", "Second text"))
    before = fingerprint(live.driver)
    with live.client(auth.new_token(REVIEWER)) as reviewer:
        stale = reviewer.post("/api/cases/changing-case/publish", json={"revision": 1})
        assert stale.status_code == 409 and "revision 2" in stale.json()["error"]["message"]
        assert reviewer.post("/api/cases/changing-case/publish", json={}).status_code == 422
        assert fingerprint(live.driver) == before
        done = reviewer.post("/api/cases/changing-case/publish", json={"revision": 2})
        assert done.status_code == 200


# --- sessions, sign-in and requests ---------------------------------------------------------


def test_sign_in_is_rate_limited(live: Live, unchanged: None) -> None:
    limit = get_settings().sign_in_limit
    with live.client() as client:
        for _ in range(limit):
            assert sign_in(client, OTHER, "wrong password!").status_code == 401
        blocked = sign_in(client, OTHER, PASSWORD)  # even the right password now waits
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0


def test_csrf_token_of_another_session_is_refused(live: Live, unchanged: None) -> None:
    with live.client() as attacker, live.client() as victim:
        assert sign_in(attacker, REVIEWER).status_code == 303
        planted = csrf_of(attacker, "/review")
        assert sign_in(victim, REVIEWER).status_code == 303
        victim.cookies.set("sg_csrf", planted)  # a cookie an attacker managed to plant
        refused = victim.post("/sign-out", data={"csrf_token": planted}, follow_redirects=False)
        assert refused.status_code == 403


def test_dns_rebinding_host_is_refused(live: Live, unchanged: None) -> None:
    with live.client(analyst_token()) as client:
        for host in (
            "evil.example",
            "evil.example:8000",
            f"localhost.evil.example:{live.url.rsplit(':', 1)[1]}",
        ):
            answer = client.post("/api/cypher", json={"query": "RETURN 1"}, headers={"host": host})
            assert answer.status_code == 400 and answer.json()["error"]["code"] == "bad_host", host
        assert client.get("/", headers={"host": "evil.example"}).status_code == 400


def test_sign_out_ends_the_session_on_the_server(live: Live, unchanged: None) -> None:
    with live.client() as client:
        assert sign_in(client, REVIEWER).status_code == 303
        stolen = client.cookies.get(sessions.SESSION_COOKIE)
        assert client.get("/review").status_code == 200
        out = client.post(
            "/sign-out", data={"csrf_token": csrf_of(client, "/review")}, follow_redirects=False
        )
        assert out.status_code == 303
    with live.client() as replay:
        replay.cookies.set(sessions.SESSION_COOKIE, stolen)
        assert replay.get("/review").status_code == 401


def test_tokens_expire_are_revoked_one_at_a_time_and_by_a_new_password(live: Live, unchanged: None) -> None:
    auth.add_user("tok-person", "reviewer", PASSWORD)
    short = auth.new_token("tok-person", days=1 / 86400)  # one second
    first, second = auth.new_token("tok-person"), auth.new_token("tok-person")
    time.sleep(1.2)
    url = "/review.json"
    with live.client(short) as client:
        assert client.get(url).status_code == 401
    auth.revoke_tokens("tok-person", only=auth.token_id(first))
    with live.client(first) as client:
        assert client.get(url).status_code == 401
    with live.client(second) as client:
        assert client.get(url).status_code == 200
    auth.add_user("tok-person", "reviewer", PASSWORD + " changed")
    with live.client(second) as client:
        assert client.get(url).status_code == 401


def test_api_docs_obey_read_access_and_the_csp(
    live: Live, unchanged: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with live.client() as client:
        docs = client.get("/api/docs")
        assert docs.status_code == 200 and "/api/search" in docs.text
        csp = docs.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "cdn" not in csp
        assert "<script>" not in docs.text
    monkeypatch.setenv("SPREADGRAPH_READ_ACCESS", "signed-in")
    get_settings.cache_clear()
    try:
        with live.client() as client:
            assert client.get("/api/docs").status_code == 401
            assert client.get("/api/openapi.json").status_code == 401
    finally:
        monkeypatch.delenv("SPREADGRAPH_READ_ACCESS")
        get_settings.cache_clear()


def test_a_slow_template_does_not_block_other_requests(
    live: Live, unchanged: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    crafted = b"title: [" + b"a," * 150_000 + b"]"  # ~300 KB that PyYAML takes seconds to parse
    monkeypatch.setenv("SPREADGRAPH_TEMPLATE_PARSE_SECONDS", "0.5")
    get_settings.cache_clear()
    finished: dict[str, float] = {}

    def post() -> None:
        with live.client(auth.new_token(CONTRIBUTOR)) as client:
            answer = client.post("/api/cases", content=crafted)
            finished["post"] = time.monotonic()
            finished["status"] = answer.status_code
            finished["message"] = answer.text

    try:
        worker = threading.Thread(target=post)
        worker.start()
        time.sleep(0.1)
        with live.client() as other:
            assert other.get("/sign-in").status_code == 200
            finished["get"] = time.monotonic()
        worker.join(60)
    finally:
        monkeypatch.delenv("SPREADGRAPH_TEMPLATE_PARSE_SECONDS")
        get_settings.cache_clear()
    assert finished["get"] < finished["post"]  # answered while the template was still parsing
    assert finished["status"] == 422 and "took longer than 0.5 s" in str(finished["message"])
