"""FastAPI dependencies: the driver, settings, the signed-in user and permission checks.

Permission checks are dependencies (`RequireContributor`, `RequireReviewer`, `read_access`),
never `if`s copied into routes. Not signed in answers 401, the wrong role 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from neo4j import Driver
from spreadgraph.graph.privacy import private_data
from spreadgraph.webui.auth import User
from spreadgraph.webui.http_errors import Forbidden, NotSignedIn
from spreadgraph.webui.outage import DatabaseWatch
from spreadgraph.webui.security import check_csrf
from spreadgraph.webui.sessions import request_user, session_binding

from spreadgraph.config import Settings, get_settings

OPEN_PATHS = ("/sign-in", "/sign-out", "/favicon.ico", "/healthz", "/readyz")


def settings() -> Settings:
    return get_settings()


def database_watch(request: Request) -> DatabaseWatch:
    """The app's record of whether Neo4j was last found unreachable (webui/outage.py)."""
    return request.app.state.database_watch


def driver(
    watch: Annotated[DatabaseWatch, Depends(database_watch)],
    config: Annotated[Settings, Depends(settings)],
) -> Driver:
    """The process-wide Neo4j driver (created on first use, not at import). While Neo4j is down
    the request ends here at once with DatabaseDown (503, Retry-After)."""
    return watch.driver(config)


def current_user(request: Request) -> User | None:
    """The signed-in account (session cookie or `Authorization: Bearer` token), or None."""
    return request_user(request)


def _not_signed_in(request: Request, doing: str) -> NotSignedIn:
    if request.headers.get("authorization"):
        return NotSignedIn(
            "the API token was not recognised", hint="create one with `spreadgraph user token NAME`"
        )
    return NotSignedIn(
        f"you need to sign in {doing}",
        hint="sign in at /sign-in (accounts are made with `spreadgraph user add`)",
    )


def require_contributor(request: Request) -> User:
    """A contributor or reviewer account, else 401 (not signed in) / 403."""
    user = request_user(request)
    if user is None:
        raise _not_signed_in(request, "to submit a case")
    if not user.can_contribute:
        raise Forbidden(f"the account '{user.name}' may not submit cases")
    return user


def require_reviewer(request: Request) -> User:
    """A reviewer account, else 401 (not signed in) / 403 (a contributor)."""
    user = request_user(request)
    if user is None:
        raise _not_signed_in(request, "to review")
    if not user.can_review:
        raise Forbidden(
            f"the account '{user.name}' is a {user.role}; only reviewers may do this",
            hint="ask for the reviewer role (`spreadgraph user add NAME --role reviewer`)",
        )
    return user


def console_access(request: Request, driver: Annotated[Driver, Depends(driver)]) -> None:
    """The Cypher console reads the whole graph, so by default it needs an analyst or reviewer.
    With SPREADGRAPH_CONSOLE_ACCESS=open anyone may use it, but only while the graph holds nothing
    private (graph/privacy.py): Community Edition cannot hide labels or properties from a query."""
    user = request_user(request)
    if user is not None and user.can_read_all:
        return
    if get_settings().console_access == "open":
        found = private_data(driver)
        if not found:
            return
        raise Forbidden(
            "the console is open to everyone, but this graph holds private data ("
            + ", ".join(found)
            + "), so it needs an analyst or reviewer account",
            hint="serve a graph that holds only published cases, or sign in",
        )
    if user is None:
        raise _not_signed_in(request, "to use the Cypher console")
    raise Forbidden(
        f"the account '{user.name}' is a {user.role}; the console needs an analyst or reviewer",
        hint="ask for the analyst role (`spreadgraph user add NAME --role analyst`)",
    )


async def csrf_protect(request: Request) -> None:
    """Dependency for every HTML form POST: the form's token must equal the signed cookie, and be
    signed for this request's session."""
    await check_csrf(request, session_binding(request))


def read_access(request: Request) -> None:
    """App-wide: with SPREADGRAPH_READ_ACCESS=signed-in, every page but sign-in needs an account."""
    if get_settings().read_access == "open" or request.url.path.startswith(OPEN_PATHS):
        return
    if request_user(request) is None:
        raise _not_signed_in(request, "to read this site")


DriverDep = Annotated[Driver, Depends(driver)]
SettingsDep = Annotated[Settings, Depends(settings)]
WatchDep = Annotated[DatabaseWatch, Depends(database_watch)]
UserDep = Annotated[User | None, Depends(current_user)]
RequireContributor = Annotated[User, Depends(require_contributor)]
RequireReviewer = Annotated[User, Depends(require_reviewer)]
ConsoleAccess = Depends(console_access)
"""For the console's routes (`/cypher`, `POST /api/cypher`)."""
ReadAccess = Depends(read_access)
"""For `FastAPI(dependencies=[ReadAccess])`: reading is open by default, configurable."""
CsrfChecked = Depends(csrf_protect)
"""For `dependencies=[CsrfChecked]` on every HTML form route (tests check that none lacks it)."""
