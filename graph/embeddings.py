"""Cypher for node embeddings: find nodes of an embedded label that have none, and store vectors.

Labels cannot be parameters; every statement is built from the model's embedded labels only
(`schema/model.py`: Excerpt, Case, Innovation, Barrier, Enabler, Approach).
"""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction
from spreadgraph.schema.model import embedded_labels

# The text a node's embedding encodes: what the node says, in the words a person would search.
_TEXT = {
    "Excerpt": "n.text",
    "Sentence": "n.text",
    "Case": "coalesce(n.title, '') + CASE WHEN n.summary IS NULL THEN '' ELSE '. ' + n.summary END",
}
_NAMED = "n.name + CASE WHEN n.description IS NULL THEN '' ELSE ': ' + n.description END"

_PAGE = """
MATCH (n:{label})
WHERE {where}
WITH n, {text} AS text
WHERE text IS NOT NULL AND trim(text) <> ''
RETURN n.id AS id, text{extra}
ORDER BY id
LIMIT $limit
"""
_STORE = """
UNWIND $rows AS row
MATCH (n:{label} {{id: row.id}}){guard}
SET n.embedding = row.embedding
"""


def _by_label(template: str, **parts: str) -> dict[str, str]:
    return {
        label: template.format(label=label, text=_TEXT.get(label, _NAMED), **parts)
        for label in embedded_labels()
    }


_MISSING = _by_label(_PAGE, where="n.embedding IS NULL AND n.id IS NOT NULL", extra="")
_ALL = _by_label(_PAGE, where="n.id IS NOT NULL AND n.id > $after", extra=", n.embedding AS embedding")
_SET = _by_label(_STORE, guard="\nWHERE n.embedding IS NULL")
_REPLACE = _by_label(_STORE, guard="")


def missing_embeddings(tx: ManagedTransaction, label: str, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` nodes of `label` without an embedding: [{'id', 'text'}], by id."""
    return [record.data() for record in tx.run(_MISSING[label], limit=limit)]


def set_embeddings(tx: ManagedTransaction, label: str, rows: list[dict[str, Any]]) -> None:
    """Store `rows` ([{'id', 'embedding'}]) on nodes of `label` that still have no embedding."""
    tx.run(_SET[label], rows=rows)


def embedded_page(tx: ManagedTransaction, label: str, after: str, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` nodes of `label` with id > `after`: [{'id', 'text', 'embedding'}], by id."""
    return [record.data() for record in tx.run(_ALL[label], after=after, limit=limit)]


def replace_embeddings(tx: ManagedTransaction, label: str, rows: list[dict[str, Any]]) -> None:
    """Store `rows` ([{'id', 'embedding'}]) on nodes of `label`, replacing what they had."""
    tx.run(_REPLACE[label], rows=rows)
