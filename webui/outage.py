"""Answer at once while Neo4j is down, and notice at once when it is back.

The driver's managed transactions retry a lost connection for up to 15 s before giving up, which
rides out a brief blip but makes every request wait that long during an outage. The app keeps one
`DatabaseWatch` (on `app.state`): once a request (or `/readyz`) found Neo4j unreachable, the next
requests first check the connection, which fails in well under a millisecond, and answer 503 with
Retry-After; the first check that reaches Neo4j again ends the outage. The cached driver needs no
reset: it drops dead connections and opens new ones when the server is back.
"""

from __future__ import annotations

from neo4j import Driver
from spreadgraph.graph.connection import get_driver
from spreadgraph.webui.http_errors import DATABASE_ERRORS, database_down

from spreadgraph.config import Settings


class DatabaseWatch:
    """Whether Neo4j was last found unreachable, and the driver checked accordingly."""

    def __init__(self) -> None:
        self.down = False

    def mark_down(self) -> None:
        self.down = True

    def check(self, settings: Settings) -> Driver:
        """The driver, after checking that Neo4j answers; DatabaseDown (503) if it does not."""
        try:
            driver = get_driver(settings)
            driver.verify_connectivity()
        except DATABASE_ERRORS as exc:
            self.down = True
            raise database_down(exc) from None
        self.down = False
        return driver

    def driver(self, settings: Settings) -> Driver:
        """The driver for a request: checked first only while Neo4j was last found unreachable."""
        if self.down:
            return self.check(settings)
        try:
            return get_driver(settings)
        except DATABASE_ERRORS as exc:
            self.down = True
            raise database_down(exc) from None
