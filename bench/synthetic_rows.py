"""The plan of the synthetic scale graph: every node and relationship as rows (bench/synthetic.py).

Pure Python (no database): cases, sources, excerpts and claims are drawn from the word lists
with a seeded `random.Random`; search units come from `search.units.plan_units`, exactly as
ingest makes them. Vectors are attached later (`attach_vectors`) from the encoded base pool.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from random import Random
from typing import Any

import numpy as np
from spreadgraph.search.units import ExcerptText, plan_units

from bench import synthetic_words as W

VARIANTS = {"barrier": 40, "approach": 40, "enabler": 30, "outcome": 25, "lesson": 20, "context": 4}
QUALIFIERS = ("", " in care homes", " out of hours", " in rural practices", " during roll-out")
STATUS_WEIGHTS = (("published", 0.93), ("pending", 0.06), ("rejected", 0.01))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


@dataclass
class PoolEntry:
    kind: str
    base: int
    template: str
    text: str


@dataclass
class Rows:
    """Rows whose embedding is filled from a vector matrix when sliced (keeps memory flat)."""

    rows: list[dict[str, Any]]
    vectors: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, part: slice) -> list[dict[str, Any]]:
        idx = range(*part.indices(len(self.rows)))
        out = []
        for i in idx:
            row = dict(self.rows[i])
            row["props"] = {**row["props"], "embedding": self.vectors[i].tolist()}  # type: ignore[index]
            out.append(row)
        return out


@dataclass
class GraphPlan:
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    template_parts: list[dict[str, Any]] = field(default_factory=list)
    owned: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {"Outcome": [], "Lesson": []})
    excerpts: list[dict[str, Any]] = field(default_factory=list)
    sentences: list[dict[str, Any]] = field(default_factory=list)
    next_pairs: list[list[str]] = field(default_factory=list)
    claims: dict[tuple[str, str | None], list[dict[str, Any]]] = field(default_factory=dict)
    coded: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    pool: list[str] = field(default_factory=list)
    entry_of: dict[int, PoolEntry] = field(default_factory=dict)
    # per generated sentence instance: its pool index; per excerpt / unit: instance ranges
    instance_pool: list[int] = field(default_factory=list)
    excerpt_first: list[int] = field(default_factory=list)
    unit_instances: list[tuple[int, int]] = field(default_factory=list)
    case_mix: list[tuple[int, int, int]] = field(default_factory=list)  # pool idx: inno, setting, barrier
    item_pool: dict[str, list[int]] = field(default_factory=dict)
    sentence_vectors: np.ndarray | None = None
    sentence_ids: list[str] = field(default_factory=list)
    _excerpt_vectors: np.ndarray | None = None
    _case_vectors: np.ndarray | None = None

    def summary(self) -> str:
        n_claims = sum(len(v) for v in self.claims.values())
        return (
            f"{len(self.sources)} sources, {len(self.cases)} cases, {len(self.excerpts)} excerpts, "
            f"{len(self.sentences)} sentences, {n_claims} claims"
        )

    def add_pool(self, text: str) -> int:
        self.pool.append(text)
        return len(self.pool) - 1

    def attach_vectors(self, base: np.ndarray, rng: np.random.Generator) -> None:
        """Perturbed base vectors for sentences, sums for excerpts and units, mixes for cases."""
        from bench.synthetic import normalise, perturb

        inst = perturb(base[np.asarray(self.instance_pool)], rng)
        self._excerpt_vectors = normalise(np.add.reduceat(inst, np.asarray(self.excerpt_first), axis=0))
        units = np.empty((len(self.unit_instances), base.shape[1]), dtype=np.float32)
        for i, (a, b) in enumerate(self.unit_instances):
            units[i] = inst[a] if b == a + 1 else inst[a:b].sum(axis=0)
        self.sentence_vectors = normalise(units)
        self.sentence_ids = [u["id"] for u in self.sentences]
        mix = np.asarray(self.case_mix)
        cases = 0.5 * base[mix[:, 0]] + 0.3 * base[mix[:, 1]] + 0.2 * base[mix[:, 2]]
        self._case_vectors = perturb(normalise(cases), rng)
        for label, rows in self.items.items():
            for row, idx in zip(rows, self.item_pool[label], strict=True):
                row["props"]["embedding"] = base[idx].tolist()

    def case_rows(self) -> Rows:
        return Rows(self.cases, self._case_vectors)

    def excerpt_rows(self) -> Rows:
        return Rows(self.excerpts, self._excerpt_vectors)

    def sentence_rows(self) -> Rows:
        return Rows(self.sentences, self.sentence_vectors)


def _items(plan: GraphPlan, rng: Random, cfir: dict[str, list[str]], eric: dict[int, list[str]]) -> dict:
    out: dict[str, list[dict[str, Any]]] = {}
    inns = []
    for name, kind, phrase in W.INNOVATIONS:
        inns.append(
            {
                "id": f"innovation:{slug(name)}",
                "props": {
                    "name": name,
                    "type": kind,
                    "description": f"a {kind} known locally as the {phrase}",
                    "aliases": [],
                },
                "phrase": phrase,
            }
        )
    out["Innovation"] = inns
    for label, table, quals in (
        ("Barrier", W.BARRIERS, QUALIFIERS),
        ("Approach", W.APPROACHES, QUALIFIERS),
        ("Enabler", W.ENABLERS, QUALIFIERS[:3]),
    ):
        rows = []
        for b, entry in enumerate(table):
            name, description = entry[0], entry[1]
            for q in quals:
                code = None
                if label == "Barrier":
                    code = ("CfirConstruct", rng.choice(cfir[entry[3]]))
                elif label == "Approach":
                    code = ("EricStrategy", rng.choice(eric[entry[3]]))
                rows.append(
                    {
                        "id": f"{label.lower()}:{slug(name + q)}",
                        "base": b,
                        "code": code,
                        "props": {"name": name + q, "description": description + q, "aliases": []},
                    }
                )
        out[label] = rows
    for label, rows in out.items():
        texts = [f"{r['props']['name']}: {r['props']['description']}" for r in rows]
        plan.item_pool[label] = [plan.add_pool(t) for t in texts]
    plan.items = {label: [{"id": r["id"], "props": r["props"]} for r in rows] for label, rows in out.items()}
    return out


def _pool(plan: GraphPlan, rng: Random) -> dict[tuple[str, int], list[int]]:
    """Distinct base sentences per (kind, base item), encoded for real later."""
    tables = {
        "barrier": W.BARRIERS,
        "approach": W.APPROACHES,
        "enabler": W.ENABLERS,
        "outcome": W.OUTCOMES,
        "lesson": W.LESSONS,
        "context": W.INNOVATIONS,
    }
    found: dict[tuple[str, int], list[int]] = {}
    seen: set[str] = set()
    for kind, table in tables.items():
        for b, entry in enumerate(table):
            for v in range(VARIANTS[kind] * 3):
                if len(found.get((kind, b), [])) >= VARIANTS[kind]:
                    break
                template = W.TEMPLATES[kind][v % len(W.TEMPLATES[kind])]
                clause = {"barrier": 2, "approach": 2, "enabler": 2, "outcome": 1}.get(kind)
                slots = _slots(rng, entry[clause] if clause else entry if kind == "lesson" else "")
                if kind == "context":
                    slots["inno"] = entry[2]
                text = template.format(**slots)
                if text in seen:
                    continue
                seen.add(text)
                idx = plan.add_pool(text)
                plan.entry_of[idx] = PoolEntry(kind, b, template, text)
                found.setdefault((kind, b), []).append(idx)
    return found


def _slots(rng: Random, clause: str, **fixed: str) -> dict[str, str]:
    role = fixed.get("role") or rng.choice(W.ROLES)
    _country, region = rng.choice(W.PLACES)
    return {
        "role": role,
        "Role": role[0].upper() + role[1:],
        "clause": clause,
        "inno": fixed.get("inno") or rng.choice(W.INNOVATIONS)[2],
        "setting": fixed.get("setting") or rng.choice(W.SETTINGS),
        "place": fixed.get("place") or region,
        "town": rng.choice(W.TOWNS),
    }


def _instance(plan: GraphPlan, rng: Random, pool_idx: int, case: dict[str, Any]) -> str:
    """A sentence for this case: its base's template filled with the case's own words."""
    entry = plan.entry_of[pool_idx]
    text = entry.template.format(**_slots(rng, _clause_of(entry), **case["slots"]))
    prefix = rng.choice(W.PREFIXES).format(town=case["town"], role=rng.choice(W.ROLES))
    if prefix:
        text = text[0].lower() + text[1:]
    plan.instance_pool.append(pool_idx)
    return prefix + text


def _clause_of(entry: PoolEntry) -> str:
    if entry.kind == "lesson":
        return W.LESSONS[entry.base]
    column = {"barrier": 2, "approach": 2, "enabler": 2, "outcome": 1}.get(entry.kind)
    if column is None:
        return ""
    table = {"barrier": W.BARRIERS, "approach": W.APPROACHES, "enabler": W.ENABLERS, "outcome": W.OUTCOMES}
    return table[entry.kind][entry.base][column]


def _weighted(rng: Random, rows: Sequence[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    weights = [1.0 / (1 + i % 24) ** 0.6 for i in range(len(rows))]
    picked: dict[str, dict[str, Any]] = {}
    while len(picked) < k:
        row = rng.choices(rows, weights)[0]
        picked[row["id"]] = row
    return list(picked.values())


class _Builder:
    """Draws cases into a plan; one document (1-3 cases) or one template case per step."""

    def __init__(self, plan: GraphPlan, rng: Random, items: dict, pool: dict) -> None:
        self.plan, self.rng, self.items, self.pool = plan, rng, items, pool
        self.settings = {s: plan.add_pool(f"healthcare services in {s}") for s in W.SETTINGS}
        self.docs = 0
        self._spans: dict[str, list[int]] = {}

    def case(self, case_id: str, template: bool) -> dict[str, Any]:
        rng = self.rng
        inno = rng.choice(self.items["Innovation"])
        country, region = rng.choice(W.PLACES)
        setting, town = rng.choice(W.SETTINGS), rng.choice(W.TOWNS)
        case = {
            "id": case_id,
            "template": template,
            "inno": inno,
            "setting": setting,
            "town": town,
            "slots": {"inno": inno["phrase"], "setting": setting, "place": region},
            "barriers": _weighted(rng, self.items["Barrier"], rng.randint(2, 4)),
            "approaches": _weighted(rng, self.items["Approach"], rng.randint(2, 4)),
            "enablers": _weighted(rng, self.items["Enabler"], rng.randint(1, 2)),
            "outcomes": rng.sample(range(len(W.OUTCOMES)), rng.randint(1, 2)),
            "lessons": rng.sample(range(len(W.LESSONS)), rng.randint(0, 1)),
        }
        year = rng.randint(2009, 2025)
        status = rng.choices([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])[0]
        outcome = W.OUTCOMES[case["outcomes"][0]][1]
        props = {
            "title": f"{inno['props']['name']} in {setting}, {town}",
            "summary": f"{town} {setting} teams introduced the {inno['phrase']} in {year}; {outcome}.",
            "period": f"{year}-{year + rng.randint(1, 4)}",
            "spread_status": rng.choice(("piloted", "spreading", "sustained", "stopped")),
            "status": status if template else "published",
            "case_kind": "template" if template else "document",
        }
        if template:
            props["revision"] = 1
        case["props"], case["year"] = props, year
        ctx = {
            "setting": setting,
            "sector": rng.choice(W.SECTORS),
            "country": country,
            "region": region,
            "scale": rng.choice(("single site", "regional", "national")),
            "organisations": [f"{town} {rng.choice(('Health Partnership', 'Care Trust', 'Practice Group'))}"],
        }
        self.plan.case_mix.append(
            (
                self.plan.item_pool["Innovation"][self.items["Innovation"].index(inno)],
                self.settings[setting],
                self.plan.item_pool["Barrier"][self.items["Barrier"].index(case["barriers"][0])],
            )
        )
        case["context"] = {"id": f"{case_id}:contexts[1]", "props": ctx}
        return case

    def sentences(self, case: dict[str, Any], n_excerpts: int) -> list[list[tuple[str, str, str, int]]]:
        """Per excerpt, its sentences: (kind, item id, text, instance index)."""
        rng = self.rng
        topics = [("barrier", b) for b in case["barriers"]] + [("approach", a) for a in case["approaches"]]
        topics += [("enabler", e) for e in case["enablers"]]
        topics += [("outcome", o) for o in case["outcomes"]] + [("lesson", x) for x in case["lessons"]]
        out = []
        for i in range(n_excerpts):
            sents = []
            for j in range(rng.choices((1, 2, 3), (0.3, 0.4, 0.3))[0]):
                kind, item = ("context", None) if i == 0 and j == 0 else rng.choice(topics)
                base = item["base"] if isinstance(item, dict) else item
                if kind == "context":
                    base = self.items["Innovation"].index(case["inno"])
                idx = rng.choice(self.pool[(kind, base)])
                key = item["id"] if isinstance(item, dict) else f"{kind}:{item}"
                sents.append(
                    (kind, key, _instance(self.plan, rng, idx, case), len(self.plan.instance_pool) - 1)
                )
            out.append(sents)
        return out

    def document(self) -> None:
        rng, plan = self.rng, self.plan
        self.docs += 1
        digest = hashlib.sha256(f"doc-{self.docs}".encode()).hexdigest()
        source_id, town = f"source:doc:{digest[:16]}", rng.choice(W.TOWNS)
        file_name = f"{slug(town)}-{rng.choice(('evaluation', 'report', 'review'))}-{self.docs}.pdf"
        key = slug(file_name.rsplit(".", 1)[0])
        text_parts: list[str] = []
        pos = 0
        excerpts: list[ExcerptText] = []
        claims: list[tuple[dict[str, Any], dict[str, tuple[str, int, int]]]] = []
        cases = [
            self.case(f"case:doc:{key}:case-{k + 1}", False)
            for k in range(rng.choices((1, 2, 3), (5, 3, 2))[0])
        ]
        for case in cases:
            heading = case["props"]["title"]
            text_parts.append(heading)
            pos += len(heading) + 2
            first: dict[str, tuple[str, int, int]] = {}
            for sents in self.sentences(case, rng.randint(18, 42)):
                quote = rng.random() < 0.6
                body, spans = "", []
                for kind, key_, text, inst in sents:
                    start = pos + len(body) + (1 if body else 0)
                    body = f"{body} {text}" if body else text
                    spans.append((kind, key_, start, start + len(text), inst))
                eid = f"{source_id}:{pos}-{pos + len(body)}"
                role = rng.choice(W.ROLES)
                props = {
                    "text": body,
                    "kind": "quote" if quote else "passage",
                    "section": rng.choice(W.SECTIONS),
                    "start": pos,
                    "end": pos + len(body),
                }
                if quote:
                    props |= {
                        "speaker": f"P{rng.randint(1, 40):02d}",
                        "speaker_role": role,
                        "attribution": f"({role}, {case['town']})",
                    }
                self._excerpt(eid, source_id, case["id"], props, [s[4] for s in spans])
                excerpts.append(ExcerptText(eid, body, pos, pos + len(body), props["section"]))
                for _kind, key_, s0, s1, _ in spans:
                    first.setdefault(key_, (eid, s0, s1))
                text_parts.append(body)
                pos += len(body) + 2
            claims.append((case, first))
        text = "\n\n".join(text_parts)
        study = rng.choice(("an evaluation", "lessons from spread", "a mixed-methods study"))
        plan.sources.append(
            {
                "id": source_id,
                "props": {
                    "kind": "document",
                    "title": f"{cases[0]['inno']['props']['name']}: {study} in {town}",
                    "authors": [f"{rng.choice('ABCDEFGHJKLMNPRSTW')}. {rng.choice(W.TOWNS).split()[0]}"],
                    "year": cases[0]["year"] + 2,
                    "source_type": rng.choice(W.SOURCE_TYPES),
                    "file_name": file_name,
                    "format": "pdf",
                    "content_hash": digest,
                    "version": 1,
                    "text": text,
                },
            }
        )
        for case, first in claims:
            self._case_rows(case, source_id)
            self._claims(case, source_id, first)
        self._units(excerpts)

    def template(self, n: int) -> None:
        rng, plan = self.rng, self.plan
        case = self.case(f"case:synth-{n:05d}", True)
        source_id = f"source:template:synth-{n:05d}"
        plan.sources.append(
            {
                "id": source_id,
                "props": {
                    "kind": "template",
                    "source_type": "template",
                    "title": case["props"]["title"],
                    "file_name": f"synth-{n:05d}.yaml",
                    "content_hash": hashlib.sha256(case["id"].encode()).hexdigest(),
                    "version": 1,
                    "text": case["props"]["summary"],
                },
            }
        )
        self._case_rows(case, source_id)
        excerpts = []
        for i, sents in enumerate(self.sentences(case, rng.randint(4, 12)), start=1):
            eid = f"{case['id']}:excerpts[{i}]"
            body = " ".join(s[2] for s in sents)
            props = {
                "text": body,
                "kind": "template_quote",
                "speaker_role": rng.choice(W.ROLES),
                "section": rng.choice(W.SECTIONS),
                "field": f"excerpts[{i}]",
                "de_identified": True,
            }
            self._excerpt(eid, source_id, case["id"], props, [s[3] for s in sents])
            excerpts.append(ExcerptText(eid, body, None, None, props["section"]))
        who = f"contributor:{slug(rng.choice(W.ROLES))}-{rng.randint(1, 300)}"
        plan.template_parts.append(
            {
                "case": case["id"],
                "contributor": {"id": who, "name": who.split(":")[1], "organisation": case["town"]},
                "revision": {
                    "number": 1,
                    "submitted_by": who,
                    "content_hash": hashlib.sha256(case["id"].encode()).hexdigest(),
                    "changes": [],
                    "template": "{}",
                },
                "adoptions": [
                    {
                        "id": f"{case['id']}:adoptions[{k}]",
                        "props": {
                            "site": f"{rng.choice(W.TOWNS)} site {k}",
                            "status": rng.choice(("adopted", "sustained", "piloting", "stopped")),
                        },
                    }
                    for k in range(1, rng.randint(1, 3) + 1)
                ],
            }
        )
        self._claims(case, source_id, None)
        self._units(excerpts)

    def _excerpt(self, eid: str, source: str, case: str | None, props: dict, instances: list[int]) -> None:
        self.plan.excerpts.append({"id": eid, "source": source, "case": case, "props": props})
        self.plan.excerpt_first.append(instances[0])
        self._spans[eid] = instances

    def _case_rows(self, case: dict[str, Any], source_id: str) -> None:
        self.plan.cases.append(
            {
                "id": case["id"],
                "source": source_id,
                "innovation": case["inno"]["id"],
                "props": case["props"],
                "context": case["context"],
            }
        )

    def _claims(self, case: dict[str, Any], source_id: str, first: dict | None) -> None:
        """Claims of a case: confirmed from templates, suggested (with spans) from documents."""
        rng, plan, cid = self.rng, self.plan, case["id"]

        def add(ends, kind, field_path, subject, key, obj=None, suffix=""):
            if first is None:
                ev = {"excerpt": None, "source": source_id, "start": None, "end": None}
                props = {
                    "kind": kind,
                    "status": "confirmed",
                    "method": "template",
                    "asserted_by": "contributor",
                    "field": field_path,
                }
                claim_id = f"{cid}:{field_path}"
            else:
                if key not in first:
                    return False
                eid, s0, s1 = first[key]
                ev = {"excerpt": eid, "source": source_id, "start": s0, "end": s1}
                status = rng.choices(("suggested", "confirmed", "rejected"), (0.87, 0.1, 0.03))[0]
                props = {
                    "kind": kind,
                    "status": status,
                    "method": "extractor",
                    "asserted_by": "cue-extractor",
                    "extractor_version": "0.1.0",
                    "confidence": round(rng.uniform(0.4, 0.95), 2),
                }
                claim_id = f"claim:{source_id}:{s0}-{s1}:{kind}" + (f":{suffix}" if suffix else "")
            plan.claims.setdefault(ends, []).append(
                {"id": claim_id, "case": cid, "subject": subject, "object": obj, "props": props, **ev}
            )
            if kind == "coded_as" and props["status"] == "confirmed":
                plan.coded.setdefault((ends[0], ends[1]), []).append({"item": subject, "code": obj})  # type: ignore[index]
            return True

        for label, section, kind in (
            ("Barrier", "barriers", "met_barrier"),
            ("Enabler", "enablers", "had_enabler"),
            ("Approach", "approaches", "used_approach"),
        ):
            for i, item in enumerate(case[section], start=1):
                if add((label, None), kind, f"{section}[{i}]", item["id"], item["id"]) and item.get("code"):
                    code_label, code = item["code"]
                    suffix = "cfir" if label == "Barrier" else "eric"
                    add(
                        (label, code_label),
                        "coded_as",
                        f"{section}[{i}].{suffix}",
                        item["id"],
                        item["id"],
                        code,
                        code,
                    )
        for i in range(1, rng.randint(1, 3) + 1):
            a, b = rng.choice(case["approaches"]), rng.choice(case["barriers"])
            kind = rng.choices(("addressed", "partly_addressed", "did_not_address"), (0.6, 0.25, 0.15))[0]
            add(("Approach", "Barrier"), kind, f"links[{i}]", a["id"], a["id"], b["id"], f"{i}:{b['id']}")
        for label, section, kind, table in (
            ("Outcome", "outcomes", "reported_outcome", W.OUTCOMES),
            ("Lesson", "lessons", "learned_lesson", W.LESSONS),
        ):
            for i, base in enumerate(case[section], start=1):
                oid = f"{cid}:{section}[{i}]"
                if not add((label, None), kind, f"{section}[{i}]", oid, f"{section[:-1]}:{base}"):
                    continue
                if label == "Outcome":
                    m, v, d = table[base]
                    props = {
                        "measure": m,
                        "value": v,
                        "direction": d,
                        "evidence_strength": rng.choice(("strong", "moderate", "weak", "anecdotal")),
                    }
                else:
                    props = {"text": table[base]}
                plan.owned[label].append({"id": oid, "props": props})

    def _units(self, excerpts: list[ExcerptText]) -> None:
        units, pairs = plan_units(excerpts)
        by_id = {e.id: e for e in excerpts}
        for u in units:
            insts = self._spans[u.excerpt]
            ex = by_id[u.excerpt]
            # instance spans inside the excerpt, in order: find those the unit overlaps
            offset = ex.start or 0
            pos, hit = offset, []
            for k, part in enumerate(_split_instances(ex.text, len(insts))):
                a, b = pos, pos + len(part)
                if min(b, u.end) > max(a, u.start):
                    hit.append(k)
                pos = b + 1
            lo, hi = (hit[0], hit[-1] + 1) if hit else (0, 1)
            self.plan.unit_instances.append((insts[lo], insts[lo] + (hi - lo)))
            self.plan.sentences.append({"id": u.id, "excerpt": u.excerpt, "props": u.props()})
        self.plan.next_pairs += [list(p) for p in pairs]


def _split_instances(text: str, n: int) -> list[str]:
    """The excerpt's generated sentences (joined by single spaces, each ending with a full stop)."""
    parts = re.split(r"(?<=\.) (?=[A-Za-z])", text)
    if len(parts) != n:  # a clause with its own full stop: fall back to equal shares
        step = max(1, len(text) // n)
        return [text[i * step : (i + 1) * step] for i in range(n)]
    return parts


def plan_graph(
    excerpts: int, rng: Random, cfir: dict[str, list[str]], eric: dict[int, list[str]]
) -> GraphPlan:
    """Cases until at least `excerpts` excerpts exist (~85% from documents, ~15% from templates)."""
    plan = GraphPlan()
    items = _items(plan, rng, cfir, eric)
    pool = _pool(plan, rng)
    builder = _Builder(plan, rng, items, pool)
    n = 0
    while len(plan.excerpts) < excerpts:
        if rng.random() < 0.55:
            n += 1
            builder.template(n)
        else:
            builder.document()
    return plan
