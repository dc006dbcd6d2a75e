"""CFIR 2.0 and ERIC names a template may use, with did-you-mean suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spreadgraph.schema.names import normalise_name as normalise
from spreadgraph.schema.taxonomy import load_taxonomies


@dataclass(frozen=True)
class Vocabulary:
    """Lookup from normalised names, aliases and ids to a taxonomy id, plus display names."""

    what: str
    index: dict[str, str]
    names: dict[str, str]  # id -> canonical name
    older: dict[str, tuple[str, ...]] | None = None  # CFIR 2009 name -> CFIR 2.0 names

    def resolve(self, value: str) -> str | None:
        return self.index.get(normalise(value))

    def suggest(self, value: str) -> str | None:
        """The closest canonical name, when one is close enough."""
        key = normalise(value)
        match = difflib.get_close_matches(key, list(self.index), n=1, cutoff=0.6)
        return self.names[self.index[match[0]]] if match else None

    def problem(self, value: str) -> str:
        """Plain-English message for a name that is not in the vocabulary."""
        older = self.older or {}
        key = normalise(value)
        near_old = difflib.get_close_matches(key, list(older), n=1, cutoff=0.85)
        if key in older or (near_old and not self.suggest(value)):
            newer = " or ".join(repr(n) for n in older[key if key in older else near_old[0]])
            return f"'{value}' is a CFIR 2009 name, not a {self.what}; in CFIR 2.0 use {newer}"
        guess = self.suggest(value)
        hint = f"; did you mean '{guess}'?" if guess else f" (see the list of {self.what} names)"
        return f"'{value}' is not {'an' if self.what[0] in 'AEIOU' else 'a'} {self.what}{hint}"


@lru_cache(maxsize=1)
def cfir() -> Vocabulary:
    """CFIR 2.0 constructs and subconstructs, by name, alias, id ('cfir2:II.A') or label ('II.A')."""
    cfir2 = load_taxonomies().cfir2
    index: dict[str, str] = {}
    names: dict[str, str] = {}
    for item in (*cfir2.constructs, *cfir2.subconstructs):
        names[item.id] = item.name
        for key in (item.id, item.id.split(":", 1)[1], item.name, *item.aliases):
            index.setdefault(normalise(key), item.id)
    tax = load_taxonomies()
    older = {
        normalise(c.name): tuple(names[t] for t in tax.cfir_eric.crosswalk.get(c.id, ()) if t in names)
        for c in (*tax.cfir2009.constructs, *tax.cfir2009.subconstructs)
        if normalise(c.name) not in index
    }
    return Vocabulary("CFIR 2.0 construct", index, names, {k: v for k, v in older.items() if v})


@lru_cache(maxsize=1)
def eric() -> Vocabulary:
    """ERIC strategies by name, alias, id ('eric:12') or number ('12')."""
    index: dict[str, str] = {}
    names: dict[str, str] = {}
    for item in load_taxonomies().eric.strategies:
        names[item.id] = item.name
        for key in (item.id, str(item.number), item.name, *item.aliases):
            index.setdefault(normalise(key), item.id)
    return Vocabulary("ERIC strategy", index, names)


#: The template's coded fields: (section, key, vocabulary).
CODED_FIELDS: tuple[tuple[str, str, Callable[[], Vocabulary]], ...] = (
    ("barriers", "cfir", cfir),
    ("enablers", "cfir", cfir),
    ("approaches", "eric", eric),
)


@dataclass(frozen=True)
class CodedField:
    """A CFIR or ERIC name or number a template gives, and the taxonomy id it resolves to."""

    path: str
    value: str
    vocabulary: Vocabulary
    code: str | None


def coded_fields(data: Mapping[str, Any]) -> list[CodedField]:
    """Every code a template's data names, resolved (code None when unknown). Tolerates wrong types,
    so the checks can report codes on data that does not validate."""
    found = []
    for section, key, vocabulary in CODED_FIELDS:
        entries = data.get(section)
        for i, entry in enumerate(entries if isinstance(entries, list) else [], start=1):
            value = entry.get(key) if isinstance(entry, dict) else None
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
                voc = vocabulary()
                found.append(CodedField(f"{section}[{i}].{key}", str(value), voc, voc.resolve(str(value))))
    return found
