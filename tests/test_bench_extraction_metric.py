"""Unit tests for issue 18's extraction metric (bench/extraction_metric.py): tiny hand-made inputs,
names compared by a fake similarity, no Neo4j and no model."""

from __future__ import annotations

import numpy as np
import pytest

from bench.extraction_metric import (
    GoldItem,
    GraphItem,
    GraphLink,
    NameSimilarity,
    case_recall,
    gold_case_names,
    gold_item_count,
    gold_links,
    gold_named_items,
    gold_names,
    item_figures,
    link_recall,
    meets,
    name_precision,
    named_with_evidence,
    pool,
    quote_in,
    review_figure,
    token_jaccard,
)

# Names are "alike" when listed here (either order) or equal: a stand-in for MiniLM cosine.
ALIKE = {
    frozenset({"lack of time", "time constraints"}),
    frozenset({"peer champions", "champions network"}),
    frozenset({"staff turnover", "turnover of staff"}),
}


def fake_similarity(a: str, b: str) -> float:
    return 1.0 if a == b or frozenset({a, b}) in ALIKE else 0.1


GOLD_DOC = {
    "file": "001_x.txt",
    "cases": [
        {
            "case_name": "Pathway",
            "innovation": {"name": "homeless hospital care"},
            "barriers": [
                {"name": "lack of time", "evidence_quote": "Staff said they had no time to coach patients."},
                {"name": "staff turnover", "evidence_quote": "Many nurses left the ward during the year."},
            ],
            "enablers": [{"name": "leadership", "evidence_quote": "The manager backed the project."}],
            "approaches": [{"name": "peer champions", "evidence_quote": "Champions met every month."}],
            "outcomes": [{"name": "fewer bed days", "evidence_quote": "Bed days fell."}],
            "lessons": [{"lesson": "start with managers", "evidence_quote": "Start with managers."}],
            "approach_barrier_links": [
                {"approach": "peer champions", "barrier": "lack of time", "relation": "addressed"},
                {"approach": "peer champions", "barrier": "staff turnover", "relation": "failed_to_address"},
            ],
        },
        {"case_name": "Speaking Up", "innovation": {"name": "complaints handling"}, "barriers": []},
    ],
}


def test_gold_readers() -> None:
    items = gold_named_items(GOLD_DOC)
    assert [(g.kind, g.name) for g in items] == [
        ("barrier", "lack of time"),
        ("barrier", "staff turnover"),
        ("enabler", "leadership"),
        ("approach", "peer champions"),
    ]
    assert gold_names(GOLD_DOC) == [
        "lack of time",
        "staff turnover",
        "leadership",
        "peer champions",
        "fewer bed days",
        "start with managers",
        "homeless hospital care",
        "complaints handling",
    ]
    # 2 barriers + 1 enabler + 1 approach + 1 outcome + 1 lesson + 1 innovation, + 1 innovation
    assert gold_item_count(GOLD_DOC) == 8
    assert len(gold_links(GOLD_DOC)) == 2
    assert gold_case_names(GOLD_DOC) == [
        ("Pathway", "homeless hospital care"),
        ("Speaking Up", "complaints handling"),
    ]


def test_quote_in_is_the_search_scorings_in_order_match() -> None:
    quote = "Staff said they had no time to coach patients."  # 9 words: 6 needed (5.4 rounds up)
    assert quote_in(quote, "Ward staff said they had **no** time at all to coach.")
    assert not quote_in(quote, "Patients coach to time no had they said staff.")  # all words, wrong order
    assert not quote_in(quote, "Staff said they had time.")  # 5 of 9 in order
    assert not quote_in("", "anything")
    assert not quote_in(quote, "")


