"""A fingerprint of the whole graph (counts and a checksum of an export), to prove nothing changed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from neo4j import Driver
from spreadgraph.graph.connection import read

_NODES = """
MATCH (n)
RETURN labels(n) AS labels, properties(n) AS props
"""
_RELS = """
MATCH (a)-[r]->(b)
RETURN a.id AS start, type(r) AS type, b.id AS end, properties(r) AS props
"""


@dataclass(frozen=True)
class Fingerprint:
    nodes: int
    relationships: int
    checksum: str


def _line(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def fingerprint(driver: Driver | None = None) -> Fingerprint:
    """Node and relationship counts plus a sha256 over every node and relationship, sorted."""
    nodes = sorted(_line(row) for row in read(_NODES, driver=driver))
    rels = sorted(_line(row) for row in read(_RELS, driver=driver))
    digest = hashlib.sha256("\n".join([*nodes, "--", *rels]).encode()).hexdigest()
    return Fingerprint(len(nodes), len(rels), digest)
