"""Applies `schema.migrations` in order and records each applied version in the graph."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from neo4j import Driver, ManagedTransaction
from spreadgraph.graph.connection import database, get_driver
from spreadgraph.graph.taxonomy_writer import write_taxonomies
from spreadgraph.schema.concepts import Concept, concept_version, load_concepts
from spreadgraph.schema.migrations import MIGRATIONS, Migration, MigrationContext, vector_index_name
from spreadgraph.schema.model import embedded_labels
from spreadgraph.schema.taxonomy import load_taxonomies
from spreadgraph.schema.template import contributor_key


@dataclass(frozen=True)
class MigrationResult:
    version: int
    name: str
    action: str  # "applied" | "reapplied" | "unchanged"


def _drop_stale_vectors(driver: Driver, ctx: MigrationContext) -> None:
    """Drop vector indexes whose dimension differs from the model's (they are then recreated)."""
    records, _, _ = driver.execute_query(
        "SHOW VECTOR INDEXES YIELD name, options RETURN name, options", database_=database()
    )
    wanted = {vector_index_name(label) for label in embedded_labels()}
    for record in records:
        config = (record["options"] or {}).get("indexConfig", {})
        if record["name"] in wanted and config.get("vector.dimensions") != ctx.embedding_dimension:
            driver.execute_query(f"DROP INDEX {record['name']} IF EXISTS", database_=database())


def _load_taxonomies(driver: Driver, ctx: MigrationContext) -> None:
    taxonomies = load_taxonomies()
    with driver.session(database=database()) as session:
        session.execute_write(write_taxonomies, taxonomies)


_CONTRIBUTORS = "MATCH (c:Contributor) RETURN c.id AS id, c.name AS name, c.contact AS contact"
_REKEY = """
UNWIND $moves AS move
MATCH (c:Contributor {id: move.old})
SET c.id = move.new
WITH move
MATCH (r:Revision {submitted_by: move.old})
SET r.submitted_by = move.new
"""


def _rekey_contributors(driver: Driver, ctx: MigrationContext) -> None:
    """Give every contributor the id `contributor_key` makes (older ids held the e-mail address)."""
    records, _, _ = driver.execute_query(_CONTRIBUTORS, database_=database())
    moves = [
        {"old": r["id"], "new": new}
        for r in records
        if (new := contributor_key(r["name"] or "", r["contact"] or "")) != r["id"]
    ]
    if moves:
        driver.execute_query(_REKEY, moves=moves, database_=database())


# Concepts: MERGE by id with the file's version; codes rebuilt; concepts no longer in the file
# (an older version) deleted, with their IS_CONCEPT links (their items stay).
_CONCEPTS = """
UNWIND $rows AS row
MERGE (k:Concept {id: row.id})
SET k.kind = row.kind, k.name = row.name, k.definition = row.definition, k.variants = row.variants,
    k.codes = row.codes, k.opposite = row.opposite, k.version = $version
WITH k, row
OPTIONAL MATCH (k)-[old:CODED_AS]->()
DELETE old
WITH DISTINCT k, row
UNWIND row.codes AS code
CALL (code) {
  MATCH (t:CfirConstruct {id: code}) RETURN t
  UNION MATCH (t:EricStrategy {id: code}) RETURN t
  UNION MATCH (t:NasssDomain {id: code}) RETURN t
}
MERGE (k)-[:CODED_AS]->(t)
"""
_STALE_CONCEPTS = "MATCH (k:Concept) WHERE k.version <> $version DETACH DELETE k"


def concept_rows(concepts: tuple[Concept, ...]) -> list[dict[str, object]]:
    return [
        {
            "id": c.id,
            "kind": c.kind,
            "name": c.name,
            "definition": c.definition,
            "variants": list(c.variants),
            "codes": list(c.codes),
            "opposite": c.opposite,
        }
        for c in concepts
    ]


def _load_concepts(driver: Driver, ctx: MigrationContext) -> None:
    """Load schema/concepts.yaml as Concept nodes (idempotent; run again when its version changes)."""
    version = concept_version()
    rows = concept_rows(load_concepts())
    with driver.session(database=database()) as session:

        def work(tx: ManagedTransaction) -> None:
            tx.run(_CONCEPTS, rows=rows, version=version)
            tx.run(_STALE_CONCEPTS, version=version)

        session.execute_write(work)


STEPS: dict[str, Callable[[Driver, MigrationContext], None]] = {
    "drop_stale_vectors": _drop_stale_vectors,
    "load_taxonomies": _load_taxonomies,
    "rekey_contributors": _rekey_contributors,
    "load_concepts": _load_concepts,
}


def applied_migrations(driver: Driver | None = None) -> dict[int, str]:
    """version -> checksum of what this database has applied."""
    driver = driver or get_driver()
    records, _, _ = driver.execute_query(
        "MATCH (m:SchemaMigration) RETURN m.version AS version, m.checksum AS checksum",
        database_=database(),
    )
    return {r["version"]: r["checksum"] for r in records}


def _apply(driver: Driver, migration: Migration, ctx: MigrationContext, checksum: str) -> None:
    if migration.prepare:
        STEPS[migration.prepare](driver, ctx)
    for statement in migration.statements(ctx):
        driver.execute_query(statement, database_=database())
    if migration.load:
        STEPS[migration.load](driver, ctx)
    driver.execute_query(
        "MERGE (m:SchemaMigration {id: $id}) "
        "SET m.version = $version, m.name = $name, m.checksum = $checksum, m.applied_at = datetime()",
        id=f"migration:{migration.version:04d}",
        version=migration.version,
        name=migration.name,
        checksum=checksum,
        database_=database(),
    )


def migrate(ctx: MigrationContext, driver: Driver | None = None) -> list[MigrationResult]:
    """Apply every migration that is new or whose definition changed; report what happened."""
    driver = driver or get_driver()
    done = applied_migrations(driver)
    results = []
    for migration in sorted(MIGRATIONS, key=lambda m: m.version):
        checksum = migration.checksum(ctx)
        if done.get(migration.version) == checksum:
            results.append(MigrationResult(migration.version, migration.name, "unchanged"))
            continue
        _apply(driver, migration, ctx, checksum)
        action = "reapplied" if migration.version in done else "applied"
        results.append(MigrationResult(migration.version, migration.name, action))
    driver.execute_query("CALL db.awaitIndexes(300)", database_=database())
    return results


def schema_version(driver: Driver | None = None) -> int:
    """Highest applied migration version (0 on an empty database)."""
    return max(applied_migrations(driver), default=0)
