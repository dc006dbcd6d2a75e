"""Writes the taxonomy files into the graph (MERGE on id, so loading twice changes nothing)."""

from __future__ import annotations

from neo4j import ManagedTransaction
from spreadgraph.schema.taxonomy import Taxonomies

_DOMAINS = """
UNWIND $rows AS row
MERGE (d:CfirDomain {id: row.id})
SET d.name = row.name, d.number = row.number, d.description = row.description
"""
_CONSTRUCTS = """
UNWIND $rows AS row
MERGE (c:CfirConstruct {id: row.id})
SET c.name = row.name, c.label = row.label, c.description = row.description,
    c.aliases = row.aliases, c.level = row.level
WITH c, row
OPTIONAL MATCH (d:CfirDomain {id: row.domain})
OPTIONAL MATCH (p:CfirConstruct {id: row.parent})
FOREACH (_ IN CASE WHEN d IS NULL THEN [] ELSE [1] END | MERGE (c)-[:IN_DOMAIN]->(d))
FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | MERGE (c)-[:PART_OF]->(p))
"""
_CFIR2009 = """
UNWIND $rows AS row
MERGE (c:Cfir2009Construct {id: row.id})
SET c.name = row.name, c.description = row.description
WITH c, row
UNWIND row.maps_to AS target
MATCH (t:CfirConstruct {id: target})
MERGE (c)-[:MAPS_TO]->(t)
"""
_CLUSTERS = """
UNWIND $rows AS row
MERGE (c:EricCluster {id: row.id})
SET c.name = row.name, c.number = row.number, c.description = row.description
"""
_STRATEGIES = """
UNWIND $rows AS row
MERGE (s:EricStrategy {id: row.id})
SET s.name = row.name, s.number = row.number, s.description = row.description, s.aliases = row.aliases
WITH s, row
MATCH (c:EricCluster {id: row.cluster})
MERGE (s)-[:IN_CLUSTER]->(c)
"""
_NASSS = """
UNWIND $rows AS row
MERGE (d:NasssDomain {id: row.id})
SET d.name = row.name, d.number = row.number, d.description = row.description,
    d.questions = row.questions
"""
_MATCHES = """
UNWIND $rows AS row
MATCH (c:Cfir2009Construct {id: row.cfir2009}), (s:EricStrategy {id: row.eric})
MERGE (c)-[m:EXPERT_MATCH {level: row.level}]->(s)
SET m.percent = row.percent
"""


def write_taxonomies(tx: ManagedTransaction, tax: Taxonomies) -> None:
    """Load every taxonomy node and relationship in one transaction."""
    cfir = tax.cfir2
    tx.run(_DOMAINS, rows=[d.model_dump() for d in cfir.domains])
    constructs = [{**c.model_dump(), "level": "construct", "parent": None} for c in cfir.constructs] + [
        {**s.model_dump(), "domain": None, "parent": s.parent, "level": "subconstruct"}
        for s in cfir.subconstructs
    ]
    tx.run(_CONSTRUCTS, rows=constructs)
    crosswalk = tax.cfir_eric.crosswalk
    tx.run(
        _CFIR2009,
        rows=[
            {**c.model_dump(), "maps_to": list(crosswalk.get(c.id, ()))}
            for c in (*tax.cfir2009.constructs, *tax.cfir2009.subconstructs)
        ],
    )
    tx.run(_CLUSTERS, rows=[c.model_dump() for c in tax.eric.clusters])
    tx.run(_STRATEGIES, rows=[s.model_dump() for s in tax.eric.strategies])
    tx.run(
        _NASSS,
        rows=[{**d.model_dump(), "questions": [q.text for q in d.questions]} for d in tax.nasss.domains],
    )
    matches = [{**m.model_dump(), "level": 1} for m in tax.cfir_eric.level1] + [
        {**m.model_dump(), "level": 2} for m in tax.cfir_eric.level2
    ]
    tx.run(_MATCHES, rows=matches)
