"""The contributor's case form (`/submit`), the template upload, and the confirmation page.

Both paths validate with the CLI's own checks (`ingest.templates.template_ingest`: the form's data
with `check_data`, an uploaded file with `check_bytes`) and write through the CLI's transaction
(`graph.case_writer.submit_case`, via `graph.submissions`):
nothing is written unless the whole case is valid, and the person's input is kept.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from spreadgraph.graph.decisions import get_case
from spreadgraph.ingest.templates.loader import MAX_BYTES, size_problem
from spreadgraph.ingest.templates.problems import Problem
from spreadgraph.ingest.templates.template_ingest import check_data
from spreadgraph.webui.auth import User
from spreadgraph.webui.caseform import PartView, ProblemView, build_views, form_to_template
from spreadgraph.webui.deps import CsrfChecked, DriverDep, RequireContributor, UserDep
from spreadgraph.webui.http_errors import BodyTooLarge, NotFound
from spreadgraph.webui.render import href, respond, wanted_format
from spreadgraph.webui.submitting import check_template, submit
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

router = APIRouter(tags=["contribute"])
FORM_FILE = "web form"


class SubmitPage(BaseModel):
    signed_in_as: str | None = None
    can_submit: bool = False
    parts: list[PartView] = Field(default_factory=list)
    problems: list[ProblemView] = Field(default_factory=list)
    upload_name: str | None = None
    upload_problems: list[str] = Field(default_factory=list)
    max_upload_bytes: int = MAX_BYTES


class SubmissionPage(BaseModel):
    case_id: str
    title: str | None = None
    status: str | None = None
    revision: int | None = None
    submitted_at: str | None = None
    submitted_by: str | None = None
    account: str | None = None
    review_note: str | None = None
    case_href: str


def _page(
    user: User | None, form: dict[str, Any], problems: list[Problem], add: str | None = None
) -> SubmitPage:
    parts, listed = build_views(form, problems, add)
    return SubmitPage(
        signed_in_as=user.name if user else None,
        can_submit=bool(user and user.can_contribute),
        parts=parts,
        problems=listed,
    )


def _done(request: Request, case_id: str, action: str, revision: int) -> Response:
    if wanted_format(request.scope) == "json":
        body = {"ok": True, "case_id": case_id, "action": action, "revision": revision}
        body["status"] = "pending" if action != "unchanged" else None
        return JSONResponse(body, status_code=201 if action != "unchanged" else 200)
    return RedirectResponse(href("submissions", case_id), status_code=303)


@router.get("/submit", summary="The case form and the template upload (contributors)")
async def submit_page(request: Request, user: UserDep) -> Response:
    form: dict[str, Any] = {}
    return respond(request, "submit.html", _page(user, form, []))


@router.post(
    "/submit", dependencies=[CsrfChecked], summary="Submit the case form (CSRF-checked; contributors)"
)
async def submit_form(request: Request, user: RequireContributor, driver: DriverDep) -> Response:
    posted = await request.form()
    form = {k: v for k, v in posted.items() if isinstance(v, str)}
    add = form.pop("add", None)
    if add:  # "Add another ..." without JavaScript: the same form with one more row, nothing checked
        return respond(request, "submit.html", _page(user, form, [], add))
    data, _ = form_to_template(form)
    model, problems = await run_in_threadpool(check_data, data, FORM_FILE)
    if model is None:
        return respond(request, "submit.html", _page(user, form, problems), status=422)
    result = await submit(model, user, driver)
    return _done(request, result.case_id, result.action, result.revision)


@router.post(
    "/submit/upload",
    dependencies=[CsrfChecked],
    summary="Upload a filled template file, YAML or JSON (CSRF-checked; contributors)",
)
async def submit_upload(request: Request, user: RequireContributor, driver: DriverDep) -> Response:
    posted = await request.form()
    upload = posted.get("file")
    name = "upload"
    problems: list[Problem]
    if not isinstance(upload, UploadFile) or not upload.filename:
        problems = [Problem("choose a template file (.yaml, .yml or .json) to upload")]
    else:
        name = upload.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
        raw = await upload.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise BodyTooLarge(
                size_problem(upload.size or len(raw)) or "the file is too large",
                hint="nothing was written; choose a smaller file",
            )
        model, problems = await check_template(raw, name)
        if model is not None:
            result = await submit(model, user, driver, file_name=name)
            return _done(request, result.case_id, result.action, result.revision)
    page = _page(user, {}, [])
    page.upload_name = name
    page.upload_problems = [p.render() for p in problems]
    return respond(request, "submit.html", page, status=422)


@router.get(
    "/submissions/{case_id}", summary="A submitted case's review state (its contributor, or a reviewer)"
)
async def submission_page(
    request: Request, case_id: str, user: RequireContributor, driver: DriverDep
) -> Response:
    row = await run_in_threadpool(get_case, case_id, driver=driver)
    if row is None or not (user.can_review or row["owner"] == user.name):
        raise NotFound(f"you have submitted no case with the id '{case_id}'")
    page = SubmissionPage(
        case_id=row["id"],
        title=row["title"],
        status=row["status"],
        revision=row["revision"],
        submitted_at=row["submitted_at"],
        submitted_by=row["submitted_by"],
        account=row["account"],
        review_note=row["review_note"],
        case_href=href("cases", row["id"]),
    )
    return respond(request, "submission.html", page)
