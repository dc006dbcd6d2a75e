"""Overlapping windows merge into one passage whose text and span come from the graph."""

from __future__ import annotations

from neo4j import Driver
from spreadgraph.search.passages import expand_passages, merge_overlaps
from spreadgraph.search.results import SearchResult

SENTENCES = [
    "The ward piloted a discharge checklist.",
    "Nurses filled it in at the bedside.",
    "Pharmacists checked the medicines list.",
    "Readmissions fell over the winter.",
    "The checklist then spread to two more wards.",
]


def _seed(driver: Driver) -> list[tuple[int, int]]:
    spans, position = [], 0
    for text in SENTENCES:
        spans.append((position, position + len(text)))
        position += len(text) + 1
    rows = [
        {"id": f"u{i}", "text": t, "start": a, "end": b}
        for i, (t, (a, b)) in enumerate(zip(SENTENCES, spans, strict=True))
    ]
    driver.execute_query(
        """
        UNWIND $rows AS row CREATE (:Sentence {id: row.id, text: row.text, start: row.start, end: row.end})
        WITH count(*) AS made
        UNWIND range(0, size($rows) - 2) AS i
        MATCH (a:Sentence {id: $rows[i].id}), (b:Sentence {id: $rows[i + 1].id})
        CREATE (a)-[:NEXT]->(b)
        """,
        rows=rows,
    )
    return spans


def _window(i: int, spans: list[tuple[int, int]], score: float) -> SearchResult:
    lo, hi = max(0, i - 1), min(len(spans) - 1, i + 1)
    return SearchResult.model_validate(
        {
            "kind": "excerpt",
            "id": f"u{i}",
            "score": score,
            "text": " ".join(SENTENCES[lo : hi + 1]),
            "source": {"id": "source:passages", "start": spans[lo][0], "end": spans[hi][1]},
        }
    )


def test_a_window_absorbs_its_overlapping_neighbours_and_shows_the_whole_passage(graph: Driver) -> None:
    spans = _seed(graph)
    ranked = [_window(1, spans, 0.9), _window(2, spans, 0.8), _window(0, spans, 0.7)]
    kept = merge_overlaps(ranked)
    assert [r.id for r in kept] == ["u1"] and kept[0].merged == ["u2", "u0"]

    expand_passages(graph, kept)
    # u0..u3: the windows of u0, u1 and u2 together; the span covers exactly those sentences.
    assert kept[0].text == " ".join(SENTENCES[0:4])
    assert (kept[0].source.start, kept[0].source.end) == (spans[0][0], spans[3][1])


def test_a_window_without_neighbours_is_left_as_it_was(graph: Driver) -> None:
    spans = _seed(graph)
    alone = [_window(4, spans, 0.9)]
    before = alone[0].model_copy(deep=True)
    expand_passages(graph, merge_overlaps(alone))
    assert alone[0] == before
