"""Request safety: CSRF on every form POST, same-origin rule for the API, body size limit,
security headers and the one error shape. Runs against the real Neo4j (empty graph)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from neo4j import Driver
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.webui.app import create_app
from spreadgraph.webui.security import CSRF_COOKIE, new_token, token_is_valid

from spreadgraph.config import get_settings
from tests.conftest import analyst_token


@pytest.fixture
def client(graph: Driver) -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        test_client.headers["authorization"] = f"Bearer {analyst_token()}"
        yield test_client


def _api_routes(routes: list, prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route, through included routers (FastAPI >= 0.16x nests them)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _api_routes(inner.routes, prefix + (route.include_context.prefix or ""))
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route.methods


def form_post_paths(client: TestClient) -> list[str]:
    """Every non-API path that accepts POST, from the app's routes (HTML pages are not in the
    OpenAPI schema)."""
    return sorted(
        {
            path
            for path, methods in _api_routes(client.app.routes)
            if "POST" in methods and not path.startswith("/api/")
        }
    )


def test_there_are_form_routes_to_protect(client: TestClient) -> None:
    paths = form_post_paths(client)
    assert {"/cypher", "/sign-in", "/submit", "/review/cases/{case_id}/publish"} <= set(paths)


@pytest.mark.parametrize(
    "case",
    ["no cookie, no field", "field only", "cookie only", "mismatch", "forged", "both forged alike"],
)
def test_every_form_post_without_a_valid_token_is_refused(client: TestClient, case: str) -> None:
    good, other = new_token(), new_token()
    forged = "abc.def"
    cookie, field = {
        "no cookie, no field": (None, None),
        "field only": (None, good),
        "cookie only": (good, None),
        "mismatch": (good, other),
        "forged": (good, forged),
        "both forged alike": (forged, forged),
    }[case]
    before = fingerprint()
    for path in form_post_paths(client):
        client.cookies.clear()
        if cookie:
            client.cookies.set(CSRF_COOKIE, cookie)
        data = {"query": "RETURN 1"} | ({"csrf_token": field} if field else {})
        response = client.post(path, data=data)
        assert response.status_code == 403, (path, case, response.text[:300])
        assert "security token" in response.text
        as_json = client.post(path, data=data, headers={"accept": "application/json"}).json()
        assert as_json["error"]["code"] == "csrf"
    assert fingerprint() == before


def test_the_token_cookie_is_strict_and_http_only(client: TestClient) -> None:
    response = client.get("/cypher")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = response.cookies[CSRF_COOKIE]
    assert token_is_valid(token) and f'value="{token}"' in response.text
    again = client.get("/cypher")
    assert "set-cookie" not in again.headers  # a valid token is kept, not rotated per page


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"origin": "http://testserver.evil.example"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
    ],
)
def test_cross_origin_unsafe_requests_are_refused(client: TestClient, headers: dict[str, str]) -> None:
    before = fingerprint()
    for path in ("/api/cypher", "/api/cases", "/cypher"):
        response = client.post(path, json={"query": "RETURN 1"}, headers=headers)
        assert response.status_code == 403, (path, headers)
        assert response.json()["error"]["code"] == "csrf" if path.startswith("/api/") else True
    assert fingerprint() == before


def test_same_origin_and_tool_requests_to_the_api_pass(client: TestClient) -> None:
    for headers in ({}, {"origin": "http://testserver"}, {"sec-fetch-site": "same-origin"}):
        response = client.post("/api/cypher", json={"query": "RETURN 1 AS one"}, headers=headers)
        assert response.status_code == 200 and response.json()["rows"] == [{"one": 1}], headers


def test_oversized_bodies_are_refused(client: TestClient) -> None:
    limit = get_settings().max_body_bytes
    before = fingerprint()
    for path in ("/api/cypher", "/api/cases", "/cypher"):
        declared = client.post(path, content=b"x" * (limit + 1), headers={"content-type": "application/json"})
        assert declared.status_code == 413, path
        assert declared.json()["error"]["code"] == "too_large" if path.startswith("/api/") else True

        def chunks() -> Iterator[bytes]:
            for _ in range(limit // 65_536 + 2):
                yield b"y" * 65_536

        streamed = client.post(path, content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413, path
    form = client.post("/cypher", data={"query": "x" * (limit + 10)})
    assert form.status_code == 413 and "at most" in form.text
    assert fingerprint() == before


def test_small_chunked_bodies_still_arrive(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "RETURN '
        yield b'2 AS two"}'

    response = client.post("/api/cypher", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 200 and response.json()["rows"] == [{"two": 2}]


def test_security_headers_on_pages_errors_and_api(client: TestClient) -> None:
    for response in (
        client.get("/"),
        client.get("/nope"),
        client.post("/api/cypher", json={"query": "CREATE (n)"}),
    ):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "object-src 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


def test_pages_have_no_inline_scripts_or_styles(client: TestClient) -> None:
    for path in ("/", "/cypher", "/schema", "/nope"):
        html = client.get(path).text.lower()
        assert (
            "<script" not in html
            and "<style" not in html
            and " style=" not in html
            and " on" + "click" not in html
        )


def test_error_shape_is_fixed(client: TestClient) -> None:
    responses = [
        client.get("/nope.json"),
        client.get("/cases/case:nope", headers={"accept": "application/json"}),
        client.post("/api/cypher", json={"query": "CREATE (n)"}),
        client.post("/api/cypher", json={}),
        client.put("/api/cypher", json={}),
    ]
    for response in responses:
        body = response.json()
        assert set(body) == {"ok", "error"} and body["ok"] is False, body
        assert set(body["error"]) == {"code", "message", "hint"}, body
        assert "Traceback" not in response.text
    assert [r.status_code for r in responses] == [404, 404, 400, 422, 405]


def test_reflected_query_and_params_are_escaped(client: TestClient) -> None:
    hostile = '"><script>alert(1)</script>'
    for params in (
        {"query": "RETURN $x AS x", "params": '{"x": "\\"><script>alert(1)</script>"}'},
        {"query": "RETURN 1 // </textarea><script>alert(1)</script>"},
        {"query": hostile, "params": hostile},
        {"canned": "approach-did-not-address", "approach": hostile},
    ):
        response = client.get("/cypher", params=params)
        assert response.status_code in (200, 400, 422), (params, response.status_code)
        assert "<script" not in response.text.lower(), params


def test_params_field_round_trips_hostile_values(client: TestClient) -> None:
    import json
    from html.parser import HTMLParser

    value = {"x": '" autofocus onfocus="alert(1)'}

    class Inputs(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: dict[str, str | None] = {}

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "input" and dict(attrs).get("id") == "params":
                self.found = dict(attrs)

    page = client.get("/cypher", params={"query": "RETURN $x AS x", "params": json.dumps(value)})
    parser = Inputs()
    parser.feed(page.text)
    assert "onfocus" not in parser.found and "autofocus" not in parser.found
    assert json.loads(parser.found["value"] or "") == value
