"""Property-based tests of the JSON API from its own OpenAPI schema (schemathesis).

Schemathesis generates requests for every operation in `/api/openapi.json` (valid and invalid
ones) and sends them in-process to the app over the seeded fixture graph. Every default
check runs (issue 6 asks for no 500s; schemathesis also checks status codes, content types and
bodies against the schema, and a 405's `Allow` header), and every error is the project's fixed
JSON shape.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings
from neo4j import Driver

from tests.conftest import wipe_data
from tests.test_webui_pages import seed

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")

from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

EXAMPLES = 25
#: A schema-valid body can still be refused by design: any string is a valid `query` field, but
#: text that is not Cypher (or not read-only) is refused with 400 and a reason.
REFUSES_VALID_BODIES = {"/api/cypher"}


@pytest.fixture(scope="module")
def seeded(migrated: Driver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Driver]:
    seed(migrated, tmp_path_factory.mktemp("openapi-docs"))
    yield migrated
    wipe_data(migrated)


def _schema() -> object:
    from spreadgraph.webui.app import create_app

    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app())


schema = _schema()  # the app opens no connection until a request needs one


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case: object, seeded: Driver) -> None:
    excluded = [positive_data_acceptance] if case.path in REFUSES_VALID_BODIES else []  # type: ignore[attr-defined]
    response = case.call_and_validate(excluded_checks=excluded)  # type: ignore[attr-defined]
    if response.status_code >= 400:
        body = response.json()
        assert body["ok"] is False and {"code", "message"} <= set(body["error"]), body


def test_schema_lists_every_api_route() -> None:
    paths = set(schema.raw_schema["paths"])  # type: ignore[attr-defined]
    assert {"/api/search", "/api/what-worked", "/api/cypher", "/api/cases"} <= paths


def test_search_filters_keep_their_descriptions() -> None:
    from spreadgraph.search.filters import SearchFilters

    for path in ("/api/search", "/api/what-worked"):
        params = {p["name"]: p for p in schema.raw_schema["paths"][path]["get"]["parameters"]}  # type: ignore[attr-defined]
        for name, field in SearchFilters.model_fields.items():
            assert params[name].get("description") == field.description, (path, name)
