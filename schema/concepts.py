"""The concept vocabulary: plain-language barriers, enablers, approaches and outcome kinds, as typed data.

The concepts live in `schema/concepts.yaml` (human-edited). Each has a stable `id`, a `kind`, a short
canonical `name`, a one-sentence `definition`, `variants` (other phrasings, for lexical matching),
`codes` (CFIR 2.0 construct, ERIC strategy and NASSS domain ids from `schema/taxonomies/`) and,
for a barrier or enabler with a natural mirror, the `opposite` concept's id.

`load_concepts()` validates the whole file: unique ids, one concept per (kind, normalised name),
no phrasing (name or variant) shared by two concepts of one kind, every code known to the
taxonomies, and opposites that exist, are of the mirrored kind and point back.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from spreadgraph.schema.taxonomy import load_taxonomies

CONCEPTS_FILE = Path(__file__).resolve().parent / "concepts.yaml"

Kind = Literal["barrier", "enabler", "approach", "outcome"]
KINDS: tuple[str, ...] = ("barrier", "enabler", "approach", "outcome")
# The kind an `opposite` must have; approaches have no opposite.
MIRROR: dict[str, str] = {"barrier": "enabler", "enabler": "barrier", "outcome": "outcome"}

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class ConceptError(ValueError):
    """The concept file is malformed or inconsistent; the message lists every problem found."""

    def __init__(self, problems: Iterable[str], path: Path | None = None) -> None:
        self.problems = tuple(problems)
        where = f"{path}: " if path else ""
        super().__init__(where + "; ".join(self.problems))


class Concept(BaseModel):
    """One plain-language concept of the vocabulary."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=SLUG, max_length=80)
    kind: Kind
    name: str = Field(min_length=1, max_length=80)
    definition: str = Field(min_length=1)
    variants: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    opposite: str | None = Field(default=None, pattern=SLUG)

    @field_validator("variants", "codes")
    @classmethod
    def _no_blank_items(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        stripped = tuple(v.strip() for v in values)
        if any(not v for v in stripped):
            raise ValueError("must not contain empty strings")
        return stripped

    def phrasings(self) -> tuple[str, ...]:
        """The name and every variant, each once, in file order."""
        return tuple(dict.fromkeys((self.name, *self.variants)))


# --- name normalisation -------------------------------------------------------------------------

# Words ending in -ise / -our whose ending is not a British spelling of -ize / -or.
_ISE_WORDS = frozenset(
    """advise advertise anise apprise arise chastise circumcise clockwise comprise compromise concise
    crise cruise demise despise devise disguise enfranchise enterprise excise exercise expertise
    franchise guise improvise incise likewise merchandise mortise noise otherwise paradise poise
    praise precise premise promise raise reprise revise rise supervise surmise surprise televise
    treatise valise wise""".split()  # noqa: SIM905
)
_OUR_WORDS = frozenset(
    "amour contour devour detour dour flour glamour paramour scour troubadour velour".split()  # noqa: SIM905
)
_ISE = re.compile(r"^(\w{2,})is(e|es|ed|ing|er|ers|ation|ations|ational|able)$")
_YSE = re.compile(r"^(\w{2,})ys(e|es|ed|ing|er|ers)$")
_OUR = re.compile(r"^(\w{2,})our(|s|ed|ing|al|ally|able|ably|ite|ites|ist|ists|less|er|ers)$")
# Other common British/American pairs in health-service writing (whole words).
_WORDS = {
    "programme": "program",
    "programmes": "programs",
    "centre": "center",
    "centres": "centers",
    "centred": "centered",
    "practise": "practice",
    "practised": "practiced",
    "practising": "practicing",
    "licence": "license",
    "licences": "licenses",
    "judgement": "judgment",
    "enrolment": "enrollment",
    "enrol": "enroll",
    "paediatric": "pediatric",
    "paediatrics": "pediatrics",
    "sceptic": "skeptic",
    "sceptical": "skeptical",
    "scepticism": "skepticism",
    "modelling": "modeling",
    "labelled": "labeled",
    "travelling": "traveling",
    "cancelled": "canceled",
    "counselling": "counseling",
    "fulfil": "fulfill",
}


def _american(word: str) -> str:
    if word in _WORDS:
        return _WORDS[word]
    match = _ISE.match(word)
    if match and match.group(1) + "ise" not in _ISE_WORDS:
        return f"{match.group(1)}iz{match.group(2)}"
    match = _YSE.match(word)
    if match:
        return f"{match.group(1)}yz{match.group(2)}"
    match = _OUR.match(word)
    if match and match.group(1) + "our" not in _OUR_WORDS:
        return f"{match.group(1)}or{match.group(2)}"
    return word


def phrase_key(text: str) -> str:
    """Identity key for a phrasing: case-folded, punctuation removed, whitespace collapsed, and
    British and American spellings unified (-ise/-ize, -yse/-yze, -our/-or and a few whole words)."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    text = re.sub(r"['’‘`]", "", text)  # apostrophes join: "patients'" -> "patients"
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(_american(word) for word in text.split())


# --- loading and validation ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def known_codes() -> frozenset[str]:
    """Every code a concept may carry: CFIR 2.0 constructs and subconstructs, ERIC strategies and
    NASSS domains (the taxonomy nodes the graph holds)."""
    tax = load_taxonomies()
    return frozenset(
        item.id
        for item in (
            *tax.cfir2.constructs,
            *tax.cfir2.subconstructs,
            *tax.eric.strategies,
            *tax.nasss.domains,
        )
    )


def _parse(path: Path) -> list[Concept]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConceptError([f"not valid YAML: {error}"], path) from error
    items = raw.get("concepts") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise ConceptError(["expected a top-level 'concepts:' list"], path)
    concepts: list[Concept] = []
    problems: list[str] = []
    for number, item in enumerate(items, start=1):
        label = item.get("id", f"#{number}") if isinstance(item, dict) else f"#{number}"
        try:
            concepts.append(Concept.model_validate(item))
        except ValidationError as error:
            for detail in error.errors():
                where = ".".join(str(part) for part in detail["loc"]) or "concept"
                problems.append(f"concept {label}: {where}: {detail['msg']}")
    if problems:
        raise ConceptError(problems, path)
    return concepts


def validate_concepts(concepts: Iterable[Concept], codes: frozenset[str] | None = None) -> list[str]:
    """Every consistency problem across the concepts (an empty list when there is none)."""
    concepts = list(concepts)
    codes = known_codes() if codes is None else codes
    problems: list[str] = []
    by_id: dict[str, Concept] = {}
    names: dict[tuple[str, str], str] = {}
    phrasings: dict[tuple[str, str], str] = {}
    for concept in concepts:
        if concept.id in by_id:
            problems.append(f"duplicate id '{concept.id}'")
            continue
        by_id[concept.id] = concept
        name_key = (concept.kind, phrase_key(concept.name))
        same_name = names.setdefault(name_key, concept.id)
        if same_name != concept.id:
            problems.append(f"{concept.kind} '{concept.id}' has the same name as '{same_name}'")
        for phrase in dict.fromkeys(phrase_key(p) for p in concept.phrasings()):
            owner = phrasings.setdefault((concept.kind, phrase), concept.id)
            if owner != concept.id and not (same_name != concept.id and phrase == name_key[1]):
                problems.append(f"variant '{phrase}' is shared by {concept.kind}s '{owner}', '{concept.id}'")
        for code in concept.codes:
            if code not in codes:
                near = difflib.get_close_matches(code, sorted(codes), n=1, cutoff=0.7)
                hint = f"; did you mean '{near[0]}'?" if near else ""
                problems.append(f"concept '{concept.id}' has an unknown code '{code}'{hint}")
        if len(set(concept.codes)) != len(concept.codes):
            problems.append(f"concept '{concept.id}' lists a code twice")
    for concept in by_id.values():
        if concept.opposite is None:
            continue
        other = by_id.get(concept.opposite)
        mirror = MIRROR.get(concept.kind)
        if mirror is None:
            problems.append(f"{concept.kind} '{concept.id}' cannot have an opposite")
        elif other is None:
            problems.append(f"concept '{concept.id}' has an unknown opposite '{concept.opposite}'")
        elif other.id == concept.id:
            problems.append(f"concept '{concept.id}' is its own opposite")
        elif other.kind != mirror:
            problems.append(
                f"'{concept.id}' has opposite '{other.id}' of kind {other.kind}; expected {mirror}"
            )
        elif other.opposite != concept.id:
            problems.append(f"'{concept.id}' has opposite '{other.id}' but '{other.id}' does not point back")
    return problems


@lru_cache(maxsize=8)
def _load(path: Path) -> tuple[Concept, ...]:
    concepts = _parse(path)
    problems = validate_concepts(concepts)
    if problems:
        raise ConceptError(problems, path)
    return tuple(concepts)


def load_concepts(path: Path | str | None = None) -> tuple[Concept, ...]:
    """Read and validate the concept file (default `schema/concepts.yaml`); cached per path.

    Raises ConceptError (a ValueError) listing every problem when the file is invalid."""
    return _load(Path(path).resolve() if path is not None else CONCEPTS_FILE)


def concepts_by_id(path: Path | str | None = None) -> dict[str, Concept]:
    """The concepts keyed by id."""
    return {concept.id: concept for concept in load_concepts(path)}


def concept_version(path: Path | str | None = None) -> str:
    """A short sha256 of the concept file's bytes, so a migration knows when to reload it."""
    data = Path(path if path is not None else CONCEPTS_FILE).read_bytes()
    return hashlib.sha256(data).hexdigest()[:16]


@lru_cache(maxsize=8)
def _phrasing_index(path: Path) -> dict[tuple[str, str], Concept]:
    index: dict[tuple[str, str], Concept] = {}
    for concept in _load(path):
        for phrasing in concept.phrasings():
            index.setdefault((concept.kind, phrase_key(phrasing)), concept)
    return index


def concept_for(kind: str, name: str, path: Path | str | None = None) -> Concept | None:
    """The concept of `kind` whose name or a variant is `name` (after `phrase_key`), if any."""
    resolved = Path(path).resolve() if path is not None else CONCEPTS_FILE
    return _phrasing_index(resolved).get((kind, phrase_key(name)))
