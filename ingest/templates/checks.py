"""Validates a loaded template and reports every problem at once, in plain English."""

from __future__ import annotations

import difflib
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from spreadgraph.ingest.templates.loader import Loaded
from spreadgraph.ingest.templates.problems import Problem
from spreadgraph.schema import vocab
from spreadgraph.schema.template import CaseTemplate


def path_of(loc: tuple[Any, ...]) -> str:
    """('barriers', 1, 'cfir') -> 'barriers[2].cfir' (list positions count from 1)."""
    out = ""
    for part in loc:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (empty)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    return type(value).__name__


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that owns the field at `loc` (for listing valid field names)."""
    model: type[BaseModel] = CaseTemplate
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(str(part))
        if info is None:
            return None
        found = None
        for arg in (info.annotation, *get_args(info.annotation)):
            for inner in (arg, *get_args(arg)):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    found = inner
        if found is None:
            return None
        model = found
    return model


def _message(err: dict[str, Any]) -> str:
    kind, value, loc = err["type"], err.get("input"), err["loc"]
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        model = _model_at(loc)
        known = list(model.model_fields) if model else []
        guess = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = f"; did you mean '{guess[0]}'?" if guess else (f" (fields here: {', '.join(known)})")
        return f"'{loc[-1]}' is not a field of the template{hint}"
    if kind == "literal_error":
        allowed = [a.strip("'") for a in err["ctx"]["expected"].replace(" or ", ", ").split(", ")]
        guess = difflib.get_close_matches(str(value).lower(), allowed, n=1, cutoff=0.6)
        hint = f"; did you mean '{guess[0]}'?" if guess else ""
        return f"'{value}' is not allowed here; use one of: {', '.join(allowed)}{hint}"
    if kind in {"string_type", "str_type"}:
        return f"should be text, but is {_kind(value)}"
    if kind in {"list_type"}:
        return f"should be a list (one '- ' line per entry), but is {_kind(value)}"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return f"should be a set of fields (name: value), but is {_kind(value)}"
    if kind in {"bool_type", "bool_parsing"}:
        return f"should be true or false, but is {_kind(value)} ({value!r})"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"should be a whole number, but is {_kind(value)} ({value!r})"
    if kind == "greater_than_equal":
        return f"should be at least {err['ctx']['ge']}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long (at most {err['ctx']['max_length']} characters)"
    if kind == "too_short":
        return "needs at least one entry"
    if kind == "string_pattern_mismatch":
        return f"'{value}' does not have the expected form ({_pattern_hint(loc)})"
    if kind.startswith("date"):
        return f"'{value}' is not a date; write it as YYYY-MM-DD"
    return str(err["msg"])


def _pattern_hint(loc: tuple[Any, ...]) -> str:
    name = str(loc[-1])
    if name == "id":
        return "lower-case letters, digits and hyphens, 3 to 80 characters"
    if name == "link":
        return "a web address starting with http:// or https://"
    return "a date written YYYY, YYYY-MM or YYYY-MM-DD"


def _entries(data: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [(f"{key}[{i}]", item) for i, item in enumerate(value, start=1) if isinstance(item, dict)]


def _text(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def semantic_problems(data: dict[str, Any], model: CaseTemplate | None = None) -> list[tuple[str, str]]:
    """Cross-field rules on the raw data: (path, message) pairs. Tolerates wrong types.

    Unknown CFIR/ERIC codes: those the valid `model` resolved to nothing, or, when the data does not
    validate, those `vocab.coded_fields` cannot resolve in the raw data."""
    found: list[tuple[str, str]] = []
    for coded in model.coded if model is not None else vocab.coded_fields(data):
        if coded.code is None:
            found.append((coded.path, coded.vocabulary.problem(coded.value)))
    for section, _, _ in vocab.CODED_FIELDS:
        seen: dict[str, str] = {}
        for path, item in _entries(data, section):
            name = _text(item, "name")
            if name:
                norm = vocab.normalise(name)
                if norm in seen:
                    found.append((f"{path}.name", f"'{name}' is already listed as {seen[norm]}"))
                seen.setdefault(norm, path)
    names = {
        section: {vocab.normalise(n) for _, item in _entries(data, section) if (n := _text(item, "name"))}
        for section in ("approaches", "barriers")
    }
    for path, link in _entries(data, "links"):
        for key, section in (("approach", "approaches"), ("barrier", "barriers")):
            value = _text(link, key)
            if value and vocab.normalise(value) not in names[section]:
                listed = [n for _, i in _entries(data, section) if (n := _text(i, "name"))]
                guess = difflib.get_close_matches(value, listed, n=1, cutoff=0.6)
                hint = f"; did you mean '{guess[0]}'?" if guess else f"; add it under `{section}` first"
                found.append((f"{path}.{key}", f"'{value}' is not one of the case's {section}{hint}"))
    for path, record in _entries(data, "adoptions"):
        if record.get("status") == "stopped" and not _text(record, "reason"):
            found.append(
                (f"{path}.reason", "say why it stopped: a 'reason' is required when status is 'stopped'")
            )
    sources = data.get("sources")
    count = len(sources) if isinstance(sources, list) else 0
    for path, excerpt in _entries(data, "excerpts"):
        if excerpt.get("de_identified") is False and excerpt.get("consent") is not True:
            found.append(
                (
                    f"{path}.consent",
                    "a quote that is not de-identified needs the speaker's consent "
                    "(consent: true), or leave it out",
                )
            )
        number = excerpt.get("source")
        if isinstance(number, int) and not isinstance(number, bool) and number > count:
            found.append((f"{path}.source", f"there is no source {number}; the case lists {count}"))
    return found


def validate(loaded: Loaded, file: str = "") -> tuple[CaseTemplate | None, list[Problem]]:
    """The template model and every problem found (the model is None when there are problems)."""
    problems: list[tuple[str, str]] = []
    model = None
    try:
        model = CaseTemplate.model_validate(loaded.data)
    except ValidationError as exc:
        problems += [(path_of(e["loc"]), _message(e)) for e in exc.errors(include_url=False)]
    problems += semantic_problems(loaded.data, model)
    out = [Problem(msg, path, loaded.line_of(path), file) for path, msg in problems]
    out.sort(key=lambda p: (p.line or 0, p.path))
    return (None if out else model), out
