"""Web pages and their JSON twins through TestClient, against the real Neo4j with demo data.

Seeded once per module: four demo templates (three published, one left pending), a template of
our own whose every text field holds a script tag, and a small invented document whose excerpts
back a claim we add by hand (the extractor's writer does not exist yet).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from spreadgraph.graph.connection import write
from spreadgraph.graph.decisions import set_status
from spreadgraph.ingest.documents.ingester import ingest_document
from spreadgraph.ingest.templates.template_ingest import ingest_bytes, ingest_file
from spreadgraph.webui.app import create_app

from tests.conftest import analyst_token, wipe_data

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "examples" / "cases"
PUBLISHED = ("teledermatology-failed-pathway", "pfcc-phase-2-peer-coaching", "escape-pain-spread")
PENDING = "ctg-myrecord"
SCRIPT = "<script>alert(1)</script>"
OWN_SCRIPTS = re.compile(r'<script src="/static/[\w./-]+" defer></script>')

HOSTILE_TEMPLATE = f"""
template_version: 1
id: hostile-markup
title: "Ward tablets {SCRIPT}"
summary: "A made-up case whose text tries markup {SCRIPT} and <img src=x onerror=alert(2)>."
narrative: "Narrative with {SCRIPT} inside."
period: 2020-2021
spread_status: piloted
innovation:
  name: "Bedside tablet {SCRIPT}"
  type: digital tool
  description: "Tablets {SCRIPT}"
contexts:
  - setting: "acute hospital {SCRIPT}"
    country: England
    scale: single site
adoptions:
  - site: "Ward {SCRIPT}"
    status: adopted
approaches:
  - name: "Tablet champions {SCRIPT}"
    description: "Champions {SCRIPT}"
barriers:
  - name: "Flaky wifi {SCRIPT}"
    description: "Wifi {SCRIPT}"
enablers:
  - name: "Keen matron {SCRIPT}"
links:
  - approach: "Tablet champions {SCRIPT}"
    barrier: "Flaky wifi {SCRIPT}"
    effect: did not address
outcomes:
  - measure: "Use {SCRIPT}"
    value: "Some {SCRIPT}"
    direction: unclear
    evidence: anecdotal
lessons:
  - "Lesson {SCRIPT}"
excerpts:
  - quote: "Quote {SCRIPT}"
    speaker_role: "nurse {SCRIPT}"
    de_identified: true
sources:
  - citation: "Citation {SCRIPT}"
contributor:
  name: "Tester {SCRIPT}"
  organisation: spreadgraph tests
  contact: tests@spreadgraph.example
"""

# An invented evaluation (no corpus text), with a script tag in its text and in one quote.
DOCUMENT = f"""# Night-shift medicines round: an evaluation

Alex Sample

Published 2023. An evaluation of one ward's change to the night medicines round.

## What happened

The ward moved the late round to a fixed time and gave it a runner.

'Having one runner for the whole round meant nobody was pulled away mid-dose.' (staff nurse)

Some notes were typed as {SCRIPT} by a mischievous tester.

