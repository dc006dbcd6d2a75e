"""Review decisions over the JSON API; each needs a reviewer (API token or session).

`POST /api/cases/{id}/publish`, `POST /api/cases/{id}/reject` (a reason is required; both name
the revision the reviewer saw, and answer 409 when the case was resubmitted since),
`POST /api/claims/{id}/confirm`, `POST /api/claims/{id}/reject`. Each decision is recorded in
the graph (graph/decisions.py) with `via: api`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field
from spreadgraph.graph.decisions import decide_case, decide_suggested_claim
from spreadgraph.webui.deps import DriverDep, RequireReviewer
from spreadgraph.webui.http_errors import InvalidRequest
from starlette.concurrency import run_in_threadpool

router = APIRouter(tags=["review"])
REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not signed in (no or unknown token)"},
    403: {"description": "the account is not a reviewer"},
    404: {"description": "no such case or claim"},
}


class Note(BaseModel):
    note: str | None = Field(None, max_length=5000, description="An optional remark kept with the decision.")


class Publish(Note):
    revision: int = Field(..., ge=1, description="The revision you reviewed; 409 if the case changed since.")


class Reason(BaseModel):
    reason: str = Field(..., min_length=1, max_length=5000, description="Why (kept with the decision).")
    revision: int = Field(..., ge=1, description="The revision you reviewed; 409 if the case changed since.")


def _clean(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


async def _case(
    case_id: str, status: str, reviewer: str, note: str | None, revision: int, driver
) -> dict[str, Any]:
    key = await run_in_threadpool(
        decide_case,
        case_id,
        status,
        reviewer=reviewer,
        note=note,
        via="api",
        revision=revision,
        driver=driver,
    )
    return {
        "ok": True,
        "case_id": key,
        "status": status,
        "revision": revision,
        "reviewed_by": reviewer,
        "note": note,
    }


CASE_RESPONSES = {**REFUSALS, 409: {"description": "the case was resubmitted since the named revision"}}


@router.post("/cases/{case_id}/publish", summary="Publish a case (reviewer)", responses=CASE_RESPONSES)
async def publish_case(
    case_id: str, body: Publish, user: RequireReviewer, driver: DriverDep
) -> dict[str, Any]:
    return await _case(case_id, "published", user.name, _clean(body.note), body.revision, driver)


@router.post(
    "/cases/{case_id}/reject", summary="Reject a case with a reason (reviewer)", responses=CASE_RESPONSES
)
async def reject_case(case_id: str, body: Reason, user: RequireReviewer, driver: DriverDep) -> dict[str, Any]:
    reason = _clean(body.reason)
    if reason is None:
        raise InvalidRequest("a reason is required to reject a case")
    return await _case(case_id, "rejected", user.name, reason, body.revision, driver)


async def _claim(claim_id: str, decision: str, reviewer: str, note: str | None, driver) -> dict[str, Any]:
    await run_in_threadpool(
        decide_suggested_claim, claim_id, decision, reviewer=reviewer, note=note, via="api", driver=driver
    )
    return {"ok": True, "claim_id": claim_id, "status": decision, "reviewed_by": reviewer, "note": note}


CLAIM_RESPONSES = {**REFUSALS, 409: {"description": "the claim is not suggested (already decided)"}}


@router.post(
    "/claims/{claim_id}/confirm", summary="Confirm a suggested claim (reviewer)", responses=CLAIM_RESPONSES
)
async def confirm_claim(
    claim_id: str, user: RequireReviewer, driver: DriverDep, body: Note | None = Body(None)
) -> dict[str, Any]:
    return await _claim(claim_id, "confirmed", user.name, _clean(body.note if body else None), driver)


@router.post(
    "/claims/{claim_id}/reject", summary="Reject a suggested claim (reviewer)", responses=CLAIM_RESPONSES
)
async def reject_claim(
    claim_id: str, user: RequireReviewer, driver: DriverDep, body: Note | None = Body(None)
) -> dict[str, Any]:
    return await _claim(claim_id, "rejected", user.name, _clean(body.note if body else None), driver)
