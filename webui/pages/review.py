"""The review queue (`/review`): publish or reject pending cases, confirm or reject suggested claims.

Reviewers only. Every decision goes through `graph.review` (the CLI's own functions) and is
recorded as a Decision node (who, when, what, note, via 'web').
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from spreadgraph.graph import decisions as graph_review
from spreadgraph.search.results import Evidence
from spreadgraph.webui.auth import User
from spreadgraph.webui.deps import CsrfChecked, DriverDep, RequireReviewer
from spreadgraph.webui.http_errors import InvalidRequest
from spreadgraph.webui.render import respond, source_href, wanted_format
from starlette.concurrency import run_in_threadpool

router = APIRouter(tags=["review"])
CLAIMS_PER_PAGE = 25
DONE = {
    "published": "Published",
    "rejected": "Rejected",
    "confirmed": "Confirmed",
    "claim-rejected": "Rejected",
}


class PendingCase(BaseModel):
    id: str
    title: str | None = None
    summary: str | None = None
    period: str | None = None
    spread_status: str | None = None
    revision: int | None = None
    submitted_by: str | None = None
    contact: str | None = None
    account: str | None = None
    submitted_at: str | None = None
    innovation: str | None = None
    contexts: list[str] = Field(default_factory=list)
    barriers: list[str] = Field(default_factory=list)
    approaches: list[str] = Field(default_factory=list)
    enablers: list[str] = Field(default_factory=list)
    review_error: str | None = None
    reason: str = ""


class ReviewEvidence(Evidence):
    """A suggestion's evidence, with the sentence the extractor read and a link to it."""

    sentence: str | None = None
    href: str | None = None


class SuggestedClaim(BaseModel):
    id: str
    kind: str | None = None
    confidence: float | None = None
    asserted_by: str | None = None
    case_id: str | None = None
    case_title: str | None = None
    case_status: str | None = None
    subject: str | None = None
    subject_label: str | None = None
    object: str | None = None
    object_label: str | None = None
    evidence: ReviewEvidence | None = None


class ReviewPage(BaseModel):
    reviewer: str
    done: str | None = None
    cases: list[PendingCase]
    claims: list[SuggestedClaim]
    claims_total: int
    claims_offset: int = 0
    claims_per_page: int = CLAIMS_PER_PAGE


def _pending(row: dict[str, Any]) -> PendingCase:
    template: dict[str, Any] = json.loads(row.get("template") or "{}")

    def names(key: str) -> list[str]:
        return [str(item.get("name")) for item in template.get(key) or [] if isinstance(item, dict)]

    contexts = [
        ", ".join(str(c[k]) for k in ("setting", "country", "scale") if c.get(k))
        for c in template.get("contexts") or []
        if isinstance(c, dict)
    ]
    fields = {k: v for k, v in row.items() if k in PendingCase.model_fields and k != "template"}
    return PendingCase(
        **fields,
        innovation=(template.get("innovation") or {}).get("name"),
        contexts=contexts,
        barriers=names("barriers"),
        approaches=names("approaches"),
        enablers=names("enablers"),
    )


def _claim(row: dict[str, Any]) -> SuggestedClaim:
    evidence = row.pop("evidence", None)
    claim = SuggestedClaim(**row)
    if evidence:
        claim.evidence = ReviewEvidence(**evidence)
        if evidence.get("source_id"):
            claim.evidence.href = source_href(evidence["source_id"], evidence["excerpt_id"])
    return claim


def review_data(reviewer: User, driver: Any, offset: int = 0) -> ReviewPage:
    cases = [_pending(row) for row in graph_review.pending_cases(driver=driver)]
    total, rows = graph_review.suggested_claims(CLAIMS_PER_PAGE, max(0, offset), driver=driver)
    return ReviewPage(
        reviewer=reviewer.name,
        cases=cases,
        claims=[_claim(r) for r in rows],
        claims_total=total,
        claims_offset=max(0, offset),
    )


@router.get("/review", summary="Pending cases and machine-suggested claims (reviewers)")
async def review_page(
    request: Request, user: RequireReviewer, driver: DriverDep, offset: int = 0, done: str | None = None
) -> Response:
    page = await run_in_threadpool(review_data, user, driver, offset)
    what, _, target = (done or "").partition(":")
    if what in DONE and target:
        page.done = f"{DONE[what]} {target}."
    return respond(request, "review.html", page)


def _after(request: Request, done: str, target: str, body: dict[str, Any]) -> Response:
    if wanted_format(request.scope) == "json":
        return JSONResponse({"ok": True, **body})
    return RedirectResponse("/review?" + urlencode({"done": f"{done}:{target}"}), status_code=303)


async def _note(request: Request) -> str | None:
    form = await request.form()
    value = form.get("note") or form.get("reason")
    return value.strip() if isinstance(value, str) and value.strip() else None


async def _revision(request: Request) -> int:
    """The revision the reviewer saw (a hidden field of the decision forms)."""
    value = (await request.form()).get("revision")
    if not isinstance(value, str) or not value.strip().isdigit():
        raise InvalidRequest(
            "the decision must name the revision you reviewed", hint="reload the review queue"
        )
    return int(value)


async def _set_case(
    request: Request, case_id: str, status: str, note: str | None, user: User, driver
) -> Response:
    """Record a publish or reject of the revision the form names (409 if it changed since)."""
    revision = await _revision(request)
    key = await run_in_threadpool(
        graph_review.decide_case,
        case_id,
        status,
        reviewer=user.name,
        note=note,
        via="web",
        revision=revision,
        driver=driver,
    )
    return _after(request, status, key, {"case_id": key, "status": status, "note": note})


@router.post("/review/cases/{case_id}/publish", dependencies=[CsrfChecked], summary="Publish a case (form)")
async def publish(request: Request, case_id: str, user: RequireReviewer, driver: DriverDep) -> Response:
    return await _set_case(request, case_id, "published", await _note(request), user, driver)


@router.post(
    "/review/cases/{case_id}/reject", dependencies=[CsrfChecked], summary="Reject a case with a reason (form)"
)
async def reject(request: Request, case_id: str, user: RequireReviewer, driver: DriverDep) -> Response:
    reason = await _note(request)
    if reason is None:
        key = graph_review.case_key(case_id)
        page = await run_in_threadpool(review_data, user, driver)
        for case in page.cases:
            if case.id == key:
                case.review_error = "Give a reason: it is kept with the case and shown to the contributor."
        return respond(request, "review.html", page, status=422)
    return await _set_case(request, case_id, "rejected", reason, user, driver)


async def _decide(request: Request, claim_id: str, decision: str, user: User, driver: Any) -> Response:
    note = await _note(request)
    await run_in_threadpool(
        graph_review.decide_suggested_claim,
        claim_id,
        decision,
        reviewer=user.name,
        note=note,
        via="web",
        driver=driver,
    )
    label = "confirmed" if decision == "confirmed" else "claim-rejected"
    return _after(request, label, claim_id, {"claim_id": claim_id, "status": decision})


@router.post(
    "/review/claims/{claim_id}/confirm",
    dependencies=[CsrfChecked],
    summary="Confirm a suggested claim (form)",
)
async def confirm_claim(
    request: Request, claim_id: str, user: RequireReviewer, driver: DriverDep
) -> Response:
    return await _decide(request, claim_id, "confirmed", user, driver)


@router.post(
    "/review/claims/{claim_id}/reject", dependencies=[CsrfChecked], summary="Reject a suggested claim (form)"
)
async def reject_claim(request: Request, claim_id: str, user: RequireReviewer, driver: DriverDep) -> Response:
    return await _decide(request, claim_id, "rejected", user, driver)
