""" "What worked for similar innovations": similar cases, ranked approaches, barriers to expect.

For a free-text description of an innovation, context or problem:

1. **Similar cases** – RRF (k = 10) of three rankings of published cases (filters apply):
   the cases owning the best-matching excerpt windows (hybrid search, summed RRF per case), the
   case vector index (title + summary), and cases that met barriers close to the description
   (barrier vector index, cosine ≥ 0.5). `similarity` is the fused score over the best case's,
   so the top case has 1.0. *Why matched* lists the innovation type and setting words the
   description shares, the case's barriers close to the description, and the matching excerpts.
2. **Approaches** used in those cases (claims `used_approach`, `addressed`, `partly_addressed`),
   ranked by the **evidence score**

       score(a) = sum over similar cases c that used a of
                  similarity(c) × claim_weight(c, a) × outcome_weight(c)
                + 0.25 × sum over barriers b that a addressed in c of similarity(c) × claim_weight

   claim_weight = 1.0 when a person confirmed the claim (templates, reviewed claims), 0.5 when it
   is only suggested by the extractor; outcome_weight = 1.25 when the case reports an improved
   outcome and no worsened one, 0.6 when it reports only worsened / no-change outcomes or its
   spread stopped, else 1.0. So an approach scores high when several close cases used it,
   people confirmed it and it went with good outcomes. Each approach lists its cases, confirmed
   and suggested claim counts, outcome directions, the barriers it addressed, and its evidence.
3. **Barriers to expect**: barriers met in the similar cases, scored by
   similarity(c) × claim_weight × (0.5 + cosine to the description), each with the approaches
   that addressed it in any published case, and, where the barrier is coded to CFIR, the
   **CFIR–ERIC expert matching** figures (share of experts endorsing each ERIC strategy for the
   mapped CFIR 2009 construct), labelled as expert opinion, not case evidence.
4. **Best excerpts**: the top hybrid-search excerpt windows with their sources and spans.

One real case described twice (a template and the document it cites, joined by SAME_AS, see
graph/case_links.py) is listed once: every ranking maps a case to its group's representative (the
template case, else the document's, else a coded export's; `answer_cypher.case_groups`), keeping
its best place; the representative's profile, barriers and approaches gather the whole group's,
and `same_as` names the other descriptions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from pydantic import BaseModel, Field
from spreadgraph.search import answer_cypher as q
from spreadgraph.search.filters import SearchFilters
from spreadgraph.search.fusion import rrf
from spreadgraph.search.query import prepare
from spreadgraph.search.results import Evidence, SearchResult
from spreadgraph.search.retrieval import _POOL, Searcher

MAX_CASES = 6
MAX_ITEMS = 8
#: Barriers to expect list, per barrier, the approaches with the most confirmed claims against it
#: (then the most cases), each with a few example cases and its case count.
ADDRESSED_APPROACHES = 6
ADDRESSED_CASES = 3
BARRIER_MIN = 0.75  # Neo4j cosine similarity is (1 + cos) / 2: 0.75 is a raw cosine of 0.5
EXPERT_LABEL = "Expert opinion (CFIR-ERIC expert matching survey), not evidence from these cases"


class SimilarCase(BaseModel):
    id: str
    title: str | None
    similarity: float
    summary: str | None = None
    innovation: dict[str, Any] | None = None
    contexts: list[dict[str, Any]] = Field(default_factory=list)
    spread_status: str | None = None
    outcome_directions: list[str] = Field(default_factory=list)
    why: list[str] = Field(default_factory=list)
    evidence: list[SearchResult] = Field(default_factory=list)
    same_as: list[str] = Field(default_factory=list)  # other descriptions of this case (SAME_AS)


class ApproachEvidence(BaseModel):
    id: str
    name: str
    description: str | None = None
    evidence_score: float
    cases: list[dict[str, Any]] = Field(default_factory=list)
    confirmed_claims: int = 0
    suggested_claims: int = 0
    outcome_directions: dict[str, int] = Field(default_factory=dict)
    addressed_barriers: list[str] = Field(default_factory=list)
    eric_strategies: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)


class ExpertMatch(BaseModel):
    strategy: str
    percent: float | None
    level: int | None
    cfir_construct: str
    cfir_2009_construct: str


class BarrierToExpect(BaseModel):
    id: str
    name: str
    score: float
    cases: list[dict[str, Any]] = Field(default_factory=list)
    addressed_elsewhere: list[dict[str, Any]] = Field(default_factory=list)
    expert_opinion_label: str = EXPERT_LABEL
    expert_opinion: list[ExpertMatch] = Field(default_factory=list)


class WhatWorked(BaseModel):
    query: str
    notes: list[str] = Field(default_factory=list)
    filters: dict[str, Any] = Field(default_factory=dict)
    evidence_score: str = "see search/what_worked.py: sum over similar cases of similarity x claim x outcome"
    cases: list[SimilarCase] = Field(default_factory=list)
    approaches: list[ApproachEvidence] = Field(default_factory=list)
    barriers: list[BarrierToExpect] = Field(default_factory=list)
    excerpts: list[SearchResult] = Field(default_factory=list)


def claim_weight(status: str | None) -> float:
    return 1.0 if status == "confirmed" else 0.5


def outcome_weight(directions: list[str], spread_status: str | None) -> float:
    ds = set(directions)
    if "improved" in ds and "worsened" not in ds:
        return 1.25
    if spread_status == "stopped" or (ds and ds <= {"worsened", "no_change"}):
        return 0.6
    return 1.0


def _words(text: str | None) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]{3,}", (text or "").lower())}


def _why(profile: dict[str, Any], query_words: set[str], units: list[SearchResult]) -> list[str]:
    out = []
    inn = profile.get("innovation") or {}
    if inn.get("type") and _words(inn["type"]) & query_words:
        out.append(f"innovation type: {inn['type']} ({inn.get('name')})")
    for ctx in profile.get("contexts") or []:
        for key in ("setting", "sector", "country", "region"):
            if ctx.get(key) and _words(ctx[key]) & query_words:
                out.append(f"{key}: {ctx[key]}")
    close = [b for b in profile["barriers"] if b and b["similarity"] >= BARRIER_MIN]
    if close:
        names = ", ".join(b["name"] for b in sorted(close, key=lambda b: -b["similarity"])[:3])
        out.append(f"shared barriers: {names}")
    if units:
        out.append(f'{len(units)} matching excerpt(s), best: "{(units[0].text or "")[:120]}..."')
    return out


def _once(ranking: list[str], canon: dict[str, str]) -> list[str]:
    """`ranking` with each case replaced by its group's representative, first place kept."""
    return list(dict.fromkeys(canon.get(c, c) for c in ranking))


