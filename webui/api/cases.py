"""`POST /api/cases`: submit a case template as JSON or YAML; the same checks as the CLI.

Needs a contributor (or reviewer): an API token (`Authorization: Bearer ...`) or a session.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from spreadgraph.ingest.templates.loader import MAX_BYTES, size_problem
from spreadgraph.ingest.templates.problems import Problem, TemplateInvalid
from spreadgraph.webui.deps import DriverDep, RequireContributor
from spreadgraph.webui.submitting import check_template, submit

router = APIRouter(tags=["cases"])
SUBMISSION = "submission"  # the 'file' name used in problems for API submissions


async def _body(request: Request) -> bytes:
    """The request body, refusing more than the template size limit without reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BYTES:
        raise TemplateInvalid([Problem(size_problem(int(declared)) or "", file=SUBMISSION)])
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise TemplateInvalid([Problem(size_problem(size) or "", file=SUBMISSION)])
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/cases",
    status_code=201,
    summary="Submit a case template (JSON or YAML body); needs a contributor token or session",
    responses={
        200: {"description": "identical to the current revision; nothing written"},
        401: {"description": "not signed in (no or unknown token)"},
        403: {"description": "the account may not submit, or the case belongs to another contributor"},
        422: {"description": "the template has problems; nothing written"},
    },
)
async def post_case(
    request: Request, response: Response, driver: DriverDep, user: RequireContributor
) -> dict[str, object]:
    """Validate and write one case; answers 201 with the case id, or 422 listing every problem."""
    raw = await _body(request)
    model, problems = await check_template(raw, SUBMISSION)
    if model is None:
        raise TemplateInvalid(problems, file=SUBMISSION)
    result = await submit(model, user, driver)
    if result.action == "unchanged":
        response.status_code = 200
    return {
        "ok": True,
        "case_id": result.case_id,
        "action": result.action,
        "revision": result.revision,
        "status": "pending" if result.action != "unchanged" else None,
        "changes": result.changes,
        "notes": result.notes,
    }
