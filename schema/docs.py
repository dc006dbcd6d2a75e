"""Generates `schema/README.md` from the model, so the documentation cannot drift from it.

Run `python -m spreadgraph.schema.docs` to rewrite the file; a test fails when it is stale.
"""

from __future__ import annotations

from pathlib import Path

from spreadgraph.schema.migrations import MIGRATIONS, fulltext_index_name, vector_index_name
from spreadgraph.schema.model import CLAIM_KINDS, CLAIM_STATUSES, NODE_TYPES, REL_TYPES

README = Path(__file__).resolve().parent / "README.md"

INTRO = """# The spreadgraph graph model

*Generated from `schema/model.py` by `python -m spreadgraph.schema.docs`; do not edit by hand.*

A **Case** is one effort to spread or adopt an **Innovation** in a **Context**. What the case
reports (the barriers it met, the enablers it had, the approaches it used, its outcomes and
lessons, and which approach addressed which barrier) is held as **Claim** nodes. A claim says
who or what asserted it (`method`, `asserted_by`, `extractor_version`, `confidence`), whether a
person confirmed it (`status`), and links to the **Excerpt** (with its character span in the
**Source**) or, for submitted templates, to the Source and the template `field` it came from.
Barriers, enablers and approaches are shared nodes: the same barrier met in two cases is one
node with two claims pointing at it. Taxonomy nodes (CFIR 2.0, ERIC, NASSS) are loaded from
`schema/taxonomies/` by migration 5.

Why claims are nodes: each statement needs its own evidence, confidence and review state, and
a relationship cannot point at an excerpt. Analysts reach the facts in one extra hop, e.g.
which approaches addressed which barriers:

```cypher
MATCH (a:Approach)<-[:SUBJECT]-(c:Claim {kind: 'addressed'})-[:OBJECT]->(b:Barrier)
WHERE c.status <> 'rejected'
RETURN b.name AS barrier, a.name AS approach, count(c) AS claims
ORDER BY claims DESC
```
"""

MERMAID_RELS = (
    ("Case", "ABOUT", "Innovation"),
    ("Case", "IN_CONTEXT", "Context"),
    ("Case", "HAS_ADOPTION", "Adoption"),
    ("Case", "HAS_REVISION", "Revision"),
    ("Revision", "SUBMITTED_BY", "Contributor"),
    ("Case", "DESCRIBED_IN", "Source"),
    ("Case", "HAS_EXCERPT", "Excerpt"),
    ("Excerpt", "FROM", "Source"),
    ("Excerpt", "QUOTES", "Source"),
    ("Case", "MAKES", "Claim"),
    ("Claim", "SUBJECT", "Barrier / Enabler / Approach / Outcome / Lesson"),
    ("Claim", "OBJECT", "Barrier or taxonomy code"),
    ("Claim", "EVIDENCED_BY", "Excerpt"),
    ("Barrier", "CODED_AS", "CfirConstruct"),
    ("Approach", "CODED_AS", "EricStrategy"),
    ("CfirConstruct", "IN_DOMAIN", "CfirDomain"),
    ("EricStrategy", "IN_CLUSTER", "EricCluster"),
    ("Cfir2009Construct", "MAPS_TO", "CfirConstruct"),
    ("Cfir2009Construct", "EXPERT_MATCH", "EricStrategy"),
)


def _node_id(name: str) -> str:
    return "".join(ch for ch in name if ch.isalnum())


def mermaid() -> str:
    lines = ["```mermaid", "flowchart LR"]
    for start, rel, end in MERMAID_RELS:
        lines.append(f'  {_node_id(start)}["{start}"] -- {rel} --> {_node_id(end)}["{end}"]')
    lines.append("```")
    return "\n".join(lines)


def render() -> str:
    parts = [INTRO, "## Diagram\n", mermaid(), "\n## Node labels\n"]
    for node in NODE_TYPES:
        extras = ["`id` unique"]
        if node.fulltext:
            extras.append(f"full-text `{fulltext_index_name(node.label)}` on " + ", ".join(node.fulltext))
        if node.embedded:
            extras.append(f"vector `{vector_index_name(node.label)}` on embedding (cosine)")
        parts.append(f"### {node.label}\n\n{node.doc} *Indexes:* {'; '.join(extras)}.\n")
        parts.append("| property | type | meaning |\n| --- | --- | --- |")
        parts.extend(f"| `{p.name}` | {p.type} | {p.doc} |" for p in node.props)
        parts.append("")
    parts.append("## Relationship types\n")
    parts.append("| type | from | to | meaning |\n| --- | --- | --- | --- |")
    for rel in REL_TYPES:
        props = f" Properties: {', '.join(f'`{p.name}` ({p.doc})' for p in rel.props)}." if rel.props else ""
        parts.append(f"| `{rel.type}` | {', '.join(rel.start)} | {', '.join(rel.end)} | {rel.doc}.{props} |")
    parts.append("\n## Claims\n")
    parts.append(f"Kinds: {', '.join(f'`{k}`' for k in CLAIM_KINDS)}.\n")
    parts.append(f"Review states: {', '.join(f'`{s}`' for s in CLAIM_STATUSES)}.\n")
    parts.append("## Migrations\n")
    parts.append("`spreadgraph init` applies them in order and records each as a `SchemaMigration` node.\n")
    parts.append("| version | what it does |\n| --- | --- |")
    parts.extend(f"| {m.version} | {m.name} |" for m in MIGRATIONS)
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    README.write_text(render(), encoding="utf-8")
    print(f"wrote {README}")
