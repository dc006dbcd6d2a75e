"""What in the graph is private: what an anonymous console user must never be able to read.

Neo4j Community Edition cannot hide a label or a property from a query, so the only way to open
the Cypher console to everyone is a graph that holds none of this. `private_data` lists what is
there (cached while the graph does not change); the console stays closed to anonymous users while
the list is not empty (webui/deps.py, `console_access`).
"""

from __future__ import annotations

from neo4j import Driver
from spreadgraph.graph.connection import read
from spreadgraph.graph.versioned_cache import VersionedCache, graph_version

#: (what it is, a query counting it). Each is something the README promises only reviewers see.
PRIVATE: tuple[tuple[str, str], ...] = (
    (
        "contributors' contact details",
        "MATCH (n:Contributor) WHERE n.contact IS NOT NULL RETURN count(n) AS n",
    ),
    ("submitted templates", "MATCH (n:Revision) WHERE n.template IS NOT NULL RETURN count(n) AS n"),
    ("account names", "MATCH (n:Revision) WHERE n.account IS NOT NULL RETURN count(n) AS n"),
    ("unpublished cases", "MATCH (n:Case) WHERE n.status <> 'published' RETURN count(n) AS n"),
    ("review decisions and notes", "MATCH (n:Decision) RETURN count(n) AS n"),
    (
        "reviewers' names and notes",
        "MATCH (n) WHERE (n:Case OR n:Claim) AND (n.reviewed_by IS NOT NULL OR n.review_note IS NOT NULL) "
        "RETURN count(n) AS n",
    ),
)
_cache = VersionedCache(ttl=60.0, size=4)


def private_data(driver: Driver | None = None) -> list[str]:
    """What private data the graph holds, with counts (empty: the graph is safe to open)."""

    def compute() -> list[str]:
        found = []
        for what, query in PRIVATE:
            count = read(query, driver=driver)[0]["n"]
            if count:
                found.append(f"{what}: {count:,}")
        return found

    return _cache.get("private", graph_version(driver), compute)
