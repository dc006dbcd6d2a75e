"""Home, case and source pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from neo4j import Driver
from spreadgraph.graph import pages as queries
from spreadgraph.webui.contexts import (
    CaseLink,
    CasePage,
    Claim,
    Code,
    ExcerptView,
    Finding,
    HomePage,
    ItemRef,
    LessonView,
    Link,
    OutcomeView,
    SourceLink,
    SourcePage,
)
from spreadgraph.webui.deps import DriverDep
from spreadgraph.webui.highlight import segments
from spreadgraph.webui.http_errors import NotFound
from spreadgraph.webui.pages.items import neighbourhood_of
from spreadgraph.webui.render import respond, source_href
from starlette.concurrency import run_in_threadpool

router = APIRouter(tags=["pages"])
SECTIONS = {"met_barrier": "barriers", "had_enabler": "enablers", "used_approach": "approaches"}


@router.get("/", summary="What the graph holds")
async def home(request: Request, driver: DriverDep) -> Response:
    data = await run_in_threadpool(queries.home, driver)
    page = HomePage(counts=data["counts"], published_cases=data["published"], recent=data["recent"])
    return respond(request, "home.html", page)


def _with_href(adoption: dict[str, Any]) -> dict[str, Any]:
    """A site result or setting with the link to the text it was read from (documents' only)."""
    evidence = adoption.get("evidence")
    href = source_href(evidence["source"], evidence["excerpt"]) if evidence else None
    return {**adoption, "href": href}


def build_case(data: dict[str, Any]) -> CasePage:
    """Group a case's claims into the page's sections; codes attach to the item they code."""
    page = CasePage(
        case=data["case"],
        innovation=ItemRef(**data["innovation"], label="Innovation") if data["innovation"] else None,
        contexts=[_with_href(x) for x in data["contexts"]],
        adoptions=[_with_href(a) for a in sorted(data["adoptions"], key=lambda a: a["id"])],
        revisions=sorted(data["revisions"], key=lambda r: r["number"] or 0),
        sources=[SourceLink(**s) for s in data["sources"]],
        excerpts=[ExcerptView(**e) for e in data["excerpts"]],
    )
    codes: dict[str, list[Code]] = {}
    for row in data["claims"]:
        kind = row["claim"]["kind"]
        subject = ItemRef(**row["subject"], label=row["subject_label"])
        if kind == "coded_as" and row["object"]:
            codes.setdefault(subject.id, []).append(Code(**row["object"], kind=row["object_label"]))
        elif kind in SECTIONS:
            getattr(page, SECTIONS[kind]).append(Finding(item=subject, claim=Claim.from_row(row)))
        elif kind in queries.LINK_KINDS and row["object"]:
            barrier = ItemRef(**{**row["object"], "label": row["object_label"]})
            page.links.append(Link(approach=subject, barrier=barrier, effect=kind, claim=Claim.from_row(row)))
        elif kind == "reported_outcome":
            page.outcomes.append(OutcomeView(**row["subject"], claim=Claim.from_row(row)))
        elif kind == "learned_lesson":
            page.lessons.append(LessonView(text=row["subject"].get("text"), claim=Claim.from_row(row)))
    for finding in (*page.barriers, *page.enablers, *page.approaches):
        finding.codes = codes.get(finding.item.id, [])
    return page


def case_data(driver: Driver, case_id: str) -> CasePage:
    """The case page's context, with its neighbourhood graph."""
    data = queries.case(driver, case_id)
    if data is None:
        raise NotFound(f"no published case has the id '{case_id}'")
    page = build_case(data)
    page.neighbourhood = neighbourhood_of(driver, "cases", page.case["id"])
    return page


@router.get("/cases/{case_id}", summary="A case: story, contexts, claims with evidence, revisions")
async def case_page(request: Request, case_id: str, driver: DriverDep) -> Response:
    page = await run_in_threadpool(case_data, driver, case_id)
    return respond(request, "case.html", page)


@router.get("/sources/{source_id}", summary="A source's text with its excerpts highlighted at their spans")
async def source_page(request: Request, source_id: str, driver: DriverDep) -> Response:
    data = await run_in_threadpool(queries.source, driver, source_id)
    if data is None:
        raise NotFound(f"no visible source has the id '{source_id}'")
    text = data["source"].get("text") or ""
    excerpts = [ExcerptView(**e, source_id=source_id) for e in data["excerpts"]]
    parts, bad = segments(text, [(e.id, e.start, e.end) for e in excerpts])
    page = SourcePage(
        source=data["source"],
        previous=data["previous"],
        next=data["next"],
        cases=[CaseLink(**c) for c in data["cases"]],
        excerpts=excerpts,
        unplaced=bad,
        segments=parts,
    )
    return respond(request, "source.html", page)
