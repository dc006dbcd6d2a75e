"""The contributor's case form and template upload, against the real Neo4j (empty graph each test)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from spreadgraph.graph.connection import read
from spreadgraph.graph.decisions import get_case
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.templates.template_ingest import check_bytes
from spreadgraph.webui.app import create_app
from spreadgraph.webui.caseform import form_to_template

from spreadgraph.config import get_settings
from tests.test_webui_auth import CONTRIBUTOR, csrf, ensure_accounts, sign_in

PFCC2 = Path(__file__).resolve().parents[1] / "examples" / "cases" / "pfcc-phase-2-peer-coaching.yaml"
SCRIPT = "<script>alert(1)</script>"


def valid_form() -> dict[str, str]:
    """A small invented case, as the form would send it."""
    return {
        "title": "Hand-held ultrasound in two community clinics",
        "summary": "Two community clinics tried pocket ultrasound probes for triage; one kept them.",
        "period": "2021-2023",
        "spread_status": "piloted",
        "innovation.name": "Pocket ultrasound triage",
        "innovation.type": "diagnostic device",
        "innovation.description": "A phone-sized probe used by nurses before referral.",
        "contexts[1].setting": "community clinic",
        "contexts[1].country": "Wales",
        "contexts[1].scale": "multi-site",
        "contexts[1].organisations": "North clinic\nSouth clinic\n",
        "barriers[1].name": "Scan time squeezed into short slots",
        "barriers[1].cfir": "Available Resources",
        "approaches[1].name": "Protected scanning sessions",
        "approaches[1].eric": "Facilitation",
        "links[1].approach": "Protected scanning sessions",
        "links[1].barrier": "Scan time squeezed into short slots",
        "links[1].effect": "partly addressed",
        "lessons[1]": "Book scan time separately from the consultation.",
        "excerpts[1].quote": "Once we had our own session the probe came out every week.",
        "excerpts[1].speaker_role": "clinic nurse",
        "excerpts[1].de_identified": "yes",
        "excerpts[1].source": "1",
        "sources[1].citation": "Clinic pilot notes, 2023 (invented for tests)",
        "contributor.name": "Test Contributor",
        "contributor.contact": "contributor@spreadgraph.example",
    }


@pytest.fixture
def client(graph: Driver) -> Iterator[TestClient]:
    ensure_accounts()
    with TestClient(create_app()) as test_client:
        sign_in(test_client, CONTRIBUTOR)
        yield test_client


def post_form(client: TestClient, data: dict[str, str], **kwargs):
    return client.post("/submit", data={**data, "csrf_token": csrf(client)}, follow_redirects=False, **kwargs)


class Fields(HTMLParser):
    """Inputs of the page (id, name, attributes) and the ids labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.ids: dict[str, str] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.inputs.append(a)
        if tag == "label" and a.get("for"):
            self.labelled.add(a["for"] or "")
        if a.get("id"):
            self._current = a["id"]
            self.ids[a["id"] or ""] = ""

    def handle_data(self, data: str) -> None:
        if self._current:
            self.ids[self._current] += data

    def handle_endtag(self, tag: str) -> None:
        self._current = None


def parse(html: str) -> Fields:
    fields = Fields()
    fields.feed(html)
    return fields


def test_every_input_has_a_label(client: TestClient) -> None:
    page = client.get("/submit")
    assert page.status_code == 200 and 'action="/submit"' in page.text
    fields = parse(page.text)
    assert len(fields.inputs) > 40
    unlabelled = [f.get("name") for f in fields.inputs if f.get("id") not in fields.labelled]
    assert not unlabelled
    assert '<script src="/static/caseform.js" defer></script>' in page.text


def test_anonymous_visitors_are_asked_to_sign_in(graph: Driver) -> None:
    with TestClient(create_app()) as anonymous:
        page = anonymous.get("/submit")
        assert page.status_code == 200 and "sign in" in page.text and 'action="/submit"' not in page.text


def test_invalid_form_shows_messages_next_to_fields_keeps_input_and_writes_nothing(
    client: TestClient,
) -> None:
    before = fingerprint()
    data = valid_form() | {
        "title": "",
        "summary": f"Summary with {SCRIPT} inside",
        "barriers[1].cfir": "Available Resource",
        "links[1].barrier": "Scan time",
        "adoptions[1].site": "South clinic",
        "adoptions[1].status": "stopped",
    }
    page = post_form(client, data)
    assert page.status_code == 422
    fields = parse(page.text)
    expected = {
        "f-title": "must not be empty",
        "f-barriers-1-cfir": "did you mean 'Available Resources'",
        "f-links-1-barrier": "is not one of the case's barriers",
        "f-adoptions-1-reason": "a 'reason' is required when status is 'stopped'",
    }
    for field_id, message in expected.items():
        assert message in fields.ids[f"{field_id}-error"], field_id
        (element,) = [f for f in fields.inputs if f.get("id") == field_id]
        assert f"{field_id}-error" in (element.get("aria-describedby") or "").split()
        assert element.get("aria-invalid") == "true"
    # The same messages as `spreadgraph validate` gives for the same data.
    template, _ = form_to_template(data)
    _, cli = check_bytes(json.dumps(template).encode(), "x")
    for problem in cli:
        assert problem.message.replace("'", "&#39;") in page.text, problem.message
    assert "4 problems to fix" in page.text
    # The person's input is kept, escaped.
    assert "Summary with &lt;script&gt;alert(1)&lt;/script&gt; inside" in page.text
    assert SCRIPT not in page.text
    assert 'value="Available Resource"' in page.text and 'value="South clinic"' in page.text
    assert fingerprint() == before


