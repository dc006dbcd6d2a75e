"""Sign-in and sign-out (`/sign-in`, `/sign-out`): a signed session cookie for the web UI.

Failed sign-ins are limited per account and per client (webui/ratelimit.py: 429 with
Retry-After); signing out ends the session on the server, not only in the browser.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from spreadgraph.webui.auth import accounts_exist, authenticate
from spreadgraph.webui.deps import CsrfChecked, UserDep
from spreadgraph.webui.ratelimit import sign_ins
from spreadgraph.webui.render import respond, wanted_format
from spreadgraph.webui.sessions import SESSION_COOKIE, end_session, session_cookie
from starlette.concurrency import run_in_threadpool

from spreadgraph.config import get_settings

router = APIRouter(tags=["account"])


class SignInPage(BaseModel):
    signed_in_as: str | None = None
    role: str | None = None
    accounts_configured: bool
    next: str = "/"
    name: str = ""
    error: str | None = None


def safe_next(value: object) -> str:
    """A local path to go back to after signing in (never another site)."""
    text = value if isinstance(value, str) else ""
    if not text.startswith("/") or text.startswith("//") or "\\" in text or text.startswith("/sign-"):
        return "/"
    return text


@router.get("/sign-in", summary="Sign-in form (accounts are made with `spreadgraph user add`)")
async def sign_in_page(request: Request, user: UserDep, next: str = "/") -> Response:
    page = SignInPage(
        signed_in_as=user.name if user else None,
        role=user.role if user else None,
        accounts_configured=accounts_exist(),
        next=safe_next(next),
    )
    return respond(request, "sign_in.html", page)


@router.post(
    "/sign-in", dependencies=[CsrfChecked], summary="Sign in (CSRF-checked form: name, password, next)"
)
async def sign_in(request: Request) -> Response:
    form = await request.form()
    name = form.get("name") if isinstance(form.get("name"), str) else ""
    password = form.get("password") if isinstance(form.get("password"), str) else ""
    target = safe_next(form.get("next"))
    account = str(name).strip().lower()[:80]
    client = request.client.host if request.client else "unknown"
    limit = get_settings().sign_in_limit
    sign_ins.check(account, client, limit)
    user = await run_in_threadpool(authenticate, str(name), str(password)) if name and password else None
    if user is None:
        sign_ins.failed(account, client)
        page = SignInPage(
            accounts_configured=accounts_exist(),
            next=target,
            name=str(name)[:80],
            error="The account name or password is wrong.",
        )
        return respond(request, "sign_in.html", page, status=401)
    sign_ins.succeeded(account)
    value, max_age = await run_in_threadpool(session_cookie, user)
    if wanted_format(request.scope) == "json":
        response: Response = JSONResponse({"ok": True, "user": user.name, "role": user.role})
    else:
        response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/sign-out", dependencies=[CsrfChecked], summary="Sign out (CSRF-checked form)")
async def sign_out(request: Request) -> Response:
    await run_in_threadpool(end_session, request.cookies.get(SESSION_COOKIE))
    if wanted_format(request.scope) == "json":
        response: Response = JSONResponse({"ok": True})
    else:
        response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response
