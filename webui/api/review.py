"""Review decisions over the JSON API; each needs a reviewer (API token or session).

`POST /api/cases/{id}/publish`, `POST /api/cases/{id}/reject` (a reason is required; both name
the revision the reviewer saw, and answer 409 when the case was resubmitted since),
`POST /api/claims/{id}/confirm`, `POST /api/claims/{id}/reject`; the grouped queue
`GET /api/review/groups` and one decision over one or more groups, `POST /api/review/groups/decide`
(confirm, reject, rename or merge the item). Each decision is recorded in the graph
(graph/decisions.py) with `via: api`.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field
from spreadgraph.graph.decisions import decide_case, decide_suggested_claim
from spreadgraph.graph.group_decisions import decide_groups
from spreadgraph.graph.review_queue import suggested_groups
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


class GroupDecision(BaseModel):
    """One decision over one or more groups (a group: a case and an item, with its suggestions)."""

    groups: list[str] = Field(..., min_length=1, max_length=500, description="Group ids (`case~item`).")
    action: Literal["confirm", "reject", "rename", "merge"]
    name: str | None = Field(None, max_length=200, description="rename: the item's new name (everywhere).")
    into: str | None = Field(None, max_length=300, description="merge: the id of the item that stays.")
    note: str | None = Field(None, max_length=5000, description="An optional remark kept with the decision.")
    seen: dict[str, list[str]] | None = Field(
        None, description="Per group, the claim ids you saw: only those are decided; 409 if one left."
    )


GROUP_RESPONSES = {
    **REFUSALS,
    404: {"description": "no such group"},
    409: {"description": "a group was decided meanwhile, or the new name is another item's"},
}


@router.get(
    "/review/groups", summary="Suggested claims grouped by case and item (reviewer)", responses=REFUSALS
)
async def review_groups(
    user: RequireReviewer,
    driver: DriverDep,
    limit: int = Query(25, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    totals, groups = await run_in_threadpool(suggested_groups, limit, offset, driver=driver)
    return {
        "ok": True,
        "groups_total": totals["groups"],
        "claims_total": totals["claims"],
        "offset": offset,
        "limit": limit,
        "groups": groups,
    }


@router.post(
    "/review/groups/decide",
    summary="Confirm, reject, rename or merge one or more groups (reviewer)",
    responses=GROUP_RESPONSES,
)
async def decide_review_groups(
    body: GroupDecision, user: RequireReviewer, driver: DriverDep
) -> dict[str, Any]:
    done = await run_in_threadpool(
        decide_groups,
        body.groups,
        body.action,
        reviewer=user.name,
        note=_clean(body.note),
        via="api",
        name=body.name,
        into=body.into,
        seen=body.seen,
        driver=driver,
    )
    return {"ok": True, "reviewed_by": user.name, "decisions": done}
