"""Web-layer errors: each is a SpreadgraphError, so the one handler renders it (HTML or JSON)."""

from __future__ import annotations

import logging
from typing import Any

from neo4j.exceptions import ServiceUnavailable, SessionExpired
from pydantic import BaseModel

from spreadgraph.errors import DatabaseDown, DatabaseUnavailable, SpreadgraphError

log = logging.getLogger("spreadgraph.webui")


class ErrorDetail(BaseModel):
    code: str
    message: str
    hint: str | None = None


class ErrorBody(BaseModel):
    """The fixed JSON error shape (`SpreadgraphError.as_dict`)."""

    ok: bool = False
    error: ErrorDetail


class NotFound(SpreadgraphError):
    status = 404
    code = "not_found"


class MethodNotAllowed(SpreadgraphError):
    status = 405
    code = "method_not_allowed"


class InvalidRequest(SpreadgraphError):
    """The request did not match the route's declared parameters or body."""

    status = 422
    code = "invalid_request"


class CsrfRefused(SpreadgraphError):
    """A form POST without a valid CSRF token, or a cross-origin request."""

    status = 403
    code = "csrf"


class BadHost(SpreadgraphError):
    """The request's Host is not one this site answers to (DNS rebinding, a misrouted request)."""

    status = 400
    code = "bad_host"


class BodyTooLarge(SpreadgraphError):
    status = 413
    code = "too_large"


class InternalError(SpreadgraphError):
    status = 500
    code = "internal"


class NotSignedIn(SpreadgraphError):
    """A route needs an account and the request has no valid session or API token."""

    status = 401
    code = "not_signed_in"


class Forbidden(SpreadgraphError):
    """Signed in, but the account's role may not do this."""

    status = 403
    code = "forbidden"


class Conflict(SpreadgraphError):
    """The request is valid but clashes with the current state (e.g. a claim already decided)."""

    status = 409
    code = "conflict"


#: What a request meets when Neo4j is down or unreachable: the driver's connection errors (also
#: raised by queries that bypass graph/connection.py's helpers), a socket error, and the
#: project's DatabaseUnavailable (no driver could be opened, or a helper lost the connection).
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    ServiceUnavailable,
    SessionExpired,
    ConnectionError,
    DatabaseUnavailable,
)


def database_down(exc: Exception) -> DatabaseDown:
    """The one mapping of a `DATABASE_ERRORS` error to the web's answer: 503, Retry-After and a
    plain message. The detail (it names the server's address) goes to the log only."""
    if isinstance(exc, DatabaseDown):
        return exc
    detail = (str(exc).strip() or type(exc).__name__).splitlines()[0]
    log.warning("Neo4j unavailable (%s): %s", type(exc).__name__, detail)
    return DatabaseDown()


#: Documented on every `/api` route: the errors any of them may answer with, in the fixed shape.
API_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "The body could not be parsed, or the request is not valid for this resource"),
        (401, "Not signed in (session or API token needed)"),
        (403, "Wrong role, or a cross-origin request"),
        (404, "No such resource"),
        (413, "The body is larger than SPREADGRAPH_MAX_BODY_BYTES"),
        (422, "The request does not match the declared parameters or body"),
        (
            503,
            "The database is unreachable, busy or short of memory for now: "
            "try again after Retry-After seconds",
        ),
    )
}
