"""The concept vocabulary (schema/concepts.yaml) loads, is well formed, and its validation catches mistakes."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from spreadgraph.schema.concepts import (
    CONCEPTS_FILE,
    KINDS,
    Concept,
    ConceptError,
    concept_version,
    concepts_by_id,
    known_codes,
    load_concepts,
    phrase_key,
)

# --- the shipped vocabulary ---------------------------------------------------------------------


def test_the_vocabulary_loads_as_typed_concepts_and_is_cached() -> None:
    concepts = load_concepts()
    assert isinstance(concepts, tuple) and all(isinstance(c, Concept) for c in concepts)
    assert load_concepts() is concepts
    assert load_concepts(CONCEPTS_FILE) is concepts
    assert concepts_by_id()["staff-turnover"].kind == "barrier"


def test_counts_per_kind_are_within_sensible_bounds() -> None:
    counts = Counter(c.kind for c in load_concepts())
    assert set(counts) == set(KINDS)
    assert 60 <= counts["barrier"] <= 200
    assert 45 <= counts["enabler"] <= 160
    assert 40 <= counts["approach"] <= 130
    assert 15 <= counts["outcome"] <= 50
    assert 180 <= sum(counts.values()) <= 520


def test_examples_from_the_issue_are_covered() -> None:
    """Each phrase from issue 18 is the name or a variant of some concept of the expected kind."""
    phrases = {(c.kind, phrase_key(p)) for c in load_concepts() for p in c.phrasings()}
    expected = {
        "barrier": [
            "staff turnover",
            "lack of protected time",
            "competing priorities",
            "IT system incompatibility",
            "patient reluctance",
            "evaluation data burden",
        ],
        "enabler": ["clinical champions", "backfill funding", "leadership support", "protected time"],
        "approach": [
            "peer coaching",
            "learning collaborative",
            "local adaptation",
            "train-the-trainer",
            "audit and feedback",
            "facilitation",
            "phased roll-out",
            "co-design with patients",
            "dedicated project management",
            "pilot",
            "implementation toolkit",
            "mandating adoption",
        ],
        "outcome": [
            "sustained adoption",
            "scale-up to other sites",
            "adoption",
            "reach",
            "fidelity",
            "abandonment",
            "cost savings",
            "patient experience",
            "staff experience",
            "clinical outcomes",
        ],
    }
    missing = [(k, p) for k, ps in expected.items() for p in ps if (k, phrase_key(p)) not in phrases]
    assert not missing


def test_every_concept_is_well_formed() -> None:
    problems = []
    for c in load_concepts():
        if not 1 <= len(c.name.split()) <= 5:
            problems.append(f"{c.id}: name should be 1-5 words")
        if not 5 <= len(c.variants) <= 12:
            problems.append(f"{c.id}: {len(c.variants)} variants (want 5-12)")
        if len(set(c.variants)) != len(c.variants) or c.name in c.variants:
            problems.append(f"{c.id}: a variant repeats the name or another variant")
        if not (c.definition[0].isupper() and c.definition.endswith(".")) or re.search(
            r"\.\s+[A-Z]", c.definition
        ):
            problems.append(f"{c.id}: definition should be one sentence")
        if c.kind != "outcome" and not c.codes:
            problems.append(f"{c.id}: a {c.kind} needs at least one code")
        if c.kind in ("barrier", "enabler") and not any(code.startswith("cfir2:") for code in c.codes):
            problems.append(f"{c.id}: a {c.kind} should carry a CFIR 2.0 code")
    assert not problems, "\n".join(problems)


def test_approaches_normally_carry_eric_codes() -> None:
    approaches = [c for c in load_concepts() if c.kind == "approach"]
    without = [c.id for c in approaches if not any(code.startswith("eric:") for code in c.codes)]
    assert len(without) <= len(approaches) // 10, without


def test_codes_span_all_three_frameworks() -> None:
    used = {code for c in load_concepts() for code in c.codes}
    assert used <= known_codes()
    assert len({c for c in used if c.startswith("cfir2:")}) >= 40
    assert len({c for c in used if c.startswith("eric:")}) >= 50
    assert {c for c in used if c.startswith("nasss:")} == {f"nasss:{n}" for n in range(1, 8)}


def test_opposites_mirror_barriers_and_enablers_both_ways() -> None:
    by_id = concepts_by_id()
    paired = [c for c in by_id.values() if c.opposite]
    assert len(paired) >= 40
    for c in paired:
        other = by_id[c.opposite]
        assert other.opposite == c.id
        if c.kind == "barrier":
            assert other.kind == "enabler", c.id
        elif c.kind == "enabler":
            assert other.kind == "barrier", c.id
        else:
            assert c.kind == other.kind == "outcome", c.id


def test_concept_version_is_a_short_hash_of_the_file(tmp_path: Path) -> None:
    version = concept_version()
    assert re.fullmatch(r"[0-9a-f]{16}", version)
    assert concept_version(CONCEPTS_FILE) == version
    copy = tmp_path / "concepts.yaml"
    copy.write_bytes(CONCEPTS_FILE.read_bytes())
    assert concept_version(copy) == version
    copy.write_bytes(CONCEPTS_FILE.read_bytes() + b"\n# edited\n")
    assert concept_version(copy) != version


# --- normalisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Organisational readiness", "organizational  readiness"),
        ("Behavioural change", "behavioral change"),
        ("prioritisation", "Prioritization"),
        ("train-the-trainer", "Train the trainer"),
        ("patients' reluctance", "patients reluctance"),
        ("A&E", "a and e"),
        ("analyse data", "analyze data"),
        ("programme", "program"),
        ("lack of protected time.", "Lack of protected time"),
    ],
)
def test_normalise_name_unifies_spelling_case_and_punctuation(a: str, b: str) -> None:
    assert phrase_key(a) == phrase_key(b)


@pytest.mark.parametrize(
    "word", ["exercise", "expertise", "promise", "hour", "tour", "four", "advise", "premises"]
)
def test_normalise_name_leaves_words_that_only_look_british(word: str) -> None:
    assert phrase_key(word) == word


# --- validation of invalid files ----------------------------------------------------------------


def concept(id: str, kind: str = "barrier", **extra: object) -> dict:
    base = {
        "id": id,
        "kind": kind,
        "name": id.replace("-", " "),
        "definition": f"A test {kind}.",
        "variants": [f"{id} one", f"{id} two"],
        "codes": ["cfir2:III.J"] if kind != "approach" else ["eric:33"],
    }
    return base | extra


def write(tmp_path: Path, *concepts: dict) -> Path:
    path = tmp_path / "concepts.yaml"
    path.write_text(yaml.safe_dump({"concepts": list(concepts)}, sort_keys=False), encoding="utf-8")
    return path


def test_a_small_valid_file_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        concept("no-time", opposite="time"),
        concept("time", "enabler", opposite="no-time"),
        concept("coaching", "approach"),
        concept("kept-going", "outcome", codes=[]),
    )
    loaded = load_concepts(path)
    assert [c.id for c in loaded] == ["no-time", "time", "coaching", "kept-going"]
    assert load_concepts(str(path)) is loaded


def test_a_duplicate_id_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, concept("staff-turnover"), concept("staff-turnover", "enabler", name="other"))
    with pytest.raises(ConceptError, match="duplicate id 'staff-turnover'"):
        load_concepts(path)


def test_an_unknown_code_is_rejected_with_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, concept("a", codes=["cfir2:III.Z"]), concept("b", codes=["eric:333"]))
    with pytest.raises(ConceptError, match=re.escape("unknown code 'cfir2:III.Z'")) as caught:
        load_concepts(path)
    assert "unknown code 'eric:333'" in str(caught.value)
    assert "did you mean" in str(caught.value)


def test_a_variant_shared_by_two_concepts_of_one_kind_is_rejected(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        concept("a", variants=["no protected time", "x one"]),
        concept("b", variants=["No  protected-time", "y one"]),
    )
    with pytest.raises(ConceptError, match="'no protected time' is shared by barriers 'a', 'b'"):
        load_concepts(path)


def test_a_variant_may_not_repeat_another_concepts_name(tmp_path: Path) -> None:
    path = write(tmp_path, concept("staff-turnover"), concept("b", variants=["staff turnover", "b one"]))
    with pytest.raises(ConceptError, match="shared by barriers"):
        load_concepts(path)


def test_a_phrase_may_be_shared_across_kinds(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        concept("peer-coaching", "approach", variants=["coaching by peers", "peer mentoring"]),
        concept("peer-coaching-in-place", "enabler", variants=["coaching by peers", "peer mentoring"]),
    )
    assert len(load_concepts(path)) == 2


def test_a_duplicate_name_within_a_kind_is_rejected_after_normalisation(tmp_path: Path) -> None:
    path = write(
        tmp_path, concept("a", name="organisational readiness"), concept("b", name="Organizational Readiness")
    )
    with pytest.raises(ConceptError, match="'b' has the same name as 'a'"):
        load_concepts(path)


@pytest.mark.parametrize(
    ("concepts", "message"),
    [
        ([concept("a", opposite="missing")], "unknown opposite 'missing'"),
        ([concept("a", opposite="b"), concept("b", opposite="a")], "of kind barrier; expected enabler"),
        ([concept("a", opposite="b"), concept("b", "enabler")], "does not point back"),
        ([concept("a", opposite="a")], "its own opposite"),
        (
            [concept("a", "approach", opposite="b"), concept("b", "approach", opposite="a")],
            "cannot have an opposite",
        ),
    ],
    ids=["unknown", "same-kind", "one-way", "self", "approach"],
)
def test_a_bad_opposite_is_rejected(tmp_path: Path, concepts: list[dict], message: str) -> None:
    with pytest.raises(ConceptError, match=message):
        load_concepts(write(tmp_path, *concepts))


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (concept("a", kind="lesson"), "kind"),
        (concept("Not A Slug"), "id"),
        (concept("a", surprise=1), "surprise"),
        (concept("a", variants=["ok", " "]), "variants"),
        ({"id": "a", "kind": "barrier"}, "name"),
    ],
    ids=["kind", "slug", "extra-field", "blank-variant", "missing-fields"],
)
def test_malformed_entries_are_reported_by_concept(tmp_path: Path, item: dict, message: str) -> None:
    with pytest.raises(ConceptError, match=message):
        load_concepts(write(tmp_path, item))


def test_a_file_without_a_concepts_list_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "concepts.yaml"
    path.write_text("- id: a\n", encoding="utf-8")
    with pytest.raises(ConceptError, match="top-level 'concepts:' list"):
        load_concepts(path)
    path.write_text("concepts: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConceptError, match="not valid YAML"):
        load_concepts(path)


def test_concept_error_is_a_value_error_listing_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, concept("a", codes=["nope"]), concept("a"))
    with pytest.raises(ValueError) as caught:
        load_concepts(path)
    assert isinstance(caught.value, ConceptError)
    assert len(caught.value.problems) == 2
