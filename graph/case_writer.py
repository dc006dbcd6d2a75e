"""Writes a validated case template to the graph: one transaction per case, with revisions.

A case keeps a stable id (`case:<template id or title slug>`). Submitting identical content
again writes nothing; changed content adds a Revision (who, when, which field paths changed),
replaces the case's template-made nodes and claims, keeps every earlier Revision, and puts the
case back to 'pending' review. Claims from other sources (documents, coded imports) are kept.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from neo4j import ManagedTransaction
from spreadgraph.graph.case_links import link_template_case
from spreadgraph.graph.item_resolution import ItemName, resolve_items, tidy_items
from spreadgraph.schema.diff import changed_paths
from spreadgraph.schema.model import CLAIM_ENDS
from spreadgraph.schema.names import normalise_name
from spreadgraph.schema.template import CaseTemplate, contributor_key

_CURRENT = """
MATCH (c:Case {id: $id})
OPTIONAL MATCH (c)-[:HAS_REVISION]->(r:Revision {number: c.revision})
RETURN c.revision AS revision, r.content_hash AS hash, r.template AS template
"""
_CLEAR = """
MATCH (c:Case {id: $id})
OPTIONAL MATCH (c)-[:MAKES]->(cl:Claim {method: 'template'})
OPTIONAL MATCH (cl)-[:SUBJECT|OBJECT]->(item)
WHERE item:Barrier OR item:Enabler OR item:Approach
WITH c, collect(DISTINCT cl) AS claims, collect(DISTINCT item.id) AS items
OPTIONAL MATCH (c)-[:ABOUT]->(inn:Innovation)
WITH c, claims, items, collect(inn.id) AS inns
WITH c, claims, items + inns AS items
CALL {
  WITH c, claims
  UNWIND claims AS cl
  OPTIONAL MATCH (cl)-[:SUBJECT]->(owned) WHERE owned:Outcome OR owned:Lesson
  DETACH DELETE owned, cl
}
CALL {
  WITH c
  OPTIONAL MATCH (c)-[:HAS_ADOPTION|IN_CONTEXT]->(part)
  DETACH DELETE part
}
CALL {
  WITH c
  OPTIONAL MATCH (c)-[:HAS_EXCERPT]->(e:Excerpt {kind: 'template_quote'})
  DETACH DELETE e
}
CALL {
  WITH c
  OPTIONAL MATCH (c)-[a:ABOUT|DESCRIBED_IN]->()
  DELETE a
}
RETURN items
"""
_CASE = """
MERGE (c:Case {id: $id})
SET c += $props
MERGE (con:Contributor {id: $contributor.id})
SET con += $contributor
CREATE (r:Revision {id: $id + ':r' + toString($props.revision)})
SET r += $revision
MERGE (c)-[:HAS_REVISION]->(r)
MERGE (r)-[:SUBMITTED_BY]->(con)
MERGE (s:Source {id: $source.id})
SET s += $source, s.ingested_at = datetime()
MERGE (c)-[:DESCRIBED_IN]->(s)
WITH c, r
SET r.submitted_at = datetime()
WITH c
MATCH (i:Innovation {id: $innovation})
MERGE (c)-[:ABOUT]->(i)
"""
_CITED = """
MATCH (c:Case {id: $id})
UNWIND $rows AS row
MERGE (s:Source {id: row.id})
ON CREATE SET s.kind = 'document', s.title = row.title, s.source_type = 'cited'
SET s.url = coalesce(row.url, s.url)
MERGE (c)-[:DESCRIBED_IN]->(s)
"""
_PARTS = {
    "Context": "IN_CONTEXT",
    "Adoption": "HAS_ADOPTION",
}
_PART = {
    label: f"""
MATCH (c:Case {{id: $id}})
UNWIND $rows AS row
CREATE (n:{label} {{id: row.id}})
SET n += row.props
CREATE (c)-[:{rel}]->(n)
"""
    for label, rel in _PARTS.items()
}
_OWNED_ITEMS = {
    label: f"""
UNWIND $rows AS row
CREATE (n:{label} {{id: row.id}})
SET n += row.props
"""
    for label in ("Outcome", "Lesson")
}
_EXCERPTS = """
MATCH (c:Case {id: $id}), (s:Source {id: $source})
UNWIND $rows AS row
CREATE (e:Excerpt {id: row.id})
SET e += row.props
CREATE (c)-[:HAS_EXCERPT]->(e)
CREATE (e)-[:FROM]->(s)
"""
# Labels cannot be parameters; each statement is built from the fixed pairs above.
_CLAIMS = {
    (subject, obj): f"""
