"""Unit tests for the relevance scorer (bench/scoring.py) and the floor's pure helpers."""

from __future__ import annotations

import pytest

from bench.relevance import (
    Outcome,
    Passage,
    api_result,
    compare,
    floor_tokens,
    lucene_escape,
    rrf,
    split_paragraphs,
)
from bench.scoring import (
    aggregate,
    best_window_lcs,
    first_hit_rank,
    is_hit,
    lcs_length,
    normalise,
    same_file,
    snippet_covered,
    window_size,
    words,
)


def test_normalise_folds_quotes_emphasis_case_and_spaces() -> None:
    assert normalise("  The  \u201cBIG\u201d\n\tplan\u2019s ") == 'the "big" plan\'s'
    assert normalise("a **bold** and _slanted_ ~~gone~~ word") == "a bold and slanted gone word"
    assert normalise("`tick`") == "'tick'"


def test_words_split_on_punctuation_and_markup() -> None:
    assert words("Rota-based  'cover'.") == ["rota", "based", "cover"]
    assert words("\u2018cover\u2019") == words('"cover"') == ["cover"]
    assert words("***Alpha***Beta") == ["alpha", "beta"]
    assert words("caf\u00e9 2024") == ["caf\u00e9", "2024"]
    assert words("...!!") == []


def test_lcs_length() -> None:
    assert lcs_length(list("abcde"), list("axbyd")) == 3
    assert lcs_length([], ["a"]) == 0
    assert lcs_length(["a", "b"], ["b", "a"]) == 1
    assert lcs_length(["x"] * 3, ["x"] * 5) == 3


def test_sixty_percent_threshold_is_inclusive() -> None:
    gold = "one two three four five"  # 5 words: 3 needed
    assert snippet_covered(gold, "one and two then five")
    assert not snippet_covered(gold, "one and five only")
    # 3 words: 1.8 rounds up to 2 needed
    assert snippet_covered("red green blue", "we saw red then blue")
    assert not snippet_covered("red green blue", "just green here")


def test_order_matters() -> None:
    gold = "first second third fourth fifth"
    assert not snippet_covered(gold, "fifth fourth third second first")
    assert snippet_covered(gold, "second third fourth")


def test_match_tolerates_case_quotes_markup_and_a_page_break() -> None:
    gold = "the rota team were 'rebuilding' trust in the clinic"
    evidence = "Meanwhile THE **rota** team were\n\n\u201crebuilding\u201d trust in [4] the clinic."
    assert snippet_covered(gold, evidence)


def test_words_must_lie_in_one_window() -> None:
    gold = "alpha beta gamma"  # window of 13 evidence words
    assert window_size(3) == 13
    near = "alpha " + "pad " * 5 + "beta"
    far = "alpha " + "pad " * 40 + "beta"
    assert snippet_covered(gold, near)
    assert not snippet_covered(gold, far)
    assert best_window_lcs(["a", "b"], ["a", *["z"] * 50, "a", "b"]) == 2


def test_empty_gold_or_evidence_never_matches() -> None:
    assert not snippet_covered("", "anything at all")
    assert not snippet_covered("** ''", "anything at all")
    assert not snippet_covered("some words", "")


def test_same_file_compares_base_names() -> None:
    assert same_file("/data/corpus/007_x.txt", "007_x.txt")
    assert not same_file("007_x.txt", "008_x.txt")


def test_is_hit_needs_right_file_and_any_gold() -> None:
    gold = ["nothing like this", "weekly huddles kept the pilot alive"]
    text = "In the end the weekly huddles kept our pilot alive."
    assert is_hit("a.txt", text, "a.txt", gold)
    assert not is_hit("b.txt", text, "a.txt", gold)
    assert not is_hit("a.txt", text, "a.txt", [])


def test_first_hit_rank_respects_k() -> None:
    good = ("f.txt", "the budget was never spent on cover")
    bad = ("f.txt", "unrelated words entirely")
    other = ("g.txt", good[1])
    gold = ["budget was never spent on cover"]
    assert first_hit_rank([bad, other, good], "f.txt", gold, k=5) == 3
    assert first_hit_rank([bad, other, good], "f.txt", gold, k=2) is None
    assert first_hit_rank([], "f.txt", gold) is None


def test_aggregate_metrics() -> None:
    scores = aggregate({"q1": 1, "q2": 2, "q3": None, "q4": 4}, k=5)
    assert scores.hit_at_1 == pytest.approx(0.25)
    assert scores.hit_at_k == pytest.approx(0.75)
    assert scores.mrr == pytest.approx((1 + 0.5 + 0.25) / 4)
    assert scores.as_dict()["hit@5"] == pytest.approx(0.75)
    assert aggregate({}, k=5).mrr == 0.0
    # a rank beyond k does not count
    assert aggregate({"q": 7}, k=5).hit_at_k == 0.0


