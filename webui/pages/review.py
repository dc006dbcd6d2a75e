"""The review queue (`/review`): publish or reject pending cases; confirm, reject, rename or merge
suggestions grouped by case and item, one group or several at once (checkboxes).

Reviewers only. Every decision goes through graph/decisions.py (the CLI's and the API's own
service) and is recorded as a Decision node (who, when, what, note, via 'web').
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from spreadgraph.graph import decisions as graph_review
from spreadgraph.graph import group_decisions
from spreadgraph.graph.review_queue import NAMED_LABELS, suggested_groups
from spreadgraph.search.results import Evidence
from spreadgraph.webui.auth import User
from spreadgraph.webui.deps import CsrfChecked, DriverDep, RequireReviewer
from spreadgraph.webui.http_errors import InvalidRequest
from spreadgraph.webui.render import respond, source_href, wanted_format
from starlette.concurrency import run_in_threadpool

router = APIRouter(tags=["review"])
GROUPS_PER_PAGE = 25
DONE = {
    "published": "Published",
    "rejected": "Rejected",
    "confirmed": "Confirmed",
    "claim-rejected": "Rejected",
    "group-confirm": "Confirmed",
    "group-reject": "Rejected",
    "group-rename": "Renamed the item and confirmed",
    "group-merge": "Merged the item and confirmed",
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


class GroupClaim(BaseModel):
    id: str
    kind: str | None = None
    confidence: float | None = None
    asserted_by: str | None = None
    object: str | None = None
    object_label: str | None = None


class ReviewGroup(BaseModel):
    """One case (or, for a passage no case owns, its source) and one item, with its suggestions."""

    id: str
    where_id: str
    in_case: bool
    where_title: str | None = None
    case_status: str | None = None
    item_id: str
    item_label: str | None = None
    item_name: str | None = None
    item_aliases: list[str] = Field(default_factory=list)
    confidence: float | None = None
    claim_count: int
    passage_count: int
    claim_ids: list[str]
    claims: list[GroupClaim]
    passages: list[ReviewEvidence]

    @property
    def seen(self) -> str:
        """The hidden form value naming the claims shown: 'group=claim claim ...'."""
        return f"{self.id}={' '.join(self.claim_ids)}"

    @property
    def renamable(self) -> bool:
        return self.item_label in NAMED_LABELS


class ReviewPage(BaseModel):
    reviewer: str
    done: str | None = None
    cases: list[PendingCase]
    groups: list[ReviewGroup]
    groups_total: int
    claims_total: int
    groups_offset: int = 0
    groups_per_page: int = GROUPS_PER_PAGE


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


def _group(row: dict[str, Any]) -> ReviewGroup:
    passages = []
    for evidence in row.pop("passages", None) or []:
        passage = ReviewEvidence(**evidence)
        if evidence.get("source_id"):
            passage.href = source_href(evidence["source_id"], evidence["excerpt_id"])
        passages.append(passage)
    return ReviewGroup(**row, passages=passages)


def review_data(reviewer: User, driver: Any, offset: int = 0) -> ReviewPage:
    cases = [_pending(row) for row in graph_review.pending_cases(driver=driver)]
    offset = max(0, offset)
    totals, rows = suggested_groups(GROUPS_PER_PAGE, offset, driver=driver)
    return ReviewPage(
        reviewer=reviewer.name,
        cases=cases,
        groups=[_group(r) for r in rows],
        groups_total=totals["groups"],
        claims_total=totals["claims"],
        groups_offset=offset,
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


def _seen(values: list[Any]) -> dict[str, list[str]]:
    """The hidden 'group=claim claim ...' fields: which claims each group showed."""
    seen: dict[str, list[str]] = {}
    for value in values:
        if isinstance(value, str) and "=" in value:
            group, _, claims = value.partition("=")
            seen[group.strip()] = claims.split()
    return seen


@router.post(
    "/review/groups",
    dependencies=[CsrfChecked],
    summary="Confirm or reject the selected groups, or rename or merge one group's item (form)",
)
async def decide_groups(request: Request, user: RequireReviewer, driver: DriverDep) -> Response:
    form = await request.form()
    action = form.get("action")
    if action not in group_decisions.GROUP_ACTIONS:
        raise InvalidRequest("choose confirm, reject, rename or merge", hint="reload the review queue")
    groups = [g for g in form.getlist("group") if isinstance(g, str)]
    if not groups:
        raise InvalidRequest("select at least one group", hint="tick the groups to decide")
    text = {k: v.strip() if isinstance(v, str) and v.strip() else None for k, v in form.items()}
    done = await run_in_threadpool(
        group_decisions.decide_groups,
        groups,
        str(action),
        reviewer=user.name,
        note=text.get("note"),
        via="web",
        name=text.get("name"),
        into=text.get("into"),
        seen=_seen(form.getlist("seen")),
        driver=driver,
    )
    claims = sum(len(d["claims"]) for d in done)
    target = f"{len(done)} group{'s' if len(done) != 1 else ''} ({claims} claim{'s' if claims != 1 else ''})"
    return _after(request, f"group-{action}", target, {"decisions": done})
