"""The case form's parts and inputs, derived from the template model (`schema.template.CaseTemplate`).

Which fields exist, their input kind, options and whether they are required all come from the
model, so the form cannot drift from the template: a new template field is a new input. Only
presentation is declared here: labels that read better than the field name, part titles and the
name of one row ("barrier 2").

Input kinds: a `Literal` is a select; a bool is a checkbox (a yes/no choice when the template
requires an answer); an int is a number; a date is a date; a list of names is one per line; long
text (the template's `Text`, over 200 characters allowed, with no pattern) is a textarea; anything
else is text.
"""

from __future__ import annotations

import datetime as dt
import types
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from spreadgraph.schema.template import CaseTemplate

#: Fields the form never shows (the form always writes the current template version).
HIDDEN = frozenset({"template_version"})
#: Labels that read better than the field name, by field name or by `part.field`.
LABELS = {
    "id": "Case id",
    "review_by": "Check again by",
    "aliases": "Other names",
    "eric": "ERIC strategy",
    "cfir": "CFIR 2.0 construct",
    "adoptions.reason": "Why it stopped",
    "outcomes.evidence": "Strength of evidence",
    "excerpts.speaker_role": "Speaker's role",
    "excerpts.de_identified": "The speaker cannot be identified",
    "excerpts.consent": "The speaker agreed to the quote being shared",
    "excerpts.paraphrase": "This is a paraphrase, not verbatim",
    "excerpts.source": "Source number",
    "excerpts.section": "Section of that source",
    "sources.section": "Sections drawn on",
    "contributor.name": "Your name",
    "lessons": "Lesson",
}
#: Part titles and the name of one row, where the field name does not say it.
PART_TITLES = {
    "": "The case",
    "adoptions": "Adoption by site",
    "links": "Links between approaches and barriers",
    "excerpts": "Quotes",
    "contributor": "About you",
}
ROW_NAMES = {
    "contexts": "context",
    "adoptions": "site",
    "approaches": "approach",
    "barriers": "barrier",
    "enablers": "enabler",
    "links": "link",
    "outcomes": "outcome",
    "lessons": "lesson",
    "excerpts": "quote",
    "sources": "source",
}
LONG_TEXT = 200  # a text field allowing more characters than this is a textarea


@dataclass(frozen=True)
class Spec:
    """One input: `kind` is text | textarea | select | date | lines | yesno | checkbox | number."""

    key: str
    label: str
    kind: str = "text"
    options: tuple[str, ...] = ()
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class Part:
    """A group of inputs: the case itself (key ''), one nested part, or repeatable rows."""

    key: str
    title: str
    specs: tuple[Spec, ...]
    repeat: bool = False
    min_rows: int = 1
    help: str = ""
    row_name: str = "entry"


def _optional_inner(annotation: Any) -> Any:
    """`X` for `X | None`, else the annotation itself."""
    if get_origin(annotation) in (Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        if len(inner) == 1:
            return inner[0]
    return annotation


def _unannotated(annotation: Any) -> tuple[Any, list[Any]]:
    """The bare type of an `Annotated[...]` and its metadata."""
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        return base, metadata
    return annotation, []


def _max_length(metadata: list[Any]) -> int | None:
    return next((m.max_length for m in metadata if getattr(m, "max_length", None)), None)


def input_kind(field: FieldInfo) -> tuple[str, tuple[str, ...]]:
    """(kind, options) of the input for a template field."""
    bare, metadata = _unannotated(_optional_inner(field.annotation))
    metadata = [*field.metadata, *metadata]
    if get_origin(bare) is Literal:
        return "select", tuple(str(a) for a in get_args(bare))
    if bare is bool:
        return ("yesno" if field.is_required() else "checkbox"), ()
    if bare is int:
        return "number", ()
    if bare is dt.date:
        return "date", ()
    if get_origin(bare) is list:
        return "lines", ()
    if any(getattr(m, "pattern", None) for m in metadata):  # a link, a case id: one line
        return "text", ()
    return ("textarea" if (_max_length(metadata) or 0) > LONG_TEXT else "text"), ()


def _label(part: str, name: str) -> str:
    return LABELS.get(f"{part}.{name}") or LABELS.get(name) or name.replace("_", " ").capitalize()


def _spec(part: str, name: str, field: FieldInfo, required: bool) -> Spec:
    kind, options = input_kind(field)
    return Spec(name, _label(part, name), kind, options, required, field.description or "")


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(the part model, repeated?) of a field holding a nested part or a list of parts."""
    inner = _optional_inner(annotation)
    repeated = get_origin(inner) is list
    item = get_args(inner)[0] if repeated else inner
    item = _unannotated(item)[0]
    return (item if isinstance(item, type) and issubclass(item, BaseModel) else None), repeated


def parts_from(model: type[BaseModel] = CaseTemplate) -> tuple[Part, ...]:
    """The form's parts: the case's own fields first (required ones first), then each nested part
    or list of parts in the model's order; a list of plain text (lessons) is one textarea a row."""
    own: list[Spec] = []
    parts: list[Part] = []
    for name, field in model.model_fields.items():
        if name in HIDDEN:
            continue
        nested, repeated = _model_of(field.annotation)
        at_least = next((m.min_length for m in field.metadata if getattr(m, "min_length", None)), 0)
        title = PART_TITLES.get(name, name.replace("_", " ").capitalize())
        row = ROW_NAMES.get(name, "entry")
        if nested is not None:
            specs = tuple(
                _spec(name, key, sub, sub.is_required() and (not repeated or at_least > 0))
                for key, sub in nested.model_fields.items()
            )
            help_text = field.description or (nested.__doc__ or "").strip()
            parts.append(Part(name, title, specs, repeated, max(at_least, 1), help_text, row))
        elif get_origin(_optional_inner(field.annotation)) is list:
            text = Spec("", _label("", name), "textarea", help=field.description or "")
            parts.append(Part(name, title, (text,), repeat=True, help=field.description or "", row_name=row))
        else:
            own.append(_spec("", name, field, field.is_required()))
    own.sort(key=lambda spec: not spec.required)  # stable: required first, then the model's order
    return (Part("", PART_TITLES[""], tuple(own)), *parts)


PARTS: tuple[Part, ...] = parts_from()