def test_split_paragraphs_keeps_spans() -> None:
    text = "Alpha line\nstill alpha\n\n  \n\nBeta para  \n \nGamma"
    parts = split_paragraphs("t.txt", text)
    assert [p.text for p in parts] == ["Alpha line\nstill alpha", "Beta para", "Gamma"]
    for part in parts:
        assert text[part.start : part.end] == part.text
    assert split_paragraphs("t.txt", "\n\n  \n") == []
    assert isinstance(parts[0], Passage)


def test_floor_tokens_drop_function_words() -> None:
    assert floor_tokens("How did THE coaches help the clinics?") == ["coaches", "help", "clinics"]


def test_rrf_prefers_items_found_by_both() -> None:
    fused = rrf([[1, 2, 3], [4, 1, 5]], k=60)
    assert fused[1] > fused[4] > fused[2] > fused[3]
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    weighted = rrf([[1], [2]], k=60, weights=[1.0, 2.0])
    assert weighted[2] == pytest.approx(2 * weighted[1])


def test_api_result_mapping() -> None:
    item = {
        "kind": "barrier",
        "score": 0.4,
        "name": "Lack of time",
        "text": "staff had no protected time",
        "source": {"file_name": "/data/001_x.txt", "start": 10, "end": 37},
    }
    result = api_result(item)
    assert (result.file, result.text, result.start, result.end) == ("001_x.txt", item["text"], 10, 37)
    # no evidence text: the name is never scored, so the result cannot be a hit
    bare = api_result({**item, "text": None})
    assert bare.text == "" and not is_hit(bare.file, bare.text, "001_x.txt", ["Lack of time"])
    # a case-template source has no corpus file: never a hit
    template = api_result({**item, "source": {"file_name": None, "template_id": "demo"}})
    assert template.file == "" and not is_hit(template.file, template.text, "001_x.txt", [item["text"]])
    assert api_result({"kind": "case", "score": 1.0, "text": "t", "source": None}).file == ""
    # a coded-export quote names the export, not the report; the diagnostic credits its section
    coded = {**item, "section": "001_x.txt", "source": {"file_name": "coded.csv", "kind": "coded_export"}}
    assert api_result(coded).file == "coded.csv"
    assert api_result(coded, credit_section=True).file == "001_x.txt"


def test_lucene_escape() -> None:
    assert lucene_escape("a clear how-to?") == "a clear how\\-to\\?"
    assert lucene_escape("(x) && y: z/w") == "\\(x\\) \\&& y\\: z\\/w"
    assert lucene_escape("plain words") == "plain words"


def test_compare_ratio_and_difference() -> None:
    system = Outcome("s", aggregate({"a": 1, "b": 2}, k=5), 0.0)  # MRR 0.75
    floor = Outcome("f", aggregate({"a": 2, "b": None}, k=5), 0.0)  # MRR 0.25
    comparison = compare(system, floor)
    assert comparison.ratio == pytest.approx(3.0) and comparison.difference == pytest.approx(0.5)
    zero = Outcome("z", aggregate({"a": None}, k=5), 0.0)
    assert compare(system, zero).ratio is None
    assert compare(system, None) is None


def test_what_worked_case_matching_rules() -> None:
    import math

    from bench.what_worked import CaseSources, GoldCase, Similarity, case_query, is_gold_case, score_case

    def encode(texts: list[str]) -> list[list[float]]:  # a stand-in for MiniLM: one-hot by first word
        vocab = ["alpha", "beta", "report", "other"]
        out = []
        for text in texts:
            first = text.lower().split()[0].strip(":.")
            vector = [1.0 if first == w else 0.0 for w in vocab] or [0.0]
            norm = math.sqrt(sum(x * x for x in vector)) or 1.0
            out.append([x / norm for x in vector])
        return out

    sim = Similarity(encode)
    gold = GoldCase("002_x.txt", "report on things", "alpha project", "alpha tool", "q", ("beta step",))
    assert case_query({"innovation": {"name": "n", "description": "d."}, "contexts": [{"setting": "s"}]}) == (
        "n: d. Context: s."
    )
    from_file = CaseSources(("002_x.txt",), ())
    cited = CaseSources((), ("report (2014) cited",))
    elsewhere = CaseSources(("001_y.txt",), ())
    case = {"id": "c", "title": "alpha thing", "innovation": {"name": "other"}}
    assert is_gold_case(case, from_file, gold, sim)
    assert is_gold_case(case, cited, gold, sim)
    assert not is_gold_case(case, elsewhere, gold, sim)
    assert not is_gold_case({**case, "title": "other"}, from_file, gold, sim)
    answer = {"cases": [{"id": "x", "title": "other"}, case], "approaches": [{"name": "beta thing"}]}
    outcome = score_case(gold, answer, {"c": from_file, "x": from_file}, sim)
    assert outcome.case_rank == 2 and outcome.recall == 1.0
