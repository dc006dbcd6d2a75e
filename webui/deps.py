"""FastAPI dependencies: the driver and settings reach routes through these, not globals."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from neo4j import Driver
from spreadgraph.graph.connection import get_driver
from spreadgraph.webui.security import csrf_protect

from spreadgraph.config import Settings, get_settings


def driver() -> Driver:
    """The process-wide Neo4j driver (created on first use, not at import)."""
    return get_driver()


def settings() -> Settings:
    return get_settings()


DriverDep = Annotated[Driver, Depends(driver)]
SettingsDep = Annotated[Settings, Depends(settings)]
CsrfChecked = Depends(csrf_protect)
"""For `dependencies=[CsrfChecked]` on every HTML form route (tests check that none lacks it)."""
