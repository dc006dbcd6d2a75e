"""Barrier, approach and innovation pages: every case behind them, with the evidence."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from neo4j import Driver
from spreadgraph.graph import neighbourhood as around
from spreadgraph.graph import pages as queries
from spreadgraph.webui.contexts import (
    ApproachPage,
    BarrierPage,
    CaseClaim,
    CaseLink,
    Claim,
    Code,
    InnovationPage,
    ItemRef,
    LinkGroup,
    Neighbourhood,
    OutcomeView,
    Tally,
)
from spreadgraph.webui.deps import DriverDep
from spreadgraph.webui.http_errors import NotFound
from spreadgraph.webui.render import href, respond
from starlette.concurrency import run_in_threadpool

router = APIRouter(tags=["pages"])
GRAPH_KINDS = {"cases": "Case", "barriers": "Barrier", "approaches": "Approach"}


def neighbourhood_of(
    driver: Driver, kind: str, node_id: str, name: str | None = None
) -> Neighbourhood | None:
    """The neighbourhood graph of a case, barrier or approach (None when the case is not visible)."""
    label = GRAPH_KINDS[kind]
    if label == "Case":
        data = around.case_neighbourhood(driver, node_id)
    else:
        data = around.item_neighbourhood(driver, label, node_id, name)
    if data is None:
        return None
    centre = data["nodes"][0]["id"]
    return Neighbourhood(url=href(f"graph/{kind}", centre) + ".json", **data)


def _item(driver: Driver, label: str, item_id: str) -> tuple[ItemRef, list[Code], dict[str, Any]]:
    row = queries.item(driver, label, item_id)
    if row is None:
        raise NotFound(f"no {label.lower()} with the id '{item_id}' is used by a published case")
    item = ItemRef(
        **{k: v for k, v in row["item"].items() if k in ("id", "name", "description")}, label=label
    )
    return item, [Code(**c) for c in row["codes"]], row["item"]


def _case_claims(rows: list[dict[str, Any]]) -> list[CaseClaim]:
    return [CaseClaim(case=CaseLink(**row["case"]), claim=Claim.from_row(row)) for row in rows]


def _groups(rows: list[dict[str, Any]], label: str) -> list[LinkGroup]:
    """Link claims grouped by the other item, most evidenced first."""
    groups: dict[str, LinkGroup] = {}
    for row in rows:
        other = ItemRef(**row["other"], label=label)
        group = groups.setdefault(other.id, LinkGroup(other=other, claims=[], effects={}))
        group.claims.append(CaseClaim(case=CaseLink(**row["case"]), claim=Claim.from_row(row)))
        kind = row["claim"]["kind"]
        group.effects[kind] = group.effects.get(kind, 0) + 1
    return sorted(groups.values(), key=lambda g: (-g.evidence_count, -len(g.claims), g.other.name or ""))


def barrier_data(driver: Driver, barrier_id: str) -> BarrierPage:
    barrier, codes, _ = _item(driver, "Barrier", barrier_id)
    met = queries.item_claims(driver, "Barrier", barrier_id, ["met_barrier"])
    links = queries.barrier_links(driver, barrier_id)
    return BarrierPage(
        barrier=barrier,
        codes=codes,
        cases=_case_claims(met),
        approaches=_groups(links, "Approach"),
        neighbourhood=neighbourhood_of(driver, "barriers", barrier.id, barrier.name),
    )


def approach_data(driver: Driver, approach_id: str) -> ApproachPage:
    approach, codes, _ = _item(driver, "Approach", approach_id)
    used = _case_claims(queries.item_claims(driver, "Approach", approach_id, ["used_approach"]))
    links = queries.approach_links(driver, approach_id)
    outcomes = [
        OutcomeView(**row["outcome"], case=CaseLink(**row["case"]), claim=None)
        for row in queries.outcomes_of(driver, sorted({c.case.id for c in used}))
    ]
    return ApproachPage(
        approach=approach,
        codes=codes,
        cases=used,
        addressed=_groups(links, "Barrier"),
        outcomes=outcomes,
        neighbourhood=neighbourhood_of(driver, "approaches", approach.id, approach.name),
    )


def innovation_data(driver: Driver, innovation_id: str) -> InnovationPage:
    innovation, _, raw = _item(driver, "Innovation", innovation_id)
    tallies: dict[str, list[Tally]] = {"met_barrier": [], "used_approach": [], "had_enabler": []}
    labels = {"met_barrier": "Barrier", "used_approach": "Approach", "had_enabler": "Enabler"}
    for row in queries.innovation_items(driver, innovation_id):
        item = ItemRef(id=row["id"], name=row["name"], label=labels[row["kind"]])
        tallies[row["kind"]].append(Tally(item=item, cases=row["cases"]))
    return InnovationPage(
        innovation=innovation,
        type=raw.get("type"),
        aliases=raw.get("aliases") or [],
        cases=queries.innovation_cases(driver, innovation_id),
        barriers=tallies["met_barrier"],
        approaches=tallies["used_approach"],
        enablers=tallies["had_enabler"],
    )


@router.get("/barriers/{barrier_id}", summary="A barrier: cases that met it, approaches that addressed it")
async def barrier_page(request: Request, barrier_id: str, driver: DriverDep) -> Response:
    page = await run_in_threadpool(barrier_data, driver, barrier_id)
    return respond(request, "barrier.html", page)


@router.get("/approaches/{approach_id}", summary="An approach: where it was used, what it addressed")
async def approach_page(request: Request, approach_id: str, driver: DriverDep) -> Response:
    page = await run_in_threadpool(approach_data, driver, approach_id)
    return respond(request, "approach.html", page)


@router.get("/innovations/{innovation_id}", summary="An innovation: its cases, barriers and approaches")
async def innovation_page(request: Request, innovation_id: str, driver: DriverDep) -> Response:
    page = await run_in_threadpool(innovation_data, driver, innovation_id)
    return respond(request, "innovation.html", page)


def graph_data(driver: Driver, kind: str, node_id: str) -> Neighbourhood:
    if kind not in GRAPH_KINDS:
        raise NotFound("the graph view exists for cases, barriers and approaches only")
    name = None
    if kind != "cases":
        name = _item(driver, GRAPH_KINDS[kind], node_id)[0].name
    found = neighbourhood_of(driver, kind, node_id, name)
    if found is None:
        raise NotFound(f"no published case has the id '{node_id}'")
    return found


@router.get("/graph/{kind}/{node_id}", summary="A case, barrier or approach and its neighbours (graph view)")
async def graph_page(request: Request, kind: str, node_id: str, driver: DriverDep) -> Response:
    page = await run_in_threadpool(graph_data, driver, kind, node_id)
    return respond(request, "neighbourhood.html", page)
