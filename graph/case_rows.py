"""The rows a validated case template becomes: its case, parts, cited sources, findings and claims.

Pure: no Cypher here. Shared names (barriers, enablers, approaches, the innovation) are resolved
through the `Resolve` callable the writer passes in (graph/item_resolution.py's ItemResolver),
so the same rows are written whether one case or many go in a transaction (graph/case_batch.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from spreadgraph.graph.item_resolution import ItemName
from spreadgraph.schema.names import normalise_name
from spreadgraph.schema.template import CaseTemplate, contributor_key

Row = dict[str, Any]
Ends = tuple[str, str | None]
Resolve = Callable[[str, list[ItemName]], tuple[dict[str, str], list[str]]]

LINK_KINDS = {
    "addressed": "addressed",
    "partly addressed": "partly_addressed",
    "did not address": "did_not_address",
    "caused": "caused",
}


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


@dataclass
class CasePlan:
    """Everything one case writes; every row names its case (`case`) so many plans share a statement."""

    case_id: str
    action: str  # created | revised
    number: int
    changes: list[str]
    case: Row = field(default_factory=dict)
    parts: dict[str, list[Row]] = field(default_factory=dict)  # Context / Adoption rows
    cited: list[Row] = field(default_factory=list)
    owned: dict[str, list[Row]] = field(default_factory=dict)  # Outcome / Lesson rows
    excerpts: list[Row] = field(default_factory=list)
    claims: dict[Ends, list[Row]] = field(default_factory=dict)
    items: list[str] = field(default_factory=list)  # shared items it names
    notes: list[str] = field(default_factory=list)


def plan_case(
    template: CaseTemplate,
    canonical_form: tuple[dict[str, Any], str],
    *,
    number: int,
    changes: list[str],
    action: str,
    resolve: Resolve,
    file_name: str | None = None,
) -> CasePlan:
    """The rows of one case at revision `number` (`canonical_form` is `canonical(template)`); names
    are resolved, in order, through `resolve`."""
    case_id = case_id_for(template)
    data, digest = canonical_form
    plan = CasePlan(case_id, action, number, changes)
    by = contributor_id(template)
    source_id = "source:template:" + case_id.removeprefix("case:")
    innovation = template.innovation
    ids, notes = resolve(
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
    plan.notes += notes
    plan.case = {
        "id": case_id,
        "props": {
            "title": template.title,
            "summary": template.summary,
            "period": template.period,
            "spread_status": template.spread_status,
            "review_by": template.review_by.isoformat() if template.review_by else None,
            "status": "pending",
            "revision": number,
        },
        "contributor": {
            "id": by,
            "name": template.contributor.name,
            "organisation": template.contributor.organisation,
            "contact": template.contributor.contact,
        },
        "revision": {
            "number": number,
            "submitted_by": by,
            "content_hash": digest,
            "changes": changes,
            "template": json.dumps(data, sort_keys=True, ensure_ascii=False),
        },
        "source": {
            "id": source_id,
            "kind": "template",
            "source_type": "template",
            "title": template.title,
            "file_name": file_name,
            "content_hash": digest,
            "version": number,
            "text": template.narrative or template.summary,
        },
        "innovation": ids["innovation"],
    }
    plan.parts = {
        "Context": [
            {"case": case_id, "id": f"{case_id}:contexts[{i}]", "props": c.model_dump(mode="json")}
            for i, c in enumerate(template.contexts, start=1)
        ],
        "Adoption": [
            {"case": case_id, "id": f"{case_id}:adoptions[{i}]", "props": a.model_dump(mode="json")}
            for i, a in enumerate(template.adoptions, start=1)
        ],
    }
    cited: dict[str, Row] = {}
    for source in template.sources:
        key = hashlib.sha256(normalise_name(source.citation).encode()).hexdigest()[:16]
        cited[key] = {
            "case": case_id,
            "id": f"source:cited:{key}",
            "title": source.citation,
            "url": source.link,
        }
    plan.cited = list(cited.values())
    _plan_findings(plan, template, resolve, {"case": case_id, "source": source_id, "by": by})
    plan.excerpts = _excerpt_rows(case_id, source_id, template)
    return plan


def _plan_findings(plan: CasePlan, template: CaseTemplate, resolve: Resolve, where: Row) -> None:
    """Resolve shared items, plan owned outcomes/lessons, and the claim rows about them all."""
    case_id = plan.case_id

    def claim(
        ends: Ends, field_path: str, kind: str, subject: str, obj: str | None = None, note: str | None = None
    ) -> None:
        plan.claims.setdefault(ends, []).append(
            {
                **where,
                "id": f"{case_id}:{field_path}",
                "field": field_path,
                "kind": kind,
                "subject": subject,
                "object": obj,
                "note": note,
            }
        )

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
        ids, notes = resolve(label, items)
        plan.notes += notes
        plan.items += ids.values()
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
    plan.owned = {
        "Outcome": [
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
        ],
        "Lesson": [
            {"id": f"{case_id}:lessons[{i}]", "props": {"text": text}}
            for i, text in enumerate(template.lessons, start=1)
        ],
    }
    for label, kind in (("Outcome", "reported_outcome"), ("Lesson", "learned_lesson")):
        for row in plan.owned[label]:
            claim((label, None), row["id"].split(":", 2)[-1], kind, row["id"])


def _excerpt_rows(case_id: str, source_id: str, template: CaseTemplate) -> list[Row]:
    rows = []
    for i, e in enumerate(template.excerpts, start=1):
        section = e.section
        if e.source and not section:
            section = template.sources[e.source - 1].section
        rows.append(
            {
                "case": case_id,
                "source": source_id,
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
    return rows
