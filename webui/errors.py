"""Web-layer errors: each is a SpreadgraphError, so the one handler renders it (HTML or JSON)."""

from __future__ import annotations

from spreadgraph.errors import SpreadgraphError


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


class BodyTooLarge(SpreadgraphError):
    status = 413
    code = "too_large"


class InternalError(SpreadgraphError):
    status = 500
    code = "internal"
