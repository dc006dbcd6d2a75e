"""FastAPI dependencies: the driver and settings reach routes through these, not globals."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from neo4j import Driver
from spreadgraph.graph.connection import get_driver


def driver() -> Driver:
    """The process-wide Neo4j driver (created on first use, not at import)."""
    return get_driver()


DriverDep = Annotated[Driver, Depends(driver)]