'The cupboard keys were still held by one person, so we waited anyway {SCRIPT}.' (healthcare assistant)
"""


@dataclass
class Site:
    client: TestClient
    driver: Driver
    source_id: str
    excerpts: list[dict]
    barrier_id: str
    approach_id: str
    innovation_id: str


def page_urls(site: Site) -> list[str]:
    case = "case:teledermatology-failed-pathway"
    return [
        "/",
        f"/cases/{case}",
        f"/cases/{quote('case:hostile-markup', safe=':')}",
        f"/barriers/{site.barrier_id}",
        f"/approaches/{site.approach_id}",
        f"/innovations/{site.innovation_id}",
        f"/sources/{site.source_id}",
        "/sources/source:template:hostile-markup",
        "/barriers/barrier:flaky-wifi-script-alert-1-script",
        "/cypher",
        "/cypher?canned=approaches-for-barrier&barrier=image",
        "/schema",
    ]


@dataclass
class Seeded:
    source_id: str
    excerpts: list[dict]
    barrier_id: str
    approach_id: str
    innovation_id: str


def seed(driver: Driver, folder: Path) -> Seeded:
    """Wipe the graph and load the demo cases, the hostile template and the invented document."""
    wipe_data(driver)
    for name in (*PUBLISHED, PENDING):
        ingest_file(CASES / f"{name}.yaml")
    ingest_bytes(HOSTILE_TEMPLATE.encode(), "hostile.yaml")
    for name in (*PUBLISHED, "hostile-markup"):
        assert set_status(name, "published", reviewer="tests")
    (folder / "night-round-evaluation.md").write_text(DOCUMENT, encoding="utf-8")
    doc = ingest_document(folder / "night-round-evaluation.md")
    excerpts = write(
        "MATCH (e:Excerpt)-[:FROM]->(s:Source {id: $id}) RETURN e.id AS id, e.text AS text, "
        "e.start AS start, e.end AS end, s.text AS source ORDER BY e.start",
        {"id": doc.source_id},
    )
    assert len(excerpts) >= 2
    # A claim from the document's case, evidenced by its second excerpt, about a demo barrier.
    barrier = "barrier:no-implementation-planning-of-the-whole-pathway"
    write(
        """
        MATCH (c:Case)-[:DESCRIBED_IN]->(:Source {id: $source}), (b:Barrier {id: $barrier}),
              (e:Excerpt {id: $excerpt})
        CREATE (c)-[:MAKES]->(cl:Claim {id: 'claim:test:1', kind: 'met_barrier', status: 'suggested',
                                       method: 'extractor', asserted_by: 'tests', confidence: 0.8})
        CREATE (cl)-[:SUBJECT]->(b), (cl)-[:EVIDENCED_BY]->(e)
        """,
        {"source": doc.source_id, "barrier": barrier, "excerpt": excerpts[-1]["id"]},
    )
    approach = write("MATCH (a:Approach {name: 'Advice and guidance tariff'}) RETURN a.id AS id")[0]["id"]
    innovation = write("MATCH (i:Innovation {name: 'Teledermatology triage'}) RETURN i.id AS id")[0]["id"]
    return Seeded(doc.source_id, excerpts, barrier, approach, innovation)


@pytest.fixture(scope="module")
def site(migrated: Driver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data = seed(migrated, tmp_path_factory.mktemp("docs"))
    with TestClient(create_app()) as client:
        yield Site(
            client,
            migrated,
            data.source_id,
            data.excerpts,
            data.barrier_id,
            data.approach_id,
            data.innovation_id,
        )
    wipe_data(migrated)


@pytest.fixture
def as_analyst(site: Site) -> Iterator[None]:
    """The site's client signed in as an analyst (the console needs one) for one test."""
    site.client.headers["authorization"] = f"Bearer {analyst_token()}"
    yield
    del site.client.headers["authorization"]


def test_every_page_and_its_json_twin(site: Site, as_analyst: None) -> None:
    for url in page_urls(site):
        page = site.client.get(url)
        assert page.status_code == 200, (url, page.text[:500])
        assert page.headers["content-type"].startswith("text/html")
        link = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)"', page.text)
        assert link, url
        twin = site.client.get(link.group(1).replace("&amp;", "&"))
        assert twin.status_code == 200 and twin.headers["content-type"] == "application/json", url
        by_accept = site.client.get(url, headers={"accept": "application/json"})
        assert by_accept.status_code == 200 and stable(by_accept.json()) == stable(twin.json()), url


def stable(data: dict) -> dict:
    """A JSON twin without its timing (which differs between two runs of a query)."""
    if isinstance(data.get("result"), dict):
        data["result"].pop("elapsed_ms", None)
    return data


def test_home_counts_and_recent_cases(site: Site) -> None:
    data = site.client.get("/.json").json()
    assert data["published_cases"] == 5  # 3 demo + hostile + the document's case
    assert data["counts"]["Case"] == 6
    titles = {c["title"] for c in data["recent"]}
    assert "Teledermatology advice-and-guidance pathway that collapsed twice" in titles
    assert not any("MyRecord" in t for t in titles if t)


def test_case_page_groups_claims_with_evidence(site: Site) -> None:
    data = site.client.get("/cases/case:teledermatology-failed-pathway.json").json()
    assert data["innovation"]["name"] == "Teledermatology triage"
    assert {f["item"]["name"] for f in data["barriers"]} == {
        "No implementation planning of the whole pathway",
        "Unusable image quality at the consultant",
    }
    planning = next(f for f in data["barriers"] if f["item"]["name"].startswith("No implementation"))
    assert planning["codes"][0]["name"] == "Planning"
    assert planning["claim"]["evidence"][0]["kind"] == "source"
    assert planning["claim"]["evidence"][0]["field"] == "barriers[1]"
    assert {link["effect"] for link in data["links"]} == {"did_not_address"}
    assert [a["status"] for a in data["adoptions"]] == ["stopped", "stopped"]
    assert data["outcomes"][0]["measure"] == "Use of photo triage"
    assert len(data["lessons"]) == 2 and data["revisions"][0]["number"] == 1
    assert any(s["kind"] == "template" for s in data["sources"])
    # The template's own id (without the `case:` prefix) reaches the same page.
    assert site.client.get("/cases/teledermatology-failed-pathway.json").json()["case"] == data["case"]


