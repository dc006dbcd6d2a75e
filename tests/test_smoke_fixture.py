def test_fixture_starts_real_neo4j(migrated):
    records, _, _ = migrated.execute_query("CALL dbms.components() YIELD name, versions RETURN name, versions")
    assert records[0]["name"] == "Neo4j Kernel"
    assert records[0]["versions"][0].startswith("5.26")