def test_blank_rows_are_skipped_and_messages_land_on_the_right_row(client: TestClient) -> None:
    before = fingerprint()
    data = valid_form()
    data["barriers[2].name"] = data.pop("barriers[1].name")
    data["barriers[2].cfir"] = "No Such Construct"
    data["barriers[1].description"] = "   "
    page = post_form(client, data)
    assert page.status_code == 422
    fields = parse(page.text)
    assert "is not a CFIR" in fields.ids["f-barriers-2-cfir-error"] or fields.ids["f-barriers-2-cfir-error"]
    assert "f-barriers-1-cfir-error" not in fields.ids
    assert fingerprint() == before


def test_add_a_row_without_javascript(client: TestClient) -> None:
    before = fingerprint()
    page = post_form(client, valid_form() | {"add": "barriers"})
    assert page.status_code == 200
    assert (
        'name="barriers[2].name"' in page.text and 'value="Scan time squeezed into short slots"' in page.text
    )
    assert "problems to fix" not in page.text
    assert fingerprint() == before


def test_valid_form_creates_a_pending_case_once(client: TestClient) -> None:
    response = post_form(client, valid_form())
    assert response.status_code == 303, response.text[:800]
    case_id = "case:hand-held-ultrasound-in-two-community-clinics"
    assert response.headers["location"] == f"/submissions/{case_id}"
    done = client.get(response.headers["location"])
    assert done.status_code == 200 and case_id in done.text and "pending" in done.text
    assert f'href="/cases/{case_id}"' in done.text
    row = get_case(case_id)
    assert row["status"] == "pending" and row["revision"] == 1 and row["account"] == CONTRIBUTOR
    assert client.get(f"/cases/{case_id}").status_code == 404  # not published yet
    organisations = read(
        "MATCH (:Case {id: $id})-[:IN_CONTEXT]->(c) RETURN c.organisations AS o", {"id": case_id}
    )
    assert organisations == [{"o": ["North clinic", "South clinic"]}]
    before = fingerprint()
    again = post_form(client, valid_form())
    assert again.status_code == 303 and fingerprint() == before  # identical content writes nothing
    as_json = post_form(client, valid_form(), headers={"accept": "application/json"})
    assert as_json.status_code == 200 and as_json.json()["action"] == "unchanged"


def test_form_problems_as_json(client: TestClient) -> None:
    response = post_form(client, {"title": "x"}, headers={"accept": "application/json"})
    assert response.status_code == 422
    paths = {p["path"] for p in response.json()["problems"]}
    assert {"summary", "innovation.name", "contributor.contact"} <= paths


def upload(client: TestClient, name: str, raw: bytes):
    return client.post(
        "/submit/upload",
        data={"csrf_token": csrf(client)},
        files={"file": (name, raw, "application/yaml")},
        follow_redirects=False,
    )


def test_upload_a_filled_template(client: TestClient) -> None:
    response = upload(client, "pfcc.yaml", PFCC2.read_bytes())
    assert response.status_code == 303
    assert response.headers["location"] == "/submissions/case:pfcc-phase-2-peer-coaching"
    assert get_case("pfcc-phase-2-peer-coaching")["status"] == "pending"
    source = read(
        "MATCH (s:Source {id: 'source:template:pfcc-phase-2-peer-coaching'}) RETURN s.file_name AS f"
    )
    assert source == [{"f": "pfcc.yaml"}]


def test_upload_with_problems_lists_them_and_writes_nothing(client: TestClient) -> None:
    before = fingerprint()
    bad = PFCC2.read_text(encoding="utf-8").replace("cfir: Culture", "cfir: Cultur")
    response = upload(client, "bad.yaml", bad.encode())
    assert response.status_code == 422
    line = bad.splitlines().index("    cfir: Cultur") + 1
    assert f"bad.yaml: line {line}, barriers[3].cfir" in response.text
    assert "did you mean &#39;Culture&#39;" in response.text
    assert upload(client, "empty.yaml", b"").status_code == 422
    no_file = client.post("/submit/upload", data={"csrf_token": csrf(client)})
    assert no_file.status_code == 422 and "choose a template file" in no_file.text
    assert fingerprint() == before


def test_oversized_uploads_are_refused_with_413(client: TestClient) -> None:
    before = fingerprint()
    big = b"# padding\n" * 150_000  # 1.5 MB: under the body limit, over the template limit
    response = upload(client, "big.yaml", big)
    assert response.status_code == 413
    assert "a template may be at most 1 MB" in response.text and "nothing was written" in response.text
    huge = b"#" * (get_settings().max_body_bytes + 10)
    refused = upload(client, "huge.yaml", huge)
    assert refused.status_code == 413 and "at most" in refused.text
    as_json = client.post(
        "/submit/upload",
        data={"csrf_token": csrf(client)},
        files={"file": ("big.yaml", big, "application/yaml")},
        headers={"accept": "application/json"},
    )
    assert as_json.status_code == 413 and as_json.json()["error"]["code"] == "too_large"
    assert fingerprint() == before


def test_script_in_submitted_text_renders_inert(client: TestClient) -> None:
    data = valid_form() | {"title": f"Probe pilot {SCRIPT}", "id": "probe-pilot-script"}
    response = post_form(client, data)
    assert response.status_code == 303
    for url in (response.headers["location"], "/submit"):
        html = client.get(url).text
        assert SCRIPT not in html and "<script>" not in html
    assert (
        "Probe pilot &lt;script&gt;alert(1)&lt;/script&gt;" in client.get(response.headers["location"]).text
    )
    assert (
        re.search(r"<script[^>]*>", client.get("/submit").text).group(0).startswith('<script src="/static/')
    )
