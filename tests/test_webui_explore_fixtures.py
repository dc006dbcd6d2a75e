"""A small hand-made graph for the search, what-worked, neighbourhood and overview pages.

Everything here is invented for these tests. The counts the overview must show are worked out
by hand in `EXPECTED` (published cases only; the pending case and the rejected code must not
count). Embeddings come from the deterministic `WordVectors` encoder of the search tests.
"""

from __future__ import annotations

from neo4j import Driver
from spreadgraph.search.indexing import embed_missing
from spreadgraph.search.units import index_sentences

from tests.search_fixtures import WordVectors

ENCODER = WordVectors()
SCRIPT = "<script>alert(3)</script>"

CLINIC_TEXT = (
    "Clinic nurses said the reminder texts cut missed appointments, but nobody had spare time "
    "to keep the phone numbers up to date.\n\n"
    "The mobile signal in the valley kept dropping, so some texts arrived a day late. "
    "A signal booster was fitted in the waiting room.\n\n"
    f"One patient wrote {SCRIPT} on the feedback card about the reminder texts."
)
WARD_TEXT = (
    "On the stroke ward the falls sensors worked, yet nurses had no spare time to answer every "
    "alarm. Protected time for two champions helped a little."
)
DRAFT_TEXT = "A draft case about a hydration app where staff also had no spare time."

SETUP = """
CREATE (s1:Source {id: 'src:x-clinic', kind: 'document', title: 'Reminder texts evaluation',
                   file_name: 'reminders.txt', source_type: 'evaluation', year: 2020, text: $clinic})
CREATE (s2:Source {id: 'src:x-ward', kind: 'document', title: 'Falls sensors article',
                   file_name: 'falls-sensors.md', source_type: 'article', year: 2016, text: $ward})
CREATE (s3:Source {id: 'source:template:x-home', kind: 'template', title: 'Video visits at home',
                   file_name: 'x-home.yaml', source_type: 'template', text: 'Video visits template.'})
CREATE (s4:Source {id: 'source:template:x-draft', kind: 'template', title: 'Hydration app draft',
                   file_name: 'x-draft.yaml', source_type: 'template', text: $draft})
CREATE (c1:Case {id: 'case:x-clinic', title: 'Text reminders in a diabetes clinic', status: 'published',
                 summary: 'Reminder texts for clinic appointments.', spread_status: 'spreading'})
CREATE (c2:Case {id: 'case:x-ward', title: 'Falls sensors on a stroke ward', status: 'published',
                 summary: 'Bed sensors that warn nurses of falls.', spread_status: 'piloted'})
CREATE (c3:Case {id: 'case:x-home', title: 'Video visits for housebound patients', status: 'published',
                 summary: 'Nurses visit by video.', spread_status: 'sustained'})
CREATE (c4:Case {id: 'case:x-draft', title: 'Hydration app draft', status: 'pending',
                 summary: 'Not yet reviewed.'})
CREATE (c1)-[:IN_CONTEXT]->(:Context {id: 'ctx:x1', setting: 'outpatient clinic', sector: 'NHS', country: 'Scotland'})
CREATE (c2)-[:IN_CONTEXT]->(:Context {id: 'ctx:x2', setting: 'acute hospital', sector: 'NHS', country: 'England'})
CREATE (c3)-[:IN_CONTEXT]->(:Context {id: 'ctx:x3', setting: 'community care', sector: 'NHS', country: 'Wales'})
CREATE (c1)-[:ABOUT]->(:Innovation {id: 'innovation:x-sms', name: 'SMS reminders', type: 'digital tool'})
CREATE (c2)-[:ABOUT]->(:Innovation {id: 'innovation:x-sensor', name: 'Falls sensor', type: 'medical device'})
CREATE (c3)-[:ABOUT]->(:Innovation {id: 'innovation:x-video', name: 'Video visits', type: 'digital tool'})
CREATE (c1)-[:DESCRIBED_IN]->(s1) CREATE (c2)-[:DESCRIBED_IN]->(s2) CREATE (c3)-[:DESCRIBED_IN]->(s3)
CREATE (c4)-[:DESCRIBED_IN]->(s4)
CREATE (e1:Excerpt {id: 'src:x-clinic:e1', kind: 'passage', text: $parts[0].text, start: $parts[0].start,
                    end: $parts[0].end})
CREATE (e2:Excerpt {id: 'src:x-clinic:e2', kind: 'passage', text: $parts[1].text, start: $parts[1].start,
                    end: $parts[1].end})
CREATE (e4:Excerpt {id: 'src:x-clinic:e3', kind: 'quote', text: $parts[2].text, start: $parts[2].start,
                    end: $parts[2].end, speaker_role: 'patient'})
CREATE (e3:Excerpt {id: 'src:x-ward:e1', kind: 'passage', text: $ward, start: 0, end: size($ward)})
CREATE (e5:Excerpt {id: 'case:x-home:excerpts[1]', kind: 'template_quote', field: 'excerpts[1]',
                    text: 'Housebound patients liked seeing the same nurse on video every week.'})
CREATE (e6:Excerpt {id: 'case:x-draft:excerpts[1]', kind: 'template_quote', field: 'excerpts[1]', text: $draft})
CREATE (e1)-[:FROM]->(s1) CREATE (e2)-[:FROM]->(s1) CREATE (e4)-[:FROM]->(s1) CREATE (e3)-[:FROM]->(s2)
CREATE (e5)-[:FROM]->(s3) CREATE (e6)-[:FROM]->(s4)
CREATE (c1)-[:HAS_EXCERPT]->(e1) CREATE (c1)-[:HAS_EXCERPT]->(e2) CREATE (c1)-[:HAS_EXCERPT]->(e4)
CREATE (c2)-[:HAS_EXCERPT]->(e3) CREATE (c3)-[:HAS_EXCERPT]->(e5) CREATE (c4)-[:HAS_EXCERPT]->(e6)
CREATE (b1:Barrier {id: 'barrier:x-no-time', name: 'Staff had no spare time', description: 'no time to spare'})
CREATE (b2:Barrier {id: 'barrier:x-signal', name: 'Patchy mobile signal', description: 'signal drops out'})
CREATE (b3:Barrier {id: 'barrier:x-blame', name: 'Fear of blame', description: 'staff feared blame'})
CREATE (b4:Barrier {id: 'barrier:x-hostile', name: $hostile, description: $hostile})
CREATE (a1:Approach {id: 'approach:x-protected', name: 'Protected time for champions', description: 'time set aside'})
CREATE (a2:Approach {id: 'approach:x-booster', name: 'Signal boosters', description: 'boosters fitted'})
CREATE (a3:Approach {id: 'approach:x-training', name: 'Short training sessions', description: 'brief sessions'})
WITH *
CREATE (:Outcome {id: 'outcome:x-dna', measure: 'missed appointments', value: 'fewer', direction: 'improved'})
WITH *
MATCH (inner:CfirConstruct {id: 'cfir2:III.J'})
MERGE (b1)-[:CODED_AS]->(inner)
WITH *
UNWIND $claims AS row
MATCH (c:Case {id: row.case}), (sub_node {id: row.subject})
CREATE (c)-[:MAKES]->(cl:Claim {id: row.id, kind: row.kind, status: row.status, method: row.method})
CREATE (cl)-[:SUBJECT]->(sub_node)
FOREACH (o IN CASE WHEN row.object IS NULL THEN [] ELSE [row.object] END |
  MERGE (obj {id: o}) CREATE (cl)-[:OBJECT]->(obj))
FOREACH (ev IN coalesce(row.evidence, []) | MERGE (x {id: ev}) CREATE (cl)-[:EVIDENCED_BY]->(x))
"""


