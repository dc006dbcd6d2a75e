"""Polarity cues and naming on sentences written for these tests."""

from __future__ import annotations

import pytest
from spreadgraph.ingest.extraction.cues import cue_scores, document_damping
from spreadgraph.ingest.extraction.naming import derive_name, trim_phrase


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("The lack of protected time for nurses got in the way of screening.", "barrier"),
        ("Rota gaps made it difficult to release anyone for the course.", "barrier"),
        ("Some consultants were sceptical and reluctant to refer.", "barrier"),
        ("Having a respected clinical lead helped win over doubtful colleagues.", "enabler"),
        ("Strong backing from the board was key to keeping the clinic open.", "enabler"),
        ("We introduced a weekly huddle for ward managers.", "approach"),
        ("A peer mentoring scheme was set up in the second year.", "approach"),
        ("The clinic led to fewer repeat admissions after six months.", "outcome"),
        ("In hindsight, we should have involved pharmacists from the start.", "lesson"),
    ],
)
def test_cue_kind(text: str, kind: str) -> None:
    assert cue_scores(text).best() == kind


def test_negated_help_counts_as_barrier() -> None:
    hits = cue_scores("It did not help that the referral form changed twice.")
    assert hits.scores["barrier"] > 0.5
    assert hits.scores["enabler"] == 0.0


def test_lack_of_support_is_not_an_enabler() -> None:
    hits = cue_scores("There was little support from the practice managers.")
    assert hits.scores["barrier"] > hits.scores["enabler"]


def test_no_cue_scores_zero() -> None:
    assert cue_scores("The building is next to the railway station.").best() is None


def test_document_damping_scales_topic_words() -> None:
    texts = [f"The training ran on day {i}." for i in range(40)] + ["Parking was a barrier."]
    damping = document_damping(texts, max_share=0.1)
    frequent = [v for (kind, _), v in damping.items() if kind == "approach"]
    assert frequent and max(frequent) < 0.15
    assert damping[("barrier", 0)] == 1.0
    assert cue_scores(texts[0], damping).scores["approach"] < cue_scores(texts[0]).scores["approach"]


@pytest.mark.parametrize(
    ("kind", "text", "name"),
    [
        (
            "barrier",
            "The lack of protected time for nurses was a recurring complaint.",
            "lack of protected time",
        ),
        ("barrier", "Staff turnover was a major barrier in the clinic.", "staff turnover"),
        (
            "enabler",
            "Having a respected clinical lead helped win over colleagues.",
            "respected clinical lead",
        ),
        ("approach", "The trust introduced a weekly huddle for ward managers.", "weekly huddle"),
        ("approach", "A peer mentoring scheme was set up in the second year.", "peer mentoring scheme"),
        ("outcome", "The scheme led to fewer missed appointments.", "fewer missed appointments"),
    ],
)
def test_derive_name(kind: str, text: str, name: str) -> None:
    assert derive_name(kind, text) == name


def test_name_falls_back_to_the_opening_phrase_never_a_taxonomy_label() -> None:
    text = "Everyone kept asking about the parking arrangements at the new site every week."
    name = derive_name("lesson", text)
    assert name.startswith("everyone kept asking") and len(name.split()) <= 6


def test_trim_phrase_drops_function_words() -> None:
    assert trim_phrase("the new rota and") == "new rota"


def test_prototypes_and_test_fixtures_share_no_12_word_run_with_the_corpus() -> None:
    """The extractor's own texts (prototypes, fixtures) are written for this project."""
    import re
    from pathlib import Path

    import pytest
    from spreadgraph.ingest.extraction.anchors import PROTOTYPES

    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    if not corpus.is_dir():
        pytest.skip(f"{corpus} is absent: the shared corpus is not beside this clone")

    def runs(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z0-9']+", text.lower())
        return {tuple(words[i : i + 12]) for i in range(len(words) - 11)}

    corpus_runs: set[tuple[str, ...]] = set()
    for path in corpus.glob("*.txt"):
        corpus_runs |= runs(path.read_text(encoding="utf-8"))
    ours = " . ".join(t for texts in PROTOTYPES.values() for t in texts)
    here = Path(__file__).parent
    for path in [*here.glob("test_extraction_*.py"), *here.glob("test_documents_*.py")]:
        ours += " . " + path.read_text(encoding="utf-8")
    assert not runs(ours) & corpus_runs
