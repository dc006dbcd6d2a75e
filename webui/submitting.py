"""What the submit form, the upload and `POST /api/cases` share: checking a template off the event
loop within a time limit, and writing it as the signed-in account.

PyYAML is pure Python here: a crafted 300 KB scalar takes seconds to parse. Parsing runs in a
worker thread (at most `PARSERS` at once), so other requests are served meanwhile, and a template
that takes longer than SPREADGRAPH_TEMPLATE_PARSE_SECONDS is refused (its thread is abandoned and
finishes on its own; the size limit bounds how long that can be).
"""

from __future__ import annotations

import asyncio
import weakref

import anyio
from neo4j import Driver
from spreadgraph.graph.case_writer import CaseWrite
from spreadgraph.graph.submissions import submit_as
from spreadgraph.ingest.templates.problems import Problem
from spreadgraph.ingest.templates.template_ingest import check_bytes
from spreadgraph.schema.template import CaseTemplate
from spreadgraph.webui.auth import User
from starlette.concurrency import run_in_threadpool

from spreadgraph.config import get_settings

PARSERS = 2
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _limiter() -> anyio.CapacityLimiter:
    """The running event loop's limiter (a CapacityLimiter belongs to one loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _limiters:
        _limiters[loop] = anyio.CapacityLimiter(PARSERS)
    return _limiters[loop]


async def check_template(raw: bytes, file: str) -> tuple[CaseTemplate | None, list[Problem]]:
    """`check_bytes` in a worker thread, refused after the configured number of seconds."""
    seconds = get_settings().template_parse_seconds
    try:
        with anyio.fail_after(seconds):
            return await anyio.to_thread.run_sync(
                check_bytes, raw, file, abandon_on_cancel=True, limiter=_limiter()
            )
    except TimeoutError:
        message = (
            f"the template took longer than {seconds:g} s to read; "
            "check it with `spreadgraph validate FILE` and simplify long or unusual values"
        )
        return None, [Problem(message, file=file)]


async def submit(
    model: CaseTemplate, user: User, driver: Driver, *, file_name: str | None = None
) -> CaseWrite:
    """Write a checked case as `user` (a contributor revises only their own cases)."""
    return await run_in_threadpool(
        submit_as, model, user.name, may_revise_any=user.can_review, file_name=file_name, driver=driver
    )
