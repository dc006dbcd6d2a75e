"""Reuse what was read from the graph while the graph has not changed in the ways that matter.

`graph_version` is a cheap stamp that changes when cases are ingested, published or withdrawn or
claims are added or removed; `VersionedCache` keeps a value for `ttl` seconds as long as the
stamp it was computed under is still current (the overview's counts, a filter's passing cases).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from neo4j import Driver
from spreadgraph.graph.connection import read_tx

T = TypeVar("T")

# The Claim count comes from the count store and the published cases from the Case.status
# index, so the stamp costs well under a millisecond.
VERSION = """
MATCH (cl:Claim) WITH count(cl) AS claims
OPTIONAL MATCH (c:Case {status: 'published'})
RETURN claims, count(c) AS published
"""


def graph_version(driver: Driver | None) -> tuple[int, int]:
    """(claims, published cases): changes when cases are ingested, published or withdrawn."""
    row = read_tx(lambda tx: tx.run(VERSION).single().data(), driver=driver)
    return row["claims"], row["published"]


class VersionedCache:
    """Values by key, each reused for `ttl` seconds while its version stamp is current
    (at most `size` keys, oldest dropped first; safe to share between threads)."""

    def __init__(self, ttl: float, size: int = 256) -> None:
        self.ttl = ttl
        self.size = size
        self._items: dict[Hashable, tuple[float, tuple[int, int], Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, stamp: tuple[int, int], compute: Callable[[], T]) -> T:
        """The cached value for `key`, or `compute()` stored under `stamp`."""
        with self._lock:
            cached = self._items.get(key)
        if cached and cached[1] == stamp and time.monotonic() - cached[0] < self.ttl:
            return cached[2]
        value = compute()
        with self._lock:
            self._items.pop(key, None)
            self._items[key] = (time.monotonic(), stamp, value)
            while len(self._items) > self.size:
                self._items.pop(next(iter(self._items)))
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
