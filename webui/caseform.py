"""The case template as an HTML form: form data -> template data, and problems -> fields.

The parts and inputs come from the template model (webui/caseform_fields.py).

Field names are the template's own field paths (`title`, `innovation.name`, `barriers[2].cfir`,
`lessons[1]`), so the validator's problem paths (`ingest.templates.checks`) land on the field
they concern. Repeatable rows that are left blank are dropped before validation, and problem
paths are mapped back to the row numbers the person sees.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field
from spreadgraph.ingest.templates.problems import Problem
from spreadgraph.webui.caseform_fields import PARTS, Part, Spec

_ROW = re.compile(r"^([a-z_]+)\[(\d+)\]")


def field_name(part: Part, spec: Spec, row: int | None = None) -> str:
    base = f"{part.key}[{row}]" if part.repeat else part.key
    if not spec.key:
        return base
    return f"{base}.{spec.key}" if base else spec.key


def field_id(name: str) -> str:
    return "f-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def rows_in(form: Mapping[str, Any], part: Part) -> list[int]:
    """The row numbers a form holds for a repeatable part, in order."""
    found = set()
    for key in form:
        match = _ROW.match(key)
        if match and match.group(1) == part.key:
            found.add(int(match.group(2)))
    return sorted(found)


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _convert(spec: Spec, raw: str) -> tuple[bool, Any]:
    """(keep?, value) for one input, as the template file would hold it."""
    value = raw.strip()
    if spec.kind == "lines":
        return True, [line.strip() for line in raw.splitlines() if line.strip()]
    if spec.kind == "checkbox":
        return True, bool(value)
    if spec.kind == "yesno":
        return (value in ("yes", "no")), value == "yes"
    if spec.kind in ("select", "date", "number") and not value:
        return False, None
    if spec.kind == "number" and value.isdigit():
        return True, int(value)
    return True, raw


def _row(form: Mapping[str, Any], part: Part, row: int | None) -> tuple[bool, Any]:
    """(blank?, data) of one part or row."""
    if not part.specs[0].key:  # a list of plain text (lessons)
        raw = _text(form, field_name(part, part.specs[0], row))
        return not raw.strip(), raw
    data: dict[str, Any] = {}
    blank = True
    for spec in part.specs:
        raw = _text(form, field_name(part, spec, row))
        blank = blank and not raw.strip()
        keep, value = _convert(spec, raw)
        if keep:
            data[spec.key] = value
    return blank, data


def form_to_template(form: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """Template data from the form, and for each repeatable part the form row behind each entry."""
    data: dict[str, Any] = {"template_version": 1}
    rows: dict[str, list[int]] = {}
    for part in PARTS:
        if part.repeat:
            entries = []
            for number in rows_in(form, part):
                blank, value = _row(form, part, number)
                if not blank:
                    entries.append(value)
                    rows.setdefault(part.key, []).append(number)
            data[part.key] = entries
        elif part.key:
            data[part.key] = _row(form, part, None)[1]
        else:
            data.update(_row(form, part, None)[1])
    if not data.get("id"):
        data.pop("id", None)
    return data, rows


def form_path(path: str, rows: dict[str, list[int]]) -> str:
    """A problem's path with the part's entry number replaced by the form's row number."""
    match = _ROW.match(path)
    if not match or match.group(1) not in rows:
        return path
    key, entry = match.group(1), int(match.group(2))
    numbers = rows[key]
    number = numbers[entry - 1] if 0 < entry <= len(numbers) else entry
    return f"{key}[{number}]" + path[match.end() :]


class FieldView(BaseModel):
    name: str
    id: str
    label: str
    kind: str
    value: Any = ""
    options: list[str] = Field(default_factory=list)
    required: bool = False
    help: str | None = None
    errors: list[str] = Field(default_factory=list)


class RowView(BaseModel):
    number: int | None = None
    fields: list[FieldView]


class PartView(BaseModel):
    key: str
    title: str
    help: str | None = None
    repeat: bool = False
    row_name: str = "entry"
    rows: list[RowView]
    errors: list[str] = Field(default_factory=list)


class ProblemView(BaseModel):
    path: str
    message: str
    field_id: str | None = None
    where: str | None = None  # the field as the form names it, e.g. "Barriers › Barrier 2 › Name"


def build_views(
    form: Mapping[str, Any], problems: list[Problem], add: str | None = None
) -> tuple[list[PartView], list[ProblemView]]:
    """The form's parts with the person's values and each problem next to its field."""
    _, rows = form_to_template(form)
    by_field: dict[str, list[str]] = {}
    views: list[PartView] = []
    names: dict[str, int] = {}  # field name -> position in the form
    labels: dict[str, str] = {}
    for part in PARTS:
        numbers: list[int | None]
        if part.repeat:
            present = rows_in(form, part)
            numbers = list(present) or list(range(1, part.min_rows + 1))
            if add == part.key:
                numbers.append(max(n for n in numbers if n is not None) + 1 if numbers else 1)
        else:
            numbers = [None]
        row_views = []
        for number in numbers:
            fields = []
            for spec in part.specs:
                name = field_name(part, spec, number)
                names.setdefault(name, len(names))
                row_label = f" › {part.row_name.capitalize()} {number}" if number is not None else ""
                labels[name] = f"{part.title}{row_label} › {spec.label}"
                raw = form.get(name)
                value: Any = bool(raw) if spec.kind == "checkbox" else (raw if isinstance(raw, str) else "")
                fields.append(
                    FieldView(
                        name=name,
                        id=field_id(name),
                        label=spec.label,
                        kind=spec.kind,
                        value=value,
                        options=list(spec.options),
                        required=spec.required,
                        help=spec.help or None,
                    )
                )
            row_views.append(RowView(number=number, fields=fields))
        views.append(
            PartView(
                key=part.key,
                title=part.title,
                help=part.help or None,
                repeat=part.repeat,
                row_name=part.row_name,
                rows=row_views,
            )
        )
    listed: list[ProblemView] = []
    for problem in problems:
        path = form_path(problem.path, rows)
        target = _nearest(path, names)
        listed.append(
            ProblemView(
                path=path,
                message=problem.message,
                field_id=field_id(target) if target else None,
                where=labels.get(target or "")
                or next((v.title for v in views if v.key and v.key == path), None),
            )
        )
        if target:
            by_field.setdefault(target, []).append(problem.message)
        else:
            for view in views:
                if view.key and path == view.key:
                    view.errors.append(problem.message)
    for view in views:
        for row in view.rows:
            for f in row.fields:
                f.errors = by_field.get(f.name, [])
    order = {field_id(name): position for name, position in names.items()}
    listed.sort(key=lambda p: order.get(p.field_id or "", -1))
    return views, listed


def _nearest(path: str, names: dict[str, int]) -> str | None:
    """The form field a problem path belongs to: itself or its nearest parent that is a field."""
    while path:
        if path in names:
            return path
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None
