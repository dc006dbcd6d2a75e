"""Acronyms a source defines are searchable by their long form (invented text, real Neo4j)."""

from __future__ import annotations

from neo4j import Driver
from spreadgraph.search.acronyms import definitions, expansions
from spreadgraph.search.retrieval import Searcher
from spreadgraph.search.units import ExcerptText, plan_units

from tests.conftest import wipe_data
from tests.search_fixtures import WordVectors, seed

REPORT = (
    "Every surgery joined a Clinical Audit Round (CARs) and took advice from the "
    "Department of Oral Health (DOH). Research and Development (R&D) paid for two posts. "
    "A few pilots (see annex) never started."
)


def test_definitions_take_the_words_whose_initials_spell_the_acronym() -> None:
    assert definitions(REPORT) == {
        "CAR": "clinical audit round",
        "DOH": "department of oral health",
        "R&D": "research and development",
    }


def test_definitions_ignore_brackets_that_are_not_acronyms_or_do_not_match() -> None:
    assert definitions("The pilot (see annex) ran twice (N=40). Big Old Tree (XYZ) fell.") == {}


def test_a_window_gets_the_long_forms_it_does_not_spell_out() -> None:
    defined = definitions(REPORT)
    assert expansions("The CARs met monthly; DOH staff attended.", defined) == (
        "clinical audit round department of oral health"
    )
    assert expansions("a clinical audit round (CAR) was held", defined) == ""
    assert expansions("The scarf was red.", defined) == ""  # letters inside a word do not count


def test_units_carry_the_expansions_of_their_source() -> None:
    excerpts = [
        ExcerptText("e1", "Teams used a Clinical Audit Round (CAR) each quarter.", 0, 53),
        ExcerptText("e2", "Two CARs were skipped in winter because of rota gaps.", 60, 113),
    ]
    units, _ = plan_units(excerpts)
    by_excerpt = {u.excerpt: u for u in units}
    assert by_excerpt["e1"].expansions == ""
    assert by_excerpt["e2"].expansions == "clinical audit round"


def test_full_text_finds_a_window_by_the_long_form_of_its_acronym(migrated: Driver) -> None:
    wipe_data(migrated)
    encoder = WordVectors()
    seed(migrated, encoder)
    texts = [
        "Each surgery took part in a clinical audit round (CAR) led by a pharmacist.",
        "Later on, two CARs were cancelled when the pharmacist went on leave.",
    ]
    migrated.execute_query(
        """
        MATCH (s:Source {id: 'src:t1'}), (c:Case {id: 'case:t-hospital'})
        UNWIND range(0, size($texts) - 1) AS i
        CREATE (e:Excerpt {id: 'acr:' + i, kind: 'passage', text: $texts[i], start: 5000 + 1000 * i,
                           end: 5000 + 1000 * i + size($texts[i])})
        CREATE (e)-[:FROM]->(s) CREATE (c)-[:HAS_EXCERPT]->(e)
        """,
        texts=texts,
    )
    from spreadgraph.search.indexing import embed_missing
    from spreadgraph.search.units import index_sentences

    index_sentences(migrated, sources=["src:t1"])
    embed_missing(migrated, encoder)
    searcher = Searcher(migrated, embedder=encoder)
    found = searcher.search("audit round", kinds=("excerpt",), mode="fulltext").results
    by_id = {r.id: r for r in found}
    # the window that only says "CARs" is found by the long form; the one spelling it out ranks first
    assert [r.id for r in found][:2] == ["acr:0#s0", "acr:1#s0"]
    assert by_id["acr:1#s0"].text == texts[1]  # the evidence is the window as written
    unrelated = searcher.search("audit round", kinds=("excerpt",), mode="fulltext", limit=50).results
    assert "src:t1:0#s1" not in {r.id for r in unrelated}
    wipe_data(migrated)
    seed(migrated, WordVectors())