def claim(cid: str, case: str, kind: str, subject: str, status: str = "confirmed", **extra: object) -> dict:
    method = "template" if status == "confirmed" else "extractor"
    return {
        "id": cid,
        "case": case,
        "kind": kind,
        "subject": subject,
        "status": status,
        "method": method,
        **extra,
    }


CLAIMS = [
    # Clinic: met no-time (confirmed) and signal (suggested); protected time addressed no-time,
    # boosters partly addressed the signal; no-time coded to Inner Setting, signal to a subconstruct.
    claim("x:1", "case:x-clinic", "met_barrier", "barrier:x-no-time", evidence=["src:x-clinic:e1"]),
    claim(
        "x:2", "case:x-clinic", "met_barrier", "barrier:x-signal", "suggested", evidence=["src:x-clinic:e2"]
    ),
    claim("x:3", "case:x-clinic", "used_approach", "approach:x-protected"),
    claim("x:4", "case:x-clinic", "used_approach", "approach:x-booster", "suggested"),
    claim(
        "x:5",
        "case:x-clinic",
        "addressed",
        "approach:x-protected",
        object="barrier:x-no-time",
        evidence=["src:x-clinic:e1"],
    ),
    claim(
        "x:6",
        "case:x-clinic",
        "partly_addressed",
        "approach:x-booster",
        "suggested",
        object="barrier:x-signal",
        evidence=["src:x-clinic:e2"],
    ),
    claim("x:7", "case:x-clinic", "coded_as", "barrier:x-no-time", object="cfir2:III.J"),
    claim("x:8", "case:x-clinic", "coded_as", "barrier:x-signal", "suggested", object="cfir2:II.G.3"),
    claim("x:9", "case:x-clinic", "reported_outcome", "outcome:x-dna"),
    # Ward: met no-time; protected time addressed it (suggested); boosters did not address it.
    claim("x:10", "case:x-ward", "met_barrier", "barrier:x-no-time", evidence=["src:x-ward:e1"]),
    claim("x:11", "case:x-ward", "used_approach", "approach:x-protected"),
    claim("x:12", "case:x-ward", "used_approach", "approach:x-training"),
    claim(
        "x:13",
        "case:x-ward",
        "addressed",
        "approach:x-protected",
        "suggested",
        object="barrier:x-no-time",
        evidence=["src:x-ward:e1"],
    ),
    claim(
        "x:14",
        "case:x-ward",
        "did_not_address",
        "approach:x-booster",
        "suggested",
        object="barrier:x-no-time",
        evidence=["src:x-ward:e1"],
    ),
    # Home (a template): met no-time, blame and the hostile barrier; protected time addressed blame.
    claim("x:15", "case:x-home", "met_barrier", "barrier:x-no-time", evidence=["source:template:x-home"]),
    claim("x:16", "case:x-home", "met_barrier", "barrier:x-blame"),
    claim("x:17", "case:x-home", "met_barrier", "barrier:x-hostile"),
    claim("x:18", "case:x-home", "used_approach", "approach:x-protected"),
    claim("x:19", "case:x-home", "addressed", "approach:x-protected", object="barrier:x-blame"),
    claim("x:20", "case:x-home", "coded_as", "barrier:x-blame", "rejected", object="cfir2:IV.M"),
    # The pending draft must count nowhere.
    claim("x:21", "case:x-draft", "met_barrier", "barrier:x-no-time"),
    claim("x:22", "case:x-draft", "met_barrier", "barrier:x-signal"),
    claim("x:23", "case:x-draft", "addressed", "approach:x-protected", object="barrier:x-signal"),
    claim("x:24", "case:x-draft", "coded_as", "barrier:x-blame", object="cfir2:IV.M"),
]