MATCH (c:Case {{id: $id}}), (s:Source {{id: $source}})
UNWIND $rows AS row
MATCH (subject:{subject} {{id: row.subject}})
"""
    + (f"MATCH (object:{obj} {{id: row.object}})\n" if obj else "")
    + """CREATE (cl:Claim {id: row.id})
SET cl.kind = row.kind, cl.status = 'confirmed', cl.method = 'template', cl.asserted_by = $by,
    cl.field = row.field, cl.note = row.note
CREATE (c)-[:MAKES]->(cl)
CREATE (cl)-[:SUBJECT]->(subject)
CREATE (cl)-[:EVIDENCED_BY]->(s)
"""
    + ("CREATE (cl)-[:OBJECT]->(object)\n" if obj else "")
    for subject, obj in CLAIM_ENDS
}
LINK_KINDS = {
    "addressed": "addressed",
    "partly addressed": "partly_addressed",
    "did not address": "did_not_address",
    "caused": "caused",
}


@dataclass
class CaseWrite:
    """What happened to one submitted case."""

    case_id: str
    action: str  # created | revised | unchanged
    revision: int
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalise_name(text)).strip("-")[:80] or "case"


def case_id_for(template: CaseTemplate) -> str:
    """The stable id: 'case:' + the template's id, or a slug of its title."""
    return "case:" + (template.id or slug(template.title))


def canonical(template: CaseTemplate) -> tuple[dict[str, Any], str]:
    """The template as normalised JSON data and its sha256 (identity of a revision)."""
    data = template.model_dump(mode="json")
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return data, hashlib.sha256(text.encode()).hexdigest()


def contributor_id(template: CaseTemplate) -> str:
    return contributor_key(template.contributor.name, template.contributor.contact)


def submit_case(tx: ManagedTransaction, template: CaseTemplate, *, file_name: str | None = None) -> CaseWrite:
    """Write (or revise) one case inside the caller's transaction; unchanged content writes nothing."""
    case_id = case_id_for(template)
    data, digest = canonical(template)
    current = tx.run(_CURRENT, id=case_id).single()
    if current and current["hash"] == digest:
        return CaseWrite(case_id, "unchanged", current["revision"])
    number = (current["revision"] or 0) + 1 if current else 1
    changes = changed_paths(json.loads(current["template"] or "{}"), data) if current else []
    touched: list[str] = tx.run(_CLEAR, id=case_id).single()["items"] if current else []
    result = CaseWrite(case_id, "revised" if current else "created", number, changes)
    by = contributor_id(template)
    source_id = "source:template:" + case_id.removeprefix("case:")
    innovation = template.innovation
    ids, notes = resolve_items(
        tx,
        "Innovation",
        [
            ItemName(
                "innovation",
                innovation.name,
                innovation.description,
                tuple(innovation.aliases),
                innovation.type,
            )
        ],
    )
    result.notes += notes
    tx.run(
        _CASE,
        id=case_id,
        props={
            "title": template.title,
            "summary": template.summary,
            "period": template.period,
            "spread_status": template.spread_status,
            "review_by": template.review_by.isoformat() if template.review_by else None,
            "status": "pending",
            "revision": number,
        },
        contributor={
            "id": by,
            "name": template.contributor.name,
            "organisation": template.contributor.organisation,
            "contact": template.contributor.contact,
        },
        revision={
            "number": number,
            "submitted_by": by,
            "content_hash": digest,
            "changes": changes,
            "template": json.dumps(data, sort_keys=True, ensure_ascii=False),
        },
        source={
            "id": source_id,
            "kind": "template",
            "source_type": "template",
            "title": template.title,
            "file_name": file_name,
            "content_hash": digest,
            "version": number,
            "text": template.narrative or template.summary,
        },
        innovation=ids["innovation"],
    )
    _write_parts(tx, case_id, template)
    _write_cited(tx, case_id, template)
    claims, item_ids = _write_findings(tx, case_id, template, result)
    _write_excerpts(tx, case_id, source_id, template)
    for ends, rows in claims.items():
        tx.run(_CLAIMS[ends], id=case_id, source=source_id, by=by, rows=rows)
    tidy_items(tx, sorted(set(touched) | set(item_ids)))
    for link in link_template_case(tx, case_id):
        if link["target"]:
            result.notes.append(f"the cited document's case {link['target']} is this case (linked SAME_AS)")
    return result


def _write_parts(tx: ManagedTransaction, case_id: str, template: CaseTemplate) -> None:
    contexts = [
        {"id": f"{case_id}:contexts[{i}]", "props": c.model_dump(mode="json")}
        for i, c in enumerate(template.contexts, start=1)
    ]
    adoptions = [
        {"id": f"{case_id}:adoptions[{i}]", "props": a.model_dump(mode="json")}
        for i, a in enumerate(template.adoptions, start=1)
    ]
    for label, rows in (("Context", contexts), ("Adoption", adoptions)):
        if rows:
            tx.run(_PART[label], id=case_id, rows=rows)


