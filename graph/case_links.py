"""One real case, described twice: a template (or a coded export) that cites an ingested document
is linked to that document's Source and to the document's own Case.

Model. The two Case nodes stay: each keeps its own provenance, review status and revisions (a
pending template must not hide a published report's case, and a rejected one must not take it
away). They are joined by `(describing)-[:SAME_AS {method, score, source, names}]->(document case)`,
where the describing case is the contributor's template case or a coded-export case. Readers
show the group as one case: the case page holds both descriptions, what-worked lists the project
once (search/what_worked.py); `canonical` orders a group's members.

Which Source a citation names (`citation_score`, each test lexical and explainable; the best
document wins, a tie links nothing):
  1.0 a DOI of the citation in the document's opening text, or the document's file name in it;
  0.9 the document title's words in order: a run of >= 5 of them, or >= 60% of a short title;
  0.8 the first author's surname and the document's year both in the citation;
  0.7 an acronym of the citation (CTAC) that occurs >= 3 times in exactly one document's text.
A citation whose years do not include the document's year does not name it. A coded export names
its documents by file name (each excerpt's `section`).

Which case of that document (`case_match`): a document case name (title or alias) whose content
words all occur in one of the describing case's names (title and its parts, innovation name and
aliases, the cited sections), most words first; or, for a document-level case, >= half of the
template title's content words (at least 3) in the document title. A tie links nothing.

Idempotent in either order: a template write relinks that case, a document write relinks every
case citing it (and a coded export its own cases); each relink deletes the case's automatic links
and MERGEs them again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from neo4j import ManagedTransaction
from spreadgraph.graph.name_keys import STOPWORDS, content, longest_run, words

METHOD = "citation"
HEAD = 4000  # characters of a document's opening text searched for a DOI
_DOI = re.compile(r"10\.\d{4,9}/[^\s\])>,;]+")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{2,}\b")
_SPLIT = re.compile(r"\s+[-–—:]\s+|[:;()]|\s-\s")

_DOCS = """
MATCH (s:Source {kind: 'document'})
WHERE s.file_name IS NOT NULL AND NOT EXISTS { (:Source)-[:PREVIOUS_VERSION]->(s) }
RETURN s.id AS id, s.title AS title, s.file_name AS file_name, s.year AS year,
       coalesce(s.authors, []) AS authors, left(coalesce(s.text, ''), $head) AS head
"""
_ACRONYM_COUNTS = """
UNWIND $ids AS sid
MATCH (s:Source {id: sid})
RETURN s.id AS id, [a IN $acronyms | size(split(' ' + s.text + ' ', ' ' + a + ' ')) - 1] AS counts
"""
_DOC_CASES = """
MATCH (c:Case)-[:DESCRIBED_IN]->(:Source {id: $source})
WHERE c.id STARTS WITH 'case:doc:'
RETURN c.id AS id, c.title AS title, coalesce(c.aliases, []) AS aliases, c.case_kind AS kind
"""
_TEMPLATES = """
UNWIND $ids AS case_id
MATCH (c:Case {id: case_id})-[:HAS_REVISION]->(r:Revision {number: c.revision})
RETURN c.id AS id, r.template AS template,
       [(c)-[:DESCRIBED_IN]->(s:Source {source_type: 'cited'}) | s {.id, .title, .url}] AS cited
"""
_CITING_TEMPLATES = """
MATCH (c:Case)-[:DESCRIBED_IN]->(s:Source {source_type: 'cited'})
RETURN DISTINCT c.id AS id, s.title AS citation, s.url AS url
"""
_CODED_CASES = """
MATCH (c:Case)-[:DESCRIBED_IN]->(x:Source {kind: 'coded_export'})
WHERE ($source IS NULL OR x.id = $source)
  AND ($file IS NULL OR EXISTS { (c)-[:HAS_EXCERPT]->(:Excerpt {section: $file}) })
RETURN DISTINCT c.id AS id, c.title AS title, coalesce(c.aliases, []) AS aliases,
       [(c)-[:HAS_EXCERPT]->(e:Excerpt) WHERE e.section IS NOT NULL | e.section] AS files