def test_named_with_evidence_needs_both_the_name_and_the_quote() -> None:
    gold = gold_named_items(GOLD_DOC)
    items = [
        # right name, quote in its evidence: hit
        GraphItem("barrier", "time constraints", ("Staff said they had no time to coach patients.",)),
        # right name but the quote is elsewhere; the quote sits under another name: miss
        GraphItem("barrier", "turnover of staff", ("Recruitment was slow.",)),
        GraphItem("barrier", "ward changes", ("Many nurses left the ward during the year.",)),
        # right name and quote, wrong kind: miss for the enabler
        GraphItem("approach", "leadership", ("The manager backed the project.",)),
        GraphItem("approach", "champions network", ("Text before. Champions met every month. After.",)),
    ]
    scores = named_with_evidence(gold, items, fake_similarity)
    assert (scores["barrier"].hits, scores["barrier"].total) == (1, 2)
    assert scores["barrier"].named == 2 and scores["barrier"].evidenced == 2
    assert "quote held by 'ward changes'" in scores["barrier"].misses[0]
    assert (scores["enabler"].hits, scores["enabler"].total) == (0, 1)
    assert "no item of this kind" in scores["enabler"].misses[0]
    assert (scores["approach"].hits, scores["approach"].value) == (1, 1.0)


def test_named_with_evidence_thresholds_are_inclusive() -> None:
    gold = [GoldItem("barrier", "a", "one two three four five")]
    items = [GraphItem("barrier", "b", ("one two three",))]  # 3 of 5 = 60%
    assert named_with_evidence(gold, items, lambda x, y: 0.6)["barrier"].hits == 1
    assert named_with_evidence(gold, items, lambda x, y: 0.59)["barrier"].hits == 0
    assert named_with_evidence(gold, items, lambda x, y: 0.6, min_words=0.8)["barrier"].hits == 0


def test_name_precision_counts_items_named_like_any_gold_item() -> None:
    items = [
        GraphItem("barrier", "time constraints"),
        GraphItem("barrier", "the first year"),
        GraphItem("approach", "fewer bed days"),  # an outcome's name counts, any kind
        GraphItem("enabler", "it was"),
    ]
    p = name_precision(items, gold_names(GOLD_DOC), fake_similarity)
    assert (p["barrier"].hits, p["barrier"].total) == (1, 2)
    assert p["approach"].value == 1.0
    assert p["enabler"].value == 0.0
    assert (p["all"].hits, p["all"].total) == (2, 4)
    assert name_precision([], ["x"], fake_similarity)["all"].value is None


def test_link_recall_matches_both_ends_and_reports_relation() -> None:
    links = [
        GraphLink("champions network", "time constraints", "partly_addressed"),  # addressed
        GraphLink("champions network", "budget cuts", "did_not_address"),  # wrong barrier
        GraphLink("training", "turnover of staff", "did_not_address"),  # wrong approach
    ]
    found, right = link_recall(gold_links(GOLD_DOC), links, fake_similarity)
    assert (found.hits, found.total) == (1, 2)
    assert right.hits == 1
    links.append(GraphLink("peer champions", "staff turnover", "caused"))
    found, right = link_recall(gold_links(GOLD_DOC), links, fake_similarity)
    assert (found.hits, right.hits) == (2, 1)
    assert link_recall(gold_links(GOLD_DOC), [], fake_similarity)[0].value == 0.0


def test_case_recall_is_one_to_one_on_either_gold_name() -> None:
    gold = gold_case_names(GOLD_DOC)
    sim = lambda a, b: 0.9 if a.lower() in b.lower() else 0.1  # noqa: E731
    ratio, matched = case_recall(gold, ["Pathway - homeless hospital care", "Speaking Up"], sim)
    assert (ratio.hits, ratio.total) == (2, 2)
    assert matched == [
        ("Pathway", "Pathway - homeless hospital care", 0.9),
        ("Speaking Up", "Speaking Up", 0.9),
    ]
    # one title cannot find two gold cases
    ratio, _ = case_recall(gold, ["Pathway Speaking Up complaints handling"], sim)
    assert ratio.hits == 1
    # generic titles find nothing
    assert case_recall(gold, ["Document", "Case 1"], sim)[0].hits == 0


def test_review_figure_against_one_and_a_half_gold_items() -> None:
    fig = review_figure(12, 8, 2000)
    assert fig["limit"] == 12.0 and fig["met"] and fig["ratio"] == 1.5
    assert fig["per_1000_words"] == 6.0 and fig["limit_per_1000_words"] == 6.0
    assert not review_figure(13, 8, 2000)["met"]
    assert meets("review_decisions", 1.5) and not meets("review_decisions", 1.51)
    assert meets("named_recall", 0.6) and not meets("named_recall", 0.59)
    assert meets("speaker_right", None) is None