def _write_cited(tx: ManagedTransaction, case_id: str, template: CaseTemplate) -> None:
    rows = {}
    for source in template.sources:
        key = hashlib.sha256(normalise_name(source.citation).encode()).hexdigest()[:16]
        rows[key] = {"id": f"source:cited:{key}", "title": source.citation, "url": source.link}
    if rows:
        tx.run(_CITED, id=case_id, rows=list(rows.values()))


def _write_findings(
    tx: ManagedTransaction, case_id: str, template: CaseTemplate, result: CaseWrite
) -> tuple[dict[tuple[str, str | None], list[dict[str, Any]]], list[str]]:
    """Resolve shared items, create owned outcomes/lessons, and return the claim rows to write."""
    claims: dict[tuple[str, str | None], list[dict[str, Any]]] = {}

    def claim(
        ends: tuple[str, str | None],
        field_path: str,
        kind: str,
        subject: str,
        obj: str | None = None,
        note: str | None = None,
    ) -> None:
        claims.setdefault(ends, []).append(
            {
                "id": f"{case_id}:{field_path}",
                "field": field_path,
                "kind": kind,
                "subject": subject,
                "object": obj,
                "note": note,
            }
        )

    item_ids: list[str] = []
    names: dict[str, dict[str, str]] = {}
    for section, label, kind in (
        ("barriers", "Barrier", "met_barrier"),
        ("enablers", "Enabler", "had_enabler"),
        ("approaches", "Approach", "used_approach"),
    ):
        entries = getattr(template, section)
        items = [
            ItemName(f"{section}[{i}]", e.name, e.description, tuple(e.aliases))
            for i, e in enumerate(entries, start=1)
        ]
        ids, notes = resolve_items(tx, label, items)
        result.notes += notes
        item_ids += ids.values()
        names[section] = {normalise_name(e.name): ids[f"{section}[{i}]"] for i, e in enumerate(entries, 1)}
        for i in range(1, len(entries) + 1):
            path = f"{section}[{i}]"
            claim((label, None), path, kind, ids[path])
            suffix = "eric" if section == "approaches" else "cfir"
            code = template.code_of(f"{path}.{suffix}")
            if code:
                code_label = "EricStrategy" if section == "approaches" else "CfirConstruct"
                claim((label, code_label), f"{path}.{suffix}", "coded_as", ids[path], code)
    for i, link in enumerate(template.links, start=1):
        approach = names["approaches"].get(normalise_name(link.approach))
        barrier = names["barriers"].get(normalise_name(link.barrier))
        if approach and barrier:
            effect = LINK_KINDS[link.effect]
            claim(("Approach", "Barrier"), f"links[{i}]", effect, approach, barrier, note=link.note)
    outcomes = [
        {
            "id": f"{case_id}:outcomes[{i}]",
            "props": {
                "measure": o.measure,
                "value": o.value,
                "direction": o.direction.replace(" ", "_"),
                "evidence_strength": o.evidence,
            },
        }
        for i, o in enumerate(template.outcomes, start=1)
    ]
    lessons = [
        {"id": f"{case_id}:lessons[{i}]", "props": {"text": text}}
        for i, text in enumerate(template.lessons, start=1)
    ]
    for label, rows, kind in (
        ("Outcome", outcomes, "reported_outcome"),
        ("Lesson", lessons, "learned_lesson"),
    ):
        if rows:
            tx.run(_OWNED_ITEMS[label], rows=rows)
        for row in rows:
            claim((label, None), row["id"].split(":", 2)[-1], kind, row["id"])
    return claims, item_ids


def _write_excerpts(tx: ManagedTransaction, case_id: str, source_id: str, template: CaseTemplate) -> None:
    rows = []
    for i, e in enumerate(template.excerpts, start=1):
        section = e.section
        if e.source and not section:
            section = template.sources[e.source - 1].section
        rows.append(
            {
                "id": f"{case_id}:excerpts[{i}]",
                "props": {
                    "text": e.quote,
                    "kind": "template_quote",
                    "speaker_role": e.speaker_role,
                    "section": section,
                    "field": f"excerpts[{i}]",
                    "de_identified": e.de_identified,
                    "paraphrase": e.paraphrase,
                    "consent": e.consent,
                },
            }
        )
    if rows:
        tx.run(_EXCERPTS, id=case_id, source=source_id, rows=rows)
