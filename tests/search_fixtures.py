"""A small invented graph for the search tests (no corpus text), and a deterministic embedder.

`WordVectors` turns text into a unit vector by summing a fixed pseudo-random direction per word
(seeded by the word), so texts sharing words are close, and lets a test pin exact vectors for
chosen texts. Its vectors go through the real Neo4j vector indexes like the model's would.
"""

from __future__ import annotations

import hashlib
import math
import re

from neo4j import Driver
from spreadgraph.search.units import index_sentences

DIM = 384


def _direction(word: str) -> list[float]:
    seed = hashlib.sha256(word.encode()).digest()
    values = []
    counter = 0
    while len(values) < DIM:
        block = hashlib.sha256(seed + counter.to_bytes(4, "little")).digest()
        values += [b / 127.5 - 1.0 for b in block]
        counter += 1
    return values[:DIM]


def unit(values: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


def axis(i: int, j: int | None = None, mix: float = 0.0) -> list[float]:
    """A unit vector along axis i (optionally tilted towards axis j by `mix`)."""
    v = [0.0] * DIM
    v[i] = 1.0
    if j is not None:
        v[j] = mix
    return unit(v)


class WordVectors:
    """Deterministic encoder: pinned vectors for chosen texts, bag-of-word directions otherwise."""

    def __init__(self, pinned: dict[str, list[float]] | None = None) -> None:
        self.pinned = pinned or {}

    def encode(self, texts: list[str]) -> list[list[float]]:
        out = []
        for text in texts:
            if text in self.pinned:
                out.append(self.pinned[text])
                continue
            total = [0.0] * DIM
            for word in re.findall(r"[a-z]{3,}", text.lower()):
                total = [a + b for a, b in zip(total, _direction(word[:6]), strict=True)]
            out.append(unit(total) if any(total) else axis(DIM - 1))
        return out


# Two published cases in different settings, one pending case; all text invented here.
HOSPITAL = (
    "The ward team trialled a bedside tablet for medicine reconciliation. "
    "Pharmacists found the tablet slow to start on the night shift. "
    "After a software update the start-up time halved and nurses kept using it."
)
PRACTICE = (
    "The surgery introduced a tablet check-in kiosk for patients arriving early. "
    "Receptionists worried the kiosk would confuse older visitors. "
    "Volunteers stood beside the kiosk for the first fortnight."
)
PENDING = (
    "A pending pilot used a tablet quiz to teach hand hygiene. "
    "Cleaners liked the quiz but the sound was too loud on busy corridors."
)
ORPHAN = "An unrelated paragraph about parking permits for visiting relatives near the main gate."

SETUP = """
CREATE (s1:Source {id: 'src:t1', kind: 'document', title: 'Tablet report', file_name: 'tablet-report.txt',
                   source_type: 'evaluation', year: 2021, text: $t1})
CREATE (s2:Source {id: 'src:t2', kind: 'document', title: 'Kiosk article', file_name: 'kiosk-article.md',
                   source_type: 'article', year: 2018, text: $t2})
CREATE (s3:Source {id: 'src:t3', kind: 'template', title: 'Quiz pilot', file_name: 'quiz-pilot.yaml',
                   source_type: 'template', text: 'Quiz pilot summary.'})
CREATE (c1:Case {id: 'case:t-hospital', title: 'Bedside tablet on wards', status: 'published',
                 summary: 'Tablet for medicine reconciliation on hospital wards.'})
CREATE (c2:Case {id: 'case:t-practice', title: 'Check-in kiosk in a surgery', status: 'published',
                 summary: 'Kiosk for arrivals in general practice.'})
CREATE (c3:Case {id: 'case:t-pending', title: 'Hand hygiene quiz', status: 'pending',
                 summary: 'Tablet quiz for cleaners.'})
CREATE (c1)-[:IN_CONTEXT]->(:Context {id: 'ctx:t1', setting: 'acute hospital', sector: 'NHS', country: 'England'})
CREATE (c2)-[:IN_CONTEXT]->(:Context {id: 'ctx:t2', setting: 'general practice', sector: 'NHS', country: 'Wales'})
CREATE (c1)-[:ABOUT]->(:Innovation {id: 'inn:t1', name: 'Bedside tablet', type: 'digital tool'})
CREATE (c2)-[:ABOUT]->(:Innovation {id: 'inn:t2', name: 'Check-in kiosk', type: 'service redesign'})
CREATE (c1)-[:DESCRIBED_IN]->(s1) CREATE (c2)-[:DESCRIBED_IN]->(s2) CREATE (c3)-[:DESCRIBED_IN]->(s3)
CREATE (e1:Excerpt {id: 'src:t1:0', kind: 'passage', text: $t1, start: 0, end: size($t1), section: 'Findings'})
CREATE (e2:Excerpt {id: 'src:t2:0', kind: 'passage', text: $t2p, start: 0, end: size($t2p)})
CREATE (e4:Excerpt {id: 'src:t2:1', kind: 'passage', text: $orphan, start: size($t2p) + 2, end: size($t2)})
CREATE (e3:Excerpt {id: 'case:t-pending:excerpts[1]', kind: 'template_quote', text: $t3, field: 'excerpts[1]'})
CREATE (e1)-[:FROM]->(s1) CREATE (e2)-[:FROM]->(s2) CREATE (e4)-[:FROM]->(s2) CREATE (e3)-[:FROM]->(s3)
CREATE (c1)-[:HAS_EXCERPT]->(e1) CREATE (c2)-[:HAS_EXCERPT]->(e2) CREATE (c3)-[:HAS_EXCERPT]->(e3)
CREATE (b:Barrier {id: 'barrier:slow-start', name: 'Slow device start-up', description: 'devices slow to start'})
CREATE (a:Approach {id: 'approach:update', name: 'Software update', description: 'update the software'})
CREATE (a2:Approach {id: 'approach:volunteers', name: 'Volunteer helpers', description: 'volunteers beside kiosks'})
CREATE (c1)-[:MAKES]->(m:Claim {id: 'cl:t1', kind: 'met_barrier', status: 'confirmed'})-[:SUBJECT]->(b)
CREATE (m)-[:EVIDENCED_BY]->(e1)
CREATE (c1)-[:MAKES]->(u:Claim {id: 'cl:t2', kind: 'addressed', status: 'confirmed'})-[:SUBJECT]->(a)
CREATE (u)-[:OBJECT]->(b)
CREATE (u)-[:EVIDENCED_BY]->(e1)
CREATE (c2)-[:MAKES]->(v:Claim {id: 'cl:t3', kind: 'used_approach', status: 'suggested'})-[:SUBJECT]->(a2)
CREATE (v)-[:EVIDENCED_BY]->(e2)
CREATE (c1)-[:MAKES]->(o:Claim {id: 'cl:t4', kind: 'reported_outcome', status: 'confirmed'})
       -[:SUBJECT]->(:Outcome {id: 'out:t1', measure: 'start-up time', value: 'halved', direction: 'improved'})
"""


def seed(driver: Driver, encoder: object) -> None:
    """Write the invented graph, its search units and every embedding."""
    t2 = PRACTICE + "\n\n" + ORPHAN
    driver.execute_query(SETUP, t1=HOSPITAL, t2=t2, t2p=PRACTICE, orphan=ORPHAN, t3=PENDING)
    index_sentences(driver)
    from spreadgraph.search.indexing import embed_missing

    embed_missing(driver, encoder)
