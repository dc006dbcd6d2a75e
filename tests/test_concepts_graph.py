"""The concept vocabulary in the graph: the migration, items resolved to concepts, coded evidence for
findings that resolve to nothing (counted by the CFIR overview), one node per concept across
documents and templates, idempotent re-extraction and links between resolved items.

Extractions are built by hand (the writer's contract), so no model is needed; the texts are
invented for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j import Driver
from spreadgraph.graph.connection import read, write_tx
from spreadgraph.graph.documents import write_document
from spreadgraph.graph.migrate import STEPS, migrate
from spreadgraph.graph.overview_queries import barriers_by_cfir
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.documents.parsing import parse_document
from spreadgraph.schema.concepts import concept_version, concepts_by_id, load_concepts
from spreadgraph.schema.extraction_models import Code, Extraction, Finding, LinkFinding
from spreadgraph.schema.migrations import MIGRATIONS

from tests.conftest import migration_context

CONCEPTS = MIGRATIONS[-1]
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "cases"
REPORT = """# Rolling out a discharge checklist

## What happened

Ward staff were short of time: there was no protected time for the checklist on busy days.

The training workshops ran in the spring to overcome that lack of protected time on the wards.

The ward layout meant the checklist trolley kept getting in the way of the porters.
"""


def load(graph: Driver, neo4j_settings) -> None:
    """The concept step (the `graph` fixture wipes everything but taxonomy and migration nodes)."""
    STEPS["load_concepts"](graph, migration_context(neo4j_settings))


def count(driver: Driver, query: str, **params: object) -> int:
    return read(query, params, driver=driver)[0]["n"]


def test_migration_loads_every_concept_with_its_codes(graph: Driver, neo4j_settings) -> None:
    load(graph, neo4j_settings)
    concepts = load_concepts()
    assert count(graph, "MATCH (k:Concept) RETURN count(k) AS n") == len(concepts)
    assert (
        count(graph, "MATCH (k:Concept) WHERE k.version <> $v RETURN count(k) AS n", v=concept_version()) == 0
    )
    codes = sum(len(c.codes) for c in concepts)
    assert count(graph, "MATCH (:Concept)-[r:CODED_AS]->() RETURN count(r) AS n") == codes
    row = read(
        "MATCH (k:Concept {id: 'insufficient-funding'})-[:CODED_AS]->(t) "
        "RETURN k.name AS name, k.kind AS kind, k.variants AS variants, collect(t.id) AS codes",
        driver=graph,
    )[0]
    concept = concepts_by_id()["insufficient-funding"]
    assert row["name"] == concept.name and row["kind"] == "barrier"
    assert row["variants"] == list(concept.variants) and sorted(row["codes"]) == sorted(concept.codes)
    with pytest.raises(Exception, match="already exists"):
        graph.execute_query("CREATE (:Concept {id: 'insufficient-funding'})")


def test_migration_is_idempotent_and_reloads_on_a_new_version(graph: Driver, neo4j_settings) -> None:
    load(graph, neo4j_settings)
    before = fingerprint(graph)
    load(graph, neo4j_settings)
    assert fingerprint(graph) == before
    # An older file's version: its concepts are stale, the migration's checksum no longer matches.
    graph.execute_query("MATCH (k:Concept) SET k.version = 'older'")
    graph.execute_query("CREATE (:Concept {id: 'dropped-concept', version: 'older'})")
    graph.execute_query(
        "MATCH (m:SchemaMigration {version: $v}) SET m.checksum = 'older'", v=CONCEPTS.version
    )
    results = {r.version: r.action for r in migrate(migration_context(neo4j_settings), graph)}
    assert results[CONCEPTS.version] == "reapplied"
    assert count(graph, "MATCH (k:Concept {id: 'dropped-concept'}) RETURN count(k) AS n") == 0
    assert count(
        graph, "MATCH (k:Concept) WHERE k.version = $v RETURN count(k) AS n", v=concept_version()
    ) == len(load_concepts())
    codes = sum(len(c.codes) for c in load_concepts())
    assert count(graph, "MATCH (:Concept)-[r:CODED_AS]->() RETURN count(r) AS n") == codes


def finding(doc_text: str, kind: str, name: str, phrase: str, codes: list[Code] | None = None) -> Finding:
    start = doc_text.index(phrase)
    return Finding(
        kind=kind,
        name=name,
        text=phrase,
        start=start,
        end=start + len(phrase),
        sentence_index=0,
        excerpt_index=0,
        confidence=0.7,
        codes=codes or [],
        extractor="test-extractor",
        extractor_version="1",
    )


def extraction_for(doc, findings: list[Finding], links: list[LinkFinding] = ()) -> Extraction:
    for f in findings:  # put each finding in the excerpt that holds it
        f.excerpt_index = next(i for i, e in enumerate(doc.excerpts) if e.start <= f.start < e.end)
    for link in links:
        link.excerpt_index = next(i for i, e in enumerate(doc.excerpts) if e.start <= link.start < e.end)
    return Extraction(
        file_name=doc.file_name,
        content_hash=doc.content_hash,
        words=len(doc.text.split()),
        findings=findings,
        links=list(links),
        extractor="test-extractor",
        extractor_version="1",
    )


def report_extraction(tmp_path, name: str = "discharge.md", text: str = REPORT):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    doc = parse_document(path)
    first = "there was no protected time for the checklist on busy days."
    second = "The training workshops ran in the spring to overcome that lack of protected time on the wards."
    third = "The ward layout meant the checklist trolley kept getting in the way of the porters."
    unresolved = Code(scheme="cfir2", id="cfir2:II.A", name="Physical Infrastructure", similarity=0.5)
    findings = [
        finding(doc.text, "barrier", "lack of protected time", first),
        finding(doc.text, "barrier", "lack of time", second),  # a variant: the same concept
        finding(doc.text, "approach", "training sessions", second),
        finding(doc.text, "barrier", "", third, [unresolved]),
    ]
    start = doc.text.index(second)
    link = LinkFinding(
        relation="addressed",
        approach="training sessions",
        barrier="lack of protected time",
        text=second,
        start=start,
        end=start + len(second),
        sentence_index=1,
        excerpt_index=0,
        confidence=0.6,
        cue="to overcome",
        extractor="test-extractor",
        extractor_version="1",
    )
    return doc, extraction_for(doc, findings, [link])


def write(graph: Driver, doc, extraction):
    return write_tx(lambda tx: write_document(tx, doc, extraction), driver=graph)


def test_a_resolved_finding_becomes_the_concepts_item_with_its_codes(
    graph: Driver, neo4j_settings, tmp_path
) -> None:
    load(graph, neo4j_settings)
    doc, extraction = report_extraction(tmp_path)
    result = write(graph, doc, extraction)
    rows = read(
        "MATCH (b:Barrier)-[:IS_CONCEPT]->(k:Concept) "
        "OPTIONAL MATCH (k)-[:CODED_AS]->(t) "
        "RETURN b.name AS name, b.aliases AS aliases, k.id AS concept, collect(t.id) AS codes",
        driver=graph,
    )
    concept = concepts_by_id()["lack-of-protected-time"]
    assert [(r["name"], r["concept"]) for r in rows] == [("lack of protected time", concept.id)]
    assert set(concept.variants) <= set(rows[0]["aliases"])
    assert sorted(rows[0]["codes"]) == sorted(concept.codes)
    # Both findings naming the concept (by its name and by a variant) are one claim, two evidence spans.
    met = read(
        "MATCH (cl:Claim {kind: 'met_barrier'})-[ev:EVIDENCED_BY]->(:Excerpt) "
        "RETURN cl.id AS id, count(ev) AS spans",
        driver=graph,
    )
    assert [r["spans"] for r in met] == [2]
    # Codes come from the concept: no coded_as claim about an item.
    assert count(graph, "MATCH (:Claim {kind: 'coded_as'})-[:SUBJECT]->() RETURN count(*) AS n") == 0
    assert result.claims.kinds == {"met_barrier": 1, "used_approach": 1, "coded_as": 1, "addressed": 1}


def test_an_unresolved_finding_is_coded_evidence_the_overview_counts(
    graph: Driver, neo4j_settings, tmp_path
) -> None:
    load(graph, neo4j_settings)
    doc, extraction = report_extraction(tmp_path)
    write(graph, doc, extraction)
    names = read("MATCH (b:Barrier) RETURN b.name AS name", driver=graph)
    assert names == [{"name": "lack of protected time"}]  # no item from the unresolved finding
    evidence = read(
        "MATCH (c:Case)-[:MAKES]->(cl:Claim {kind: 'coded_as'})-[:OBJECT]->(t:CfirConstruct) "
        "MATCH (cl)-[:EVIDENCED_BY]->(e:Excerpt) "
        "RETURN c.id AS case, t.id AS code, cl.finding AS finding, cl.status AS status, "
        "       exists { (cl)-[:SUBJECT]->() } AS has_subject, e.text AS text",
        driver=graph,
    )
    assert len(evidence) == 1
    row = evidence[0]
    assert (row["code"], row["finding"], row["status"], row["has_subject"]) == (
        "cfir2:II.A",
        "barrier",
        "suggested",
        False,
    )
    assert "trolley" in row["text"]
    graph.execute_query("MATCH (c:Case {id: $id}) SET c.status = 'published'", id=row["case"])
    overview = barriers_by_cfir(graph)
    by_construct = {c["construct_id"]: c for d in overview["domains"] for c in d["constructs"]}
    assert by_construct["cfir2:II.A"]["coded_evidence"] == 1
    assert by_construct["cfir2:II.A"]["cases"] == 1 and by_construct["cfir2:II.A"]["excerpts"] == 1
    # The resolved barrier counts under its concept's constructs.
    for code in concepts_by_id()["lack-of-protected-time"].codes:
        if code.startswith("cfir2:"):
            top = next(c for cid, c in by_construct.items() if code.startswith(cid))
            assert top["barriers"] >= 1


def test_one_node_per_concept_across_documents_and_a_template(
    graph: Driver, neo4j_settings, tmp_path
) -> None:
    import yaml
    from spreadgraph.ingest.templates.template_ingest import ingest_bytes

    load(graph, neo4j_settings)
    write(graph, *report_extraction(tmp_path, "first.md"))
    write(graph, *report_extraction(tmp_path, "second.md", REPORT.replace("What happened", "What went on")))
    example = yaml.safe_load((EXAMPLES / "better-conversations-berkeley-vale.yaml").read_text())
    example["barriers"] = [{"name": "No protected time", "description": "Named by a variant."}]
    example.pop("links", None)
    ingest_bytes(yaml.safe_dump(example).encode(), "variant.yaml", driver=graph)
    rows = read(
        "MATCH (b:Barrier) OPTIONAL MATCH (b)<-[:SUBJECT]-(cl:Claim {kind: 'met_barrier'}) "
        "RETURN b.name AS name, count(DISTINCT cl) AS claims",
        driver=graph,
    )
    assert rows == [{"name": "lack of protected time", "claims": 3}]
    assert count(graph, "MATCH (:Barrier)-[:IS_CONCEPT]->(k:Concept) RETURN count(k) AS n") == 1


def test_re_extraction_is_idempotent(graph: Driver, neo4j_settings, tmp_path) -> None:
    load(graph, neo4j_settings)
    doc, extraction = report_extraction(tmp_path)
    write(graph, doc, extraction)
    before = fingerprint(graph)
    write_tx(lambda tx: write_document(tx, doc, extraction), driver=graph)  # same content: unchanged
    from spreadgraph.graph.claims import write_extraction
    from spreadgraph.graph.documents import source_id_for

    source = source_id_for(doc)
    cases = {
        r["id"]: r["case"]
        for r in read(
            "MATCH (e:Excerpt)-[:FROM]->(:Source {id: $s}) OPTIONAL MATCH (c:Case)-[:HAS_EXCERPT]->(e) "
            "RETURN e.id AS id, c.id AS case",
            {"s": source},
            driver=graph,
        )
    }
    write_tx(lambda tx: write_extraction(tx, doc, extraction, source, cases), driver=graph)
    assert fingerprint(graph) == before


def test_links_join_the_resolved_items(graph: Driver, neo4j_settings, tmp_path) -> None:
    load(graph, neo4j_settings)
    write(graph, *report_extraction(tmp_path))
    rows = read(
        "MATCH (a:Approach)<-[:SUBJECT]-(cl:Claim {kind: 'addressed'})-[:OBJECT]->(b:Barrier) "
        "MATCH (cl)-[ev:EVIDENCED_BY]->(:Excerpt)-[:FROM]->(s:Source) "
        "RETURN a.name AS approach, b.name AS barrier, substring(s.text, ev.start, ev.end - ev.start) AS text, "
        "       exists { (a)-[:IS_CONCEPT]->(:Concept {id: 'educational-meetings'}) } AS concept",
        driver=graph,
    )
    assert len(rows) == 1
    assert (rows[0]["approach"], rows[0]["barrier"], rows[0]["concept"]) == (
        "training sessions",
        "lack of protected time",
        True,
    )
    assert "to overcome" in rows[0]["text"]