def test_item_figures_and_pool() -> None:
    items = [
        GraphItem("barrier", "time constraints", ("Staff said they had no time to coach patients.",)),
        GraphItem("approach", "peer champions", ("Champions met every month.",)),
        GraphItem("barrier", "noise"),
    ]
    links = [GraphLink("peer champions", "lack of time", "addressed")]
    fig = item_figures(GOLD_DOC, items, links, decisions=20, words=1000, similarity=fake_similarity)
    assert fig["named_recall"]["barrier"]["value"] == 0.5
    assert fig["named_recall"]["approach"]["met"] is True
    assert fig["named_recall"]["all"] == {"value": 0.5, "hits": 2, "total": 4, "named": 2, "evidenced": 2}
    assert fig["name_precision"]["all"]["value"] == round(2 / 3, 3)
    assert fig["link_recall"]["value"] == 0.5
    assert fig["review_decisions"]["met"] is False  # 20 > 1.5 x 8
    assert fig["items"] == {"barrier": 2, "enabler": 0, "approach": 1}
    both = pool([fig, fig])
    assert both["named_recall"]["all"] == {"value": 0.5, "hits": 4, "total": 8}
    assert both["review_decisions"] == {"decisions": 40, "gold_items": 16, "limit": 24.0, "met": False}


def test_name_similarity_encodes_each_text_once_and_normalises() -> None:
    calls: list[list[str]] = []
    table = {"a": [3.0, 4.0], "b": [4.0, 3.0], "c": [0.0, 2.0]}

    def encode(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.array([table[t] for t in texts])

    sim = NameSimilarity(encode)
    sim.prime(["a", "b", "a"])
    assert sim("a", "b") == pytest.approx(24 / 25)
    assert sim("a", "c") == pytest.approx(0.8)
    assert sim("c", "c") == pytest.approx(1.0)
    assert calls == [["a", "b"], ["c"]]


def test_token_jaccard() -> None:
    assert token_jaccard("Lack of time", "lack of time") == 1.0
    assert token_jaccard("lack of time", "time") == pytest.approx(1 / 3)
    assert token_jaccard("", "") == 0.0


def test_extraction_items_mirror_what_the_writer_stores() -> None:
    from types import SimpleNamespace

    from spreadgraph.schema.extraction_models import Code, Extraction, Finding, LinkFinding

    from bench.extraction_eval import extraction_items

    text = "No time to coach. Champions helped overcome the lack of time. Bed days fell."
    common = {
        "sentence_index": 0,
        "excerpt_index": 0,
        "confidence": 0.5,
        "extractor": "x",
        "extractor_version": "1",
    }

    def finding(kind: str, name: str, start: int, end: int, codes: int = 0) -> Finding:
        code = [Code(scheme="cfir2", id=f"c{i}", name="n", similarity=0.5) for i in range(codes)]
        return Finding(kind=kind, name=name, text=text[start:end], start=start, end=end, codes=code, **common)

    extraction = Extraction(
        file_name="f.txt",
        content_hash="h",
        words=14,
        extractor="x",
        extractor_version="1",
        findings=[
            finding("barrier", "lack of time", 0, 17, codes=2),
            finding("barrier", "Lack of  time", 18, 61),  # same item after name normalisation
            finding("outcome", "fewer bed days", 62, 76),  # not a named item, still a claim
        ],
        links=[
            LinkFinding(
                relation="addressed",
                approach="champions",
                barrier="lack of time",
                text=text[18:61],
                start=18,
                end=61,
                cue="helped overcome",
                **common,
            )
        ],
    )
    items, links, claims = extraction_items(SimpleNamespace(text=text, cases=[]), extraction)
    by_name = {(it.kind, it.name): it.evidence for it in items}
    # "lack of time" resolves to the vocabulary's concept: both findings are one item under its name
    assert by_name == {
        ("barrier", "lack of protected time"): (
            "No time to coach.",
            "Champions helped overcome the lack of time.",
        ),
        ("approach", "champions"): ("Champions helped overcome the lack of time.",),
    }
    assert links == [GraphLink("champions", "lack of protected time", "addressed")]
    # one grouped claim per item and case (a resolved item's codes come from its concept, so no
    # coded_as claims), the outcome's claim and the link's claim
    assert claims == 1 + 1 + 1
