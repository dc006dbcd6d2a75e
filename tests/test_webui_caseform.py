"""The case form is derived from the template model: every field has an input, and each demo
template typed into the form comes back as the same template (no Neo4j needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from spreadgraph.schema.template import CaseTemplate
from spreadgraph.webui.caseform import field_name, form_to_template
from spreadgraph.webui.caseform_fields import HIDDEN, PARTS, input_kind

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples" / "cases").glob("*.yaml"))


def form_names() -> set[str]:
    return {field_name(part, spec, 1 if part.repeat else None) for part in PARTS for spec in part.specs}


def test_every_template_field_has_an_input() -> None:
    names = form_names()
    for name, field in CaseTemplate.model_fields.items():
        if name in HIDDEN:
            continue
        nested = [p for p in PARTS if p.key == name]
        if nested:
            model = field.annotation
            inner = getattr(model, "__args__", (model,))[0] if nested[0].repeat else model
            keys = {s.key for s in nested[0].specs}
            if hasattr(inner, "model_fields"):
                assert keys == set(inner.model_fields), name
        else:
            assert name in names, name


def test_input_kinds_follow_the_field_types() -> None:
    kinds = {(p.key, s.key): s.kind for p in PARTS for s in p.specs}
    assert kinds[("", "spread_status")] == "select" and kinds[("", "review_by")] == "date"
    assert kinds[("excerpts", "de_identified")] == "yesno" and kinds[("excerpts", "consent")] == "checkbox"
    assert kinds[("excerpts", "source")] == "number" and kinds[("innovation", "aliases")] == "lines"
    assert kinds[("", "summary")] == "textarea" and kinds[("", "title")] == "text"
    assert kinds[("sources", "link")] == "text"
    scale = next(s for p in PARTS if p.key == "contexts" for s in p.specs if s.key == "scale")
    assert (
        scale.options
        == input_kind(CaseTemplate.model_fields["contexts"].annotation.__args__[0].model_fields["scale"])[1]
    )
    assert len(scale.options) == 5


def as_form(data: dict[str, Any]) -> dict[str, str]:
    """What a person would type into the form for a template's data."""
    form: dict[str, str] = {}

    def put(part_key: str, spec_key: str, kind: str, value: Any, row: int | None) -> None:
        base = f"{part_key}[{row}]" if row is not None else part_key
        name = (f"{base}.{spec_key}" if base else spec_key) if spec_key else base
        if kind == "lines":
            form[name] = "\n".join(value)
        elif kind == "yesno":
            form[name] = "yes" if value else "no"
        elif kind == "checkbox":
            if value:
                form[name] = "on"
        else:
            form[name] = str(value)

    for part in PARTS:
        if part.key == "":
            rows = [(None, data)]
        elif part.repeat:
            rows = list(enumerate(data.get(part.key, []), start=1))
        else:
            rows = [(None, data.get(part.key, {}))]
        for row, values in rows:
            for spec in part.specs:
                if not spec.key:
                    put(part.key, "", spec.kind, values, row)
                elif spec.key in values:
                    put(part.key, spec.key, spec.kind, values[spec.key], row)
    return form


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_a_demo_template_typed_into_the_form_comes_back_the_same(path: Path) -> None:
    original = CaseTemplate.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    data, _ = form_to_template(as_form(original.model_dump(mode="json", exclude_none=True)))
    assert CaseTemplate.model_validate(data) == original
