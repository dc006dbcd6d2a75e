"""Ordered schema migrations. Each is idempotent; `spreadgraph init` applies what is new.

A migration's checksum covers its statements (and, for data migrations, its input files),
so a migration whose definition changed since it was applied is applied again; every
statement uses IF NOT EXISTS / MERGE, which makes that safe.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from spreadgraph.schema.concepts import concept_version
from spreadgraph.schema.model import NODE_TYPES, embedded_labels
from spreadgraph.schema.taxonomy import taxonomy_digest


@dataclass(frozen=True)
class MigrationContext:
    """Inputs a migration may depend on."""

    embedding_dimension: int


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: Callable[[MigrationContext], list[str]] = lambda ctx: []
    prepare: str | None = None  # step run before the statements (graph.migrate.STEPS)
    load: str | None = None  # data step run after the statements (graph.migrate.STEPS)
    inputs: Callable[[MigrationContext], str] = field(default=lambda ctx: "")

    def checksum(self, ctx: MigrationContext) -> str:
        digest = hashlib.sha256()
        for statement in self.statements(ctx):
            digest.update(statement.encode())
        for part in (self.prepare or "", self.load or "", self.inputs(ctx)):
            digest.update(part.encode())
        return digest.hexdigest()


def _module_digest(module: str) -> str:
    """Digest of a loader's source, so a changed loader re-runs its data migration."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    return hashlib.sha256(Path(spec.origin).read_bytes()).hexdigest()


def uniqueness_constraints(ctx: MigrationContext) -> list[str]:
    return [
        f"CREATE CONSTRAINT {n.label.lower()}_id IF NOT EXISTS FOR (n:{n.label}) REQUIRE n.id IS UNIQUE"
        for n in NODE_TYPES
    ]


LOOKUPS = (
    ("Case", "status"),
    ("Claim", "status"),
    ("Claim", "kind"),
    ("Source", "content_hash"),
    ("Source", "file_name"),
    ("Barrier", "name"),
    ("Enabler", "name"),
    ("Approach", "name"),
    ("Innovation", "name"),
)


def lookup_indexes(ctx: MigrationContext) -> list[str]:
    return [
        f"CREATE INDEX {label.lower()}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
        for label, prop in LOOKUPS
    ]


def fulltext_indexes(ctx: MigrationContext) -> list[str]:
    statements = []
    for n in NODE_TYPES:
        if n.fulltext:
            props = ", ".join(f"n.{p}" for p in n.fulltext)
            statements.append(
                f"CREATE FULLTEXT INDEX {fulltext_index_name(n.label)} IF NOT EXISTS "
                f"FOR (n:{n.label}) ON EACH [{props}] "
                "OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}}"
            )
    return statements


def vector_indexes(ctx: MigrationContext) -> list[str]:
    return [
        f"CREATE VECTOR INDEX {vector_index_name(label)} IF NOT EXISTS FOR (n:{label}) ON n.embedding "
        f"OPTIONS {{indexConfig: {{`vector.dimensions`: {ctx.embedding_dimension}, "
        "`vector.similarity_function`: 'cosine'}}"
        for label in embedded_labels()
    ]


def fulltext_index_name(label: str) -> str:
    return f"{label.lower()}_fulltext"


def vector_index_name(label: str) -> str:
    return f"{label.lower()}_embedding"


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "uniqueness constraint on every node type's id", uniqueness_constraints),
    Migration(2, "lookup indexes for review state and names", lookup_indexes),
    Migration(3, "full-text indexes (english analyzer)", fulltext_indexes),
    Migration(4, "vector indexes (cosine, model dimension)", vector_indexes, prepare="drop_stale_vectors"),
    Migration(
        5,
        "taxonomies: CFIR 2.0, CFIR 2009, ERIC, NASSS, CFIR-ERIC matching",
        load="load_taxonomies",
        inputs=lambda ctx: taxonomy_digest() + _module_digest("spreadgraph.graph.taxonomy_writer"),
    ),
    Migration(6, "contributor ids without e-mail addresses", load="rekey_contributors"),
    # Reapplied whenever schema/concepts.yaml (its concept_version) or the loader changes.
    Migration(
        7,
        "concept vocabulary: Concept nodes and their CFIR/ERIC/NASSS codes",
        load="load_concepts",
        inputs=lambda ctx: concept_version() + _module_digest("spreadgraph.graph.migrate"),
    ),
)
