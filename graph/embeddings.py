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

_MISSING = {
    label: f"""
MATCH (n:{label})
WHERE n.embedding IS NULL AND n.id IS NOT NULL
WITH n, {_TEXT.get(label, _NAMED)} AS text
WHERE text IS NOT NULL AND trim(text) <> ''
RETURN n.id AS id, text
ORDER BY id
LIMIT $limit
"""
    for label in embedded_labels()
}
_SET = {
    label: f"""
UNWIND $rows AS row
MATCH (n:{label} {{id: row.id}})
WHERE n.embedding IS NULL
SET n.embedding = row.embedding
"""
    for label in embedded_labels()
}


def missing_embeddings(tx: ManagedTransaction, label: str, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` nodes of `label` without an embedding: [{'id', 'text'}], by id."""
    return [record.data() for record in tx.run(_MISSING[label], limit=limit)]


def set_embeddings(tx: ManagedTransaction, label: str, rows: list[dict[str, Any]]) -> None:
    """Store `rows` ([{'id', 'embedding'}]) on nodes of `label` that still have no embedding."""
    tx.run(_SET[label], rows=rows)