HOSTILE = f"Broken kiosk {SCRIPT}"

# The overview, worked out by hand from CLAIMS.
EXPECTED = {
    "cfir2:III": {"barriers": 1, "confirmed_barriers": 1, "cases": 3, "claims": 3, "excerpts": 2},
    "cfir2:II": {"barriers": 1, "confirmed_barriers": 0, "cases": 1, "claims": 1, "excerpts": 1},
    "constructs": {"cfir2:III.J": 3, "cfir2:II.G": 1},
    "uncoded": {"barriers": 2, "cases": 1},
    "rows": ["barrier:x-no-time", "barrier:x-hostile", "barrier:x-blame", "barrier:x-signal"],
    "columns": ["approach:x-protected", "approach:x-booster", "approach:x-training"],
    "cells": {
        ("barrier:x-no-time", "approach:x-protected"): {
            "cases": 2,
            "not_addressed": 0,
            "claims": 2,
            "confirmed": 1,
            "suggested": 1,
            "excerpts": 2,
        },
        ("barrier:x-no-time", "approach:x-booster"): {
            "cases": 0,
            "not_addressed": 1,
            "claims": 1,
            "confirmed": 0,
            "suggested": 1,
            "excerpts": 1,
        },
        ("barrier:x-signal", "approach:x-booster"): {
            "cases": 1,
            "not_addressed": 0,
            "claims": 1,
            "confirmed": 0,
            "suggested": 1,
            "excerpts": 1,
        },
        ("barrier:x-blame", "approach:x-protected"): {
            "cases": 1,
            "not_addressed": 0,
            "claims": 1,
            "confirmed": 1,
            "suggested": 0,
            "excerpts": 0,
        },
    },
}


def seed_explore(driver: Driver) -> None:
    """Write the graph above, its sentence units and their embeddings (caller wipes first)."""
    parts, start = [], 0
    for text in CLINIC_TEXT.split("\n\n"):
        parts.append({"text": text, "start": start, "end": start + len(text)})
        start += len(text) + 2
    driver.execute_query(
        SETUP,
        clinic=CLINIC_TEXT,
        ward=WARD_TEXT,
        draft=DRAFT_TEXT,
        hostile=HOSTILE,
        claims=CLAIMS,
        parts=parts,
    )
    index_sentences(driver)
    embed_missing(driver, ENCODER)