"""
_UNLINK = """
UNWIND $ids AS case_id
MATCH (c:Case {id: case_id})
OPTIONAL MATCH (c)-[l:SAME_AS {method: $method}]->()
DELETE l
WITH DISTINCT c
OPTIONAL MATCH (c)-[d:DESCRIBED_IN {method: $method}]->()
DELETE d
"""
_LINK = """
UNWIND $rows AS row
MATCH (c:Case {id: row.case}), (s:Source {id: row.source})
MERGE (c)-[d:DESCRIBED_IN]->(s)
ON CREATE SET d.method = $method, d.citation = row.citation
WITH c, s, row WHERE row.target IS NOT NULL
MATCH (t:Case {id: row.target})
MERGE (c)-[l:SAME_AS]->(t)
SET l.method = $method, l.score = row.score, l.source = s.id, l.names = row.names, l.linked_at = datetime()
"""


@dataclass
class Describing:
    """A case that describes something a document also describes: its citations and its names."""

    id: str
    names: list[str]
    citations: list[tuple[str, str | None]] = field(default_factory=list)  # (citation, url)
    files: list[str] = field(default_factory=list)  # file names it cites (coded exports)
    title: str = ""


def _parts(text: str | None) -> list[str]:
    return [p.strip() for p in _SPLIT.split(text or "") if p and p.strip()]


def template_names(data: dict[str, Any]) -> list[str]:
    """Names a template gives its case: title and its parts, innovation name and aliases, sections."""
    innovation = data.get("innovation") or {}
    names = [data.get("title") or "", *_parts(data.get("title"))]
    names += [
        innovation.get("name") or "",
        *_parts(innovation.get("name")),
        *(innovation.get("aliases") or []),
    ]
    for source in data.get("sources") or []:
        names += _parts(source.get("section"))
    return [n for n in dict.fromkeys(names) if n and content(n)]


def citation_score(citation: str, url: str | None, doc: dict[str, Any], acronym_hits: int = 0) -> float:
    """How surely `citation` names the document `doc` (0: not at all); see the module docstring."""
    text = f"{citation} {url or ''}"
    years = {m.group(0) for m in _YEAR.finditer(citation)}
    if doc.get("year") and years and str(doc["year"]) not in years:
        return 0.0
    lowered = text.lower()
    file_name = (doc.get("file_name") or "").lower()
    stem = file_name.rsplit(".", 1)[0]
    if any(d.lower() in (doc.get("head") or "").lower() for d in _DOI.findall(text)):
        return 1.0
    if file_name and (file_name in lowered or (len(stem) >= 6 and stem in lowered)):
        return 1.0
    title = words(doc.get("title") or "")
    if title and (doc.get("title") or "").lower() != file_name:
        run = longest_run(title, words(citation))
        if run >= 5 or (len(title) >= 3 and run >= 0.6 * len(title)):
            return 0.9
    authors = [a.split()[-1] for a in doc.get("authors") or [] if a.split()]
    if authors and doc.get("year") and str(doc["year"]) in years and authors[0].lower() in lowered:
        return 0.8
    return 0.7 if acronym_hits else 0.0


def cited_document(
    citation: str, url: str | None, docs: list[dict[str, Any]], acronyms: dict[str, dict[str, int]]
) -> tuple[dict[str, Any], float] | None:
    """The one document `citation` names best, or None (nothing, or a tie)."""
    mine = set(_ACRONYM.findall(citation))
    scored = []
    for doc in docs:
        hits = [a for a in mine if acronyms.get(a, {}).get(doc["id"], 0) >= 3]
        hits = [a for a in hits if sum(1 for n in acronyms[a].values() if n >= 3) == 1]
        scored.append((citation_score(citation, url, doc, len(hits)), doc))
    scored = sorted((s for s in scored if s[0] > 0), key=lambda s: -s[0])
    if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1], scored[0][0]


def case_match(names: list[str], title: str, cases: list[dict[str, Any]]) -> tuple[str, float, str] | None:
    """(document case id, score, matched name) of the one case the names describe, or None."""
    mine = [set(content(n)) for n in names]
    best: list[tuple[float, str, str]] = []
    for case in cases:
        score, matched = 0.0, ""
        for name in dict.fromkeys([case["title"] or "", *case["aliases"]]):
            theirs = set(content(name)) - STOPWORDS
            if theirs and any(theirs <= m for m in mine) and len(theirs) + 1 > score:
                score, matched = float(len(theirs) + 1), name
        if not score and case.get("kind") == "document":
            wanted = set(content(title))
            shared = wanted & set(content(case["title"] or ""))
            if len(shared) >= 3 and len(shared) >= 0.5 * len(wanted):
                score, matched = 1.0, case["title"]
        if score:
            best.append((score, case["id"], matched))
    best.sort(key=lambda b: -b[0])
    if not best or (len(best) > 1 and best[1][0] == best[0][0]):
        return None
    return best[0][1], best[0][0], best[0][2]


def _acronyms(
    tx: ManagedTransaction, citations: list[str], docs: list[dict[str, Any]]
) -> dict[str, dict[str, int]]:
    wanted = sorted({a for c in citations for a in _ACRONYM.findall(c)})
    if not wanted or not docs:
        return {}
    counts: dict[str, dict[str, int]] = {a: {} for a in wanted}
    for row in tx.run(_ACRONYM_COUNTS, ids=[d["id"] for d in docs], acronyms=wanted):
        for a, n in zip(wanted, row["counts"], strict=True):
            counts[a][row["id"]] = n
    return counts


def _link(
    tx: ManagedTransaction, describing: list[Describing], docs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Resolve each describing case's citations and cases; rewrite its automatic links."""
    acronyms = _acronyms(tx, [c for d in describing for c, _ in d.citations], docs)
    by_file = {d["file_name"]: d for d in docs}
    cases: dict[str, list[dict[str, Any]]] = {}
    rows = []
    if describing:
        tx.run(_UNLINK, ids=[d.id for d in describing], method=METHOD)
    for d in describing:
        found = []
        for citation, url in d.citations:
            hit = cited_document(citation, url, docs, acronyms)
            if hit:
                found.append((hit[0], hit[1], citation))
        found += [(by_file[f], 1.0, f) for f in dict.fromkeys(d.files) if f in by_file]
        for doc, _, citation in found:
            if doc["id"] not in cases:
                cases[doc["id"]] = [r.data() for r in tx.run(_DOC_CASES, source=doc["id"])]
            match = case_match(d.names, d.title, [c for c in cases[doc["id"]] if c["id"] != d.id])
            rows.append(
                {
                    "case": d.id,
                    "source": doc["id"],
                    "citation": citation,
                    "target": match[0] if match else None,
                    "score": match[1] if match else None,
                    "names": [match[2]] if match else [],
                }
            )
    if rows:
        tx.run(_LINK, rows=rows, method=METHOD)
    return rows


