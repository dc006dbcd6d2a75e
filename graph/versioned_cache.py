"""Reuse what was read from the graph while the graph has not changed.

`graph_version` is a cheap stamp that changes with every committed write: the bookmark Neo4j
returns for a read transaction names the last transaction the server had committed, and is
unchanged by reads. The claim count and the number of published cases are part of the stamp too,
in case a server returns no bookmark. `VersionedCache` keeps a value for `ttl` seconds as long as
the stamp it was computed under is still current (the overview's counts, the cases' filter facets).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import neo4j
from neo4j import Driver
from spreadgraph.graph.connection import database, get_driver

T = TypeVar("T")
Stamp = tuple[frozenset[str], int, int]

# The Claim count comes from the count store and the published cases from the Case.status
# index, so the stamp costs well under a millisecond.
VERSION = """
MATCH (cl:Claim) WITH count(cl) AS claims
OPTIONAL MATCH (c:Case {status: 'published'})
RETURN claims, count(c) AS published
"""


def graph_version(driver: Driver | None) -> Stamp:
    """(bookmark of the last committed write, claims, published cases): equal stamps mean no
    write was committed in between (the bookmark), or at least no case and claim came or went."""
    driver = driver or get_driver()
    with driver.session(database=database(), default_access_mode=neo4j.READ_ACCESS) as session:
        row = session.execute_read(lambda tx: tx.run(VERSION).single().data())
        bookmarks = frozenset(session.last_bookmarks().raw_values)
    return bookmarks, row["claims"], row["published"]


class VersionedCache:
    """Values by key, each reused for `ttl` seconds while its version stamp is current
    (at most `size` keys, oldest dropped first; safe to share between threads: threads that
    want the same missing value wait for one of them to compute it)."""

    def __init__(self, ttl: float, size: int = 256) -> None:
        self.ttl = ttl
        self.size = size
        self._items: dict[Hashable, tuple[float, Hashable, Any]] = {}
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def _fresh(self, key: Hashable, stamp: Hashable) -> tuple[bool, Any]:
        with self._lock:
            cached = self._items.get(key)
        if cached and cached[1] == stamp and time.monotonic() - cached[0] < self.ttl:
            return True, cached[2]
        return False, None

    def get(self, key: Hashable, stamp: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for `key`, or `compute()` stored under `stamp`."""
        hit, value = self._fresh(key, stamp)
        if hit:
            return value
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:  # one computation per key at a time; the others then find its value
            hit, value = self._fresh(key, stamp)
            if hit:
                return value
            value = compute()
            with self._lock:
                self._items.pop(key, None)
                self._items[key] = (time.monotonic(), stamp, value)
                while len(self._items) > self.size:
                    dropped = next(iter(self._items))
                    self._items.pop(dropped)
                    self._computing.pop(dropped, None)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