def test_case_page_shows_the_contributors_extra_fields(site: Site) -> None:
    page = site.client.get("/cases/case:pfcc-phase-2-peer-coaching")
    assert page.status_code == 200
    assert "check again by 2027-06-30" in page.text
    assert "Coaches moved into supporting staff" in page.text  # the link's note
    assert "paraphrase · " in page.text
    assert (
        'href="https://doi.org/10.1080/13561820.2023.2205879" rel="noopener noreferrer nofollow"' in page.text
    )


def test_pending_case_and_its_template_source_are_hidden(site: Site) -> None:
    for url in (f"/cases/case:{PENDING}", f"/sources/source:template:{PENDING}"):
        response = site.client.get(url)
        assert response.status_code == 404 and "<script" not in response.text
        error = site.client.get(url + ".json").json()
        assert error == {
            "ok": False,
            "error": {"code": "not_found", "message": error["error"]["message"], "hint": None},
        }


def test_barrier_page_lists_cases_and_approaches_with_evidence(site: Site) -> None:
    data = site.client.get(f"/barriers/{site.barrier_id}.json").json()
    cases = {c["case"]["id"] for c in data["cases"]}
    assert "case:teledermatology-failed-pathway" in cases and len(cases) == 2
    from_document = next(c for c in data["cases"] if c["claim"]["id"] == "claim:test:1")
    (evidence,) = from_document["claim"]["evidence"]
    assert evidence["kind"] == "excerpt" and evidence["href"].endswith(f"#excerpt-{evidence['id']}")
    (group,) = data["approaches"]
    assert group["other"]["name"] == "Advice and guidance tariff"
    assert group["effects"] == {"did_not_address": 1} and group["evidence_count"] == 1


def test_evidence_link_lands_on_the_exact_span(site: Site) -> None:
    data = site.client.get(f"/barriers/{site.barrier_id}.json").json()
    evidence = next(c for c in data["cases"] if c["claim"]["id"] == "claim:test:1")["claim"]["evidence"][0]
    url, fragment = evidence["href"].split("#")
    html = site.client.get(url).text
    marked = MarkCollector(fragment.removeprefix("excerpt-"))
    marked.feed(html)
    assert f'id="{fragment}"' in html
    assert marked.text == evidence["text"]
    row = next(e for e in site.excerpts if e["id"] == evidence["id"])
    assert row["source"][row["start"] : row["end"]] == marked.text


def test_every_excerpt_is_highlighted_exactly(site: Site) -> None:
    html = site.client.get(f"/sources/{site.source_id}").text
    for row in site.excerpts:
        collector = MarkCollector(row["id"])
        collector.feed(html)
        assert collector.text == row["text"], row["id"]


def test_approach_and_innovation_pages(site: Site) -> None:
    approach = site.client.get(f"/approaches/{site.approach_id}.json").json()
    assert [c["case"]["id"] for c in approach["cases"]] == ["case:teledermatology-failed-pathway"]
    assert approach["addressed"][0]["other"]["name"] == "No implementation planning of the whole pathway"
    assert approach["outcomes"][0]["measure"] == "Use of photo triage"
    assert approach["codes"][0]["name"] == "Use other payment schemes"
    innovation = site.client.get(f"/innovations/{site.innovation_id}.json").json()
    assert [c["id"] for c in innovation["cases"]] == ["case:teledermatology-failed-pathway"]
    assert len(innovation["barriers"]) == 2 and len(innovation["approaches"]) == 3


def test_stored_script_tags_render_inert_everywhere(site: Site) -> None:
    for url in page_urls(site):
        html = OWN_SCRIPTS.sub("", site.client.get(url).text)  # our own files, from /static only
        assert "<script" not in html.lower(), url
        assert "<img src=x" not in html, url
    hostile = site.client.get("/cases/case:hostile-markup").text
    assert hostile.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 10
    source = site.client.get(f"/sources/{site.source_id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source


def test_unknown_pages_use_the_error_shape(site: Site) -> None:
    for url in ("/cases/case:nope", "/barriers/barrier:nope", "/no/such/page"):
        html = site.client.get(url)
        assert html.status_code == 404 and "Traceback" not in html.text
        assert (
            site.client.get(url, headers={"accept": "application/json"}).json()["error"]["code"]
            == "not_found"
        )
    assert site.client.get("/cases/case:teledermatology-failed-pathway.csv").status_code == 404


def test_security_headers(site: Site) -> None:
    response = site.client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert site.client.get("/static/style.css").status_code == 200


class MarkCollector(HTMLParser):
    """The text of every <mark> segment that covers one excerpt id, in order."""

    def __init__(self, excerpt_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.excerpt_id = excerpt_id
        self.depth = 0
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "mark":
            covering = self.excerpt_id in (dict(attrs).get("data-excerpts") or "").split()
            self.depth = self.depth + 1 if covering or self.depth else 0

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark" and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text += data
