"""Schema migrations against the real Neo4j: idempotent, recorded, and doing what they claim."""

from __future__ import annotations

import pytest
from neo4j import Driver
from neo4j.exceptions import ConstraintError
from spreadgraph.graph.migrate import migrate, schema_version
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.schema.migrations import MIGRATIONS, fulltext_index_name, vector_index_name
from spreadgraph.schema.model import NODE_TYPES, embedded_labels
from spreadgraph.schema.taxonomy import load_taxonomies

from tests.conftest import migration_context


def snapshot(driver: Driver) -> dict[str, object]:
    """Everything `init` could change: constraints, indexes, and every node and relationship."""
    constraints, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")
    indexes, _, _ = driver.execute_query("SHOW INDEXES YIELD name, type RETURN collect([name, type]) AS ix")
    return {
        "constraints": sorted(constraints[0]["names"]),
        "indexes": sorted(map(tuple, indexes[0]["ix"])),
        "data": fingerprint(driver),
    }


def test_init_twice_changes_nothing(migrated: Driver, neo4j_settings) -> None:
    before = snapshot(migrated)
    results = migrate(migration_context(neo4j_settings), migrated)
    assert {r.action for r in results} == {"unchanged"}
    assert snapshot(migrated) == before


def test_version_is_recorded_in_the_graph(migrated: Driver) -> None:
    assert schema_version(migrated) == max(m.version for m in MIGRATIONS)
    records, _, _ = migrated.execute_query(
        "MATCH (m:SchemaMigration) RETURN m.version AS v, m.checksum AS c, m.applied_at AS at ORDER BY v"
    )
    assert [r["v"] for r in records] == sorted(m.version for m in MIGRATIONS)
    assert all(len(r["c"]) == 64 and r["at"] is not None for r in records)


def test_changed_migration_is_reapplied(migrated: Driver, neo4j_settings) -> None:
    migrated.execute_query("MATCH (m:SchemaMigration {version: 2}) SET m.checksum = 'stale'")
    results = {r.version: r.action for r in migrate(migration_context(neo4j_settings), migrated)}
    assert results[2] == "reapplied"
    assert {a for v, a in results.items() if v != 2} == {"unchanged"}


@pytest.mark.parametrize("label", [n.label for n in NODE_TYPES])
def test_uniqueness_constraint_rejects_duplicate(graph: Driver, label: str) -> None:
    graph.execute_query(f"CREATE (:{label} {{id: 'dup-test'}})")
    with pytest.raises(ConstraintError):
        graph.execute_query(f"CREATE (:{label} {{id: 'dup-test'}})")
    records, _, _ = graph.execute_query(f"MATCH (n:{label} {{id: 'dup-test'}}) RETURN count(n) AS n")
    assert records[0]["n"] == 1
    graph.execute_query(f"MATCH (n:{label} {{id: 'dup-test'}}) DELETE n")


def test_vector_indexes_exist_with_model_dimension(migrated: Driver) -> None:
    records, _, _ = migrated.execute_query(
        "SHOW VECTOR INDEXES YIELD name, labelsOrTypes, options, state RETURN *"
    )
    found = {r["name"]: r for r in records}
    for label in embedded_labels():
        index = found[vector_index_name(label)]
        assert index["labelsOrTypes"] == [label]
        assert index["state"] == "ONLINE"
        config = index["options"]["indexConfig"]
        assert config["vector.dimensions"] == 384
        assert config["vector.similarity_function"].lower() == "cosine"


def test_vector_index_answers_a_query(graph: Driver) -> None:
    near = [1.0, 0.0] + [0.0] * 382
    far = [0.0, 1.0] + [0.0] * 382
    graph.execute_query(
        "CREATE (:Excerpt {id: 'e-near', text: 'near', embedding: $near}), "
        "(:Excerpt {id: 'e-far', text: 'far', embedding: $far})",
        near=near,
        far=far,
    )
    graph.execute_query("CALL db.awaitIndexes(60)")
    records, _, _ = graph.execute_query(
        "CALL db.index.vector.queryNodes($index, 2, $q) YIELD node, score RETURN node.id AS id, score",
        index=vector_index_name("Excerpt"),
        q=[0.9, 0.1] + [0.0] * 382,
    )
    assert [r["id"] for r in records] == ["e-near", "e-far"]
    assert records[0]["score"] > records[1]["score"]