def _merge_profiles(rows: list[dict[str, Any]], canon: dict[str, str]) -> dict[str, dict[str, Any]]:
    """One profile per representative: its own fields, with its group's barriers and outcomes."""
    own = {r["id"]: r for r in rows}
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        head = canon.get(row["id"], row["id"])
        p = merged.setdefault(head, {**own.get(head, row), "barriers": [], "directions": []})
        p["directions"] = p["directions"] + row["directions"]
        seen = {b["id"] for b in p["barriers"] if b}
        p["barriers"] = p["barriers"] + [b for b in row["barriers"] if b and b["id"] not in seen]
        for key in ("innovation", "summary", "spread_status"):
            p[key] = p.get(key) or row.get(key)
        if not p.get("contexts"):
            p["contexts"] = row["contexts"]
    return merged


class WhatWorkedEngine:
    def __init__(self, searcher: Searcher | None = None) -> None:
        self.searcher = searcher or Searcher()

    def _read(self, statement: str, **params: Any) -> list[dict[str, Any]]:
        return self.searcher.read(statement, params)

    def answer(self, query: str | None, filters: SearchFilters | None = None) -> WhatWorked:
        filters = filters or SearchFilters()
        prepared = prepare(query)
        out = WhatWorked(
            query=prepared.text, notes=prepared.notes(), filters=filters.model_dump(exclude_none=True)
        )
        if prepared.empty:
            return out
        vector = self.searcher.encode(prepared.text)
        scope = self.searcher.scope(filters)
        pred = filters.case_predicate()
        params = {"vector": vector, "candidates": 100, "depth": 30, **scope.params(filters)}
        # the three case rankings are independent: two run beside the search (which stays in this
        # thread: it waits on pool jobs of its own, and pool jobs must never wait on the pool)
        form = self.searcher.vector_form
        by_vector = _POOL.submit(self._read, q.case_vector(pred, form), **params)
        by_barrier = _POOL.submit(self._read, q.case_by_barrier(pred, form), min_score=BARRIER_MIN, **params)
        hits = self.searcher.search(prepared.text, limit=50, filters=filters, kinds=("excerpt",), scope=scope)
        out.excerpts = hits.results[:5]
        by_case: dict[str, list[SearchResult]] = defaultdict(list)
        for r in hits.results:
            if r.case:
                by_case[r.case.id].append(r)
        evidence_rank = sorted(by_case, key=lambda c: -sum(r.score for r in by_case[c]))
        vec_rank = [r["id"] for r in by_vector.result()]
        bar_rank = [r["id"] for r in by_barrier.result()]
        canon, members = self._groups([*evidence_rank, *vec_rank, *bar_rank], pred, params)
        merged: dict[str, list[SearchResult]] = defaultdict(list)
        for cid, results in by_case.items():
            merged[canon[cid]].extend(results)
        by_case = merged
        fused = rrf(
            {
                "evidence": _once(evidence_rank, canon),
                "case": _once(vec_rank, canon),
                "barrier": _once(bar_rank, canon),
            }
        )
        top = sorted(fused, key=lambda c: (-fused[c], c))[:MAX_CASES]
        if not top:
            out.notes.append("No published case matches these filters.")
            return out
        best = fused[top[0]]
        sims = {c: round(fused[c] / best, 3) for c in top}
        everyone = [m for c in top for m in members[c]]
        profiles = _merge_profiles(self._read(q.CASE_PROFILE, ids=everyone, vector=vector), canon)
        qwords = _words(prepared.text)
        for cid in top:
            p = profiles[cid]
            p["barriers"] = [b for b in p["barriers"] if b]
            out.cases.append(
                SimilarCase(
                    id=cid,
                    title=p["title"],
                    similarity=sims[cid],
                    summary=p["summary"],
                    innovation=p["innovation"],
                    contexts=p["contexts"],
                    spread_status=p["spread_status"],
                    outcome_directions=sorted(set(p["directions"])),
                    why=_why(p, qwords, by_case.get(cid, [])),
                    evidence=by_case.get(cid, [])[:2],
                    same_as=[m for m in members[cid] if m != cid],
                )
            )
        approaches = _POOL.submit(self._approaches, top, sims, profiles, members, canon)
        out.barriers = self._barriers(top, sims, profiles, pred, scope.params(filters))
        out.approaches = approaches.result()
        return out

    def _groups(
        self, ids: list[str], pred: str, params: dict[str, Any]
    ) -> tuple[dict[str, str], dict[str, list[str]]]:
        """Each case's representative (the group member of lowest rank, then id) and each
        representative's members: one real case described twice is listed once."""
        canon: dict[str, str] = {}
        members: dict[str, list[str]] = {}
        wanted = list(dict.fromkeys(ids))
        rows = self._read(q.case_groups(pred), **{**params, "ids": wanted}) if wanted else []
        for row in rows:
            group = sorted(row["members"], key=lambda m: (m["rank"], m["id"]))
            for m in group:
                canon.setdefault(m["id"], group[0]["id"])
            canon[row["id"]] = group[0]["id"]
            members.setdefault(group[0]["id"], [m["id"] for m in group])
        for cid in wanted:
            canon.setdefault(cid, cid)
            members.setdefault(canon[cid], [canon[cid]])
        return canon, members

    def _approaches(
        self,
        top: list[str],
        sims: dict[str, float],
        profiles: dict[str, Any],
        members: dict[str, list[str]] | None = None,
        canon: dict[str, str] | None = None,
    ) -> list[ApproachEvidence]:
        members, canon = members or {}, canon or {}
        rows = self._read(q.APPROACHES, ids=[m for c in top for m in members.get(c, [c])])
        items: dict[str, ApproachEvidence] = {}
        # one entry per real case: a project described twice (SAME_AS) counts once, at its best claim
        per_case: dict[tuple[str, str], float] = {}
        excerpt_ids: dict[str, list[tuple[str, int | None, int | None]]] = defaultdict(list)
        for r in rows:
            a = items.setdefault(
                r["id"],
                ApproachEvidence(
                    id=r["id"], name=r["name"], description=r["description"], evidence_score=0.0
                ),
            )
            cid, w = canon.get(r["case_id"], r["case_id"]), claim_weight(r["status"])
            p = profiles[cid]
            key = (r["id"], cid)
            per_case[key] = max(
                per_case.get(key, 0.0), sims[cid] * w * outcome_weight(p["directions"], p["spread_status"])
            )
            if r["status"] == "confirmed":
                a.confirmed_claims += 1
            else:
                a.suggested_claims += 1
            if r["barrier"] and r["kind"] in ("addressed", "partly_addressed"):
                a.evidence_score += 0.25 * sims[cid] * w
                if r["barrier"] not in a.addressed_barriers:
                    a.addressed_barriers.append(r["barrier"])
            a.eric_strategies = sorted(set(a.eric_strategies) | set(r["eric"]))
            if r["excerpt_id"]:
                excerpt_ids[r["id"]].append((r["excerpt_id"], r["ev_start"], r["ev_end"]))
        for (aid, cid), value in per_case.items():
            a = items[aid]
            a.evidence_score += value
            p = profiles[cid]
            a.cases.append({"id": cid, "title": p["title"], "similarity": sims[cid]})
            for d in set(p["directions"]):
                a.outcome_directions[d] = a.outcome_directions.get(d, 0) + 1
        ranked = sorted(items.values(), key=lambda a: (-a.evidence_score, a.name))[:MAX_ITEMS]
        self._attach_evidence(ranked, excerpt_ids)
        for a in ranked:
            a.evidence_score = round(a.evidence_score, 3)
        return ranked

    def _attach_evidence(self, ranked: list[ApproachEvidence], ids: dict[str, list[tuple]]) -> None:
        wanted = sorted({e for a in ranked for e, _, _ in ids.get(a.id, [])[:2]})
        rows = {r["id"]: r for r in self._read(q.EXCERPTS, ids=wanted)} if wanted else {}
        for a in ranked:
            for eid, start, end in ids.get(a.id, [])[:2]:
                r = rows.get(eid)
                if not r:
                    continue
                text = r["text"]
                if start is not None and end is not None and r["start"] is not None:
                    text = text[max(0, start - r["start"]) : end - r["start"]] or text
                a.evidence.append(
                    Evidence(
                        text=text,
                        excerpt_id=eid,
                        source_id=r["source_id"],
                        source_title=r["source_title"],
                        file_name=r["file_name"],
                        start=start if start is not None else r["start"],
                        end=end if end is not None else r["end"],
                        field=r["field"],
                    )
                )

    def _barriers(
        self,
        top: list[str],
        sims: dict[str, float],
        profiles: dict[str, Any],
        pred: str,
        filter_params: dict[str, Any],
    ) -> list[BarrierToExpect]:
        items: dict[str, BarrierToExpect] = {}
        for cid in top:
            p = profiles[cid]
            for b in p["barriers"]:
                item = items.setdefault(b["id"], BarrierToExpect(id=b["id"], name=b["name"], score=0.0))
                item.score += sims[cid] * claim_weight(b["status"]) * (0.5 + b["similarity"])
                item.cases.append({"id": cid, "title": p["title"], "claim": b["status"]})
        ranked = sorted(items.values(), key=lambda b: (-b.score, b.name))[:MAX_ITEMS]
        ids = [b.id for b in ranked]
        if not ids:
            return ranked
        statement = q.addressed_elsewhere(pred)
        limits = {"approaches": ADDRESSED_APPROACHES, "per_approach": ADDRESSED_CASES}
        addressed_job = _POOL.submit(self._read, statement, barriers=ids, **limits, **filter_params)
        expert = self._read(q.EXPERT, barriers=ids)
        addressed = addressed_job.result()
        for b in ranked:
            b.score = round(b.score, 3)
            b.addressed_elsewhere = [
                {k: r[k] for k in ("id", "name", "kind", "status", "case_id", "case_title", "cases")}
                for r in addressed
                if r["barrier_id"] == b.id
            ]
            seen: set[str] = set()
            for r in expert:
                if r["barrier_id"] == b.id and r["strategy_id"] not in seen and len(seen) < 5:
                    seen.add(r["strategy_id"])
                    b.expert_opinion.append(
                        ExpertMatch(
                            strategy=r["strategy"],
                            percent=r["percent"],
                            level=r["level"],
                            cfir_construct=r["cfir_construct"],
                            cfir_2009_construct=r["cfir_2009_construct"],
                        )
                    )
        return ranked