def _documents(tx: ManagedTransaction) -> list[dict[str, Any]]:
    return [r.data() for r in tx.run(_DOCS, head=HEAD)]


def link_template_case(tx: ManagedTransaction, case_id: str) -> list[dict[str, Any]]:
    """Link a template case to the documents it cites and to their matching cases."""
    return link_template_cases(tx, [case_id])


Cited = dict[str, tuple[str, str | None]]  # cited Source id -> (title, url)


def link_template_cases(
    tx: ManagedTransaction, case_ids: list[str], cited_as: dict[str, Cited] | None = None
) -> list[dict[str, Any]]:
    """`link_template_case` for many cases at once. `cited_as` gives, per case, the title and url
    its cited Sources had right after that case was written (a later case may change a url)."""
    describing = []
    for row in tx.run(_TEMPLATES, ids=case_ids):
        data = json.loads(row["template"] or "{}")
        known = (cited_as or {}).get(row["id"], {})
        cited = [known.get(s["id"], (s["title"], s.get("url"))) for s in row["cited"]]
        describing.append(
            Describing(
                row["id"],
                template_names(data),
                [(title, url) for title, url in cited if title],
                title=data.get("title") or "",
            )
        )
    return _link(tx, describing, _documents(tx)) if describing else []


def _coded(tx: ManagedTransaction, source: str | None, file: str | None) -> list[Describing]:
    return [
        Describing(r["id"], [r["title"] or "", *r["aliases"]], files=r["files"], title=r["title"] or "")
        for r in tx.run(_CODED_CASES, source=source, file=file)
    ]


def link_source(tx: ManagedTransaction, source_id: str, file_name: str, kind: str) -> list[dict[str, Any]]:
    """After a document (or coded export) is written: relink every case that cites it."""
    docs = _documents(tx)
    if kind == "coded_export":
        return _link(tx, _coded(tx, source_id, None), docs)
    if not any(d["id"] == source_id for d in docs):
        return []
    citing: dict[str, list[tuple[str, str | None]]] = {}
    for r in tx.run(_CITING_TEMPLATES):
        citing.setdefault(r["id"], []).append((r["citation"], r["url"]))
    acronyms = _acronyms(tx, [c for cs in citing.values() for c, _ in cs], docs)
    rows = []
    for case_id, citations in citing.items():
        hits = [cited_document(c, u, docs, acronyms) for c, u in citations]
        if any(hit and hit[0]["id"] == source_id for hit in hits):
            rows += link_template_case(tx, case_id)  # all of its citations at once
    return rows + _link(tx, _coded(tx, None, file_name), docs)