def test_fulltext_index_answers_a_query_with_stemming(graph: Driver) -> None:
    graph.execute_query(
        "CREATE (:Barrier {id: 'b1', name: 'Consultants not engaged', description: 'senior doctors stayed away'}),"
        "(:Barrier {id: 'b2', name: 'Supplier withdrew', description: 'the platform vendor left'})"
    )
    graph.execute_query("CALL db.awaitIndexes(60)")
    records, _, _ = graph.execute_query(
        "CALL db.index.fulltext.queryNodes($index, 'engaging consultant') YIELD node RETURN node.id AS id",
        index=fulltext_index_name("Barrier"),
    )
    assert [r["id"] for r in records] == ["b1"]


def test_every_declared_fulltext_index_exists(migrated: Driver) -> None:
    records, _, _ = migrated.execute_query("SHOW FULLTEXT INDEXES YIELD name, properties RETURN *")
    found = {r["name"]: r["properties"] for r in records}
    for node in NODE_TYPES:
        if node.fulltext:
            assert found[fulltext_index_name(node.label)] == list(node.fulltext)


def count(driver: Driver, query: str) -> int:
    records, _, _ = driver.execute_query(query)
    return records[0][0]


def test_taxonomy_counts_match_the_reference(migrated: Driver) -> None:
    assert count(migrated, "MATCH (c:CfirConstruct {level: 'construct'}) RETURN count(c)") == 48
    assert count(migrated, "MATCH (c:CfirConstruct {level: 'subconstruct'}) RETURN count(c)") == 19
    assert count(migrated, "MATCH (d:CfirDomain) RETURN count(d)") == 5
    assert count(migrated, "MATCH (s:EricStrategy) RETURN count(s)") == 73
    assert count(migrated, "MATCH (c:EricCluster) RETURN count(c)") == 9
    assert count(migrated, "MATCH (d:NasssDomain) RETURN count(d)") == 7


def test_taxonomy_structure_is_linked(migrated: Driver) -> None:
    assert count(migrated, "MATCH (s:EricStrategy) WHERE NOT (s)-[:IN_CLUSTER]->() RETURN count(s)") == 0
    assert count(migrated, "MATCH (s:EricStrategy)-[:IN_CLUSTER]->() RETURN count(s)") == 73
    assert (
        count(migrated, "MATCH (c:CfirConstruct {level: 'construct'})-[:IN_DOMAIN]->() RETURN count(c)") == 48
    )
    assert (
        count(migrated, "MATCH (c:CfirConstruct {level: 'subconstruct'})-[:PART_OF]->() RETURN count(c)")
        == 19
    )
    expected = len(load_taxonomies().cfir_eric.level1) + len(load_taxonomies().cfir_eric.level2)
    assert count(migrated, "MATCH ()-[m:EXPERT_MATCH]->() RETURN count(m)") == expected


def test_taxonomy_descriptions_are_present(migrated: Driver) -> None:
    missing = count(
        migrated,
        "MATCH (n) WHERE (n:CfirConstruct OR n:EricStrategy OR n:NasssDomain) "
        "AND size(coalesce(n.description, '')) < 20 RETURN count(n)",
    )
    assert missing == 0


def test_old_contributor_ids_lose_their_email_address(graph: Driver, neo4j_settings) -> None:
    """Migration 6: ids built from an e-mail address become name + hash, revisions follow."""
    from spreadgraph.graph.migrate import STEPS
    from spreadgraph.schema.template import contributor_key

    graph.execute_query(
        """
        CREATE (:Contributor {id: 'contributor:jo@example.org', name: 'Jo Bloggs', contact: 'jo@example.org'})
        CREATE (:Revision {id: 'revision:x:1', number: 1, submitted_by: 'contributor:jo@example.org'})
        """
    )
    STEPS["rekey_contributors"](graph, migration_context(neo4j_settings))
    new = contributor_key("Jo Bloggs", "jo@example.org")
    assert "@" not in new and new.startswith("contributor:jo-bloggs-")
    rows = graph.execute_query(
        "MATCH (c:Contributor {id: $id}) MATCH (r:Revision {submitted_by: $id}) RETURN count(*) AS n", id=new
    ).records
    assert rows[0]["n"] == 1
    before = fingerprint(graph)
    STEPS["rekey_contributors"](graph, migration_context(neo4j_settings))  # idempotent
    assert fingerprint(graph) == before
