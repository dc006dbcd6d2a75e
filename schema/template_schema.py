"""Generates `schema/case-template.schema.json` from the template models.

Run `python -m spreadgraph.schema.template_schema` after changing `schema/template.py`;
a test fails while the published file is out of date.
"""

from __future__ import annotations

import json
from pathlib import Path

from spreadgraph.schema.template import CaseTemplate

SCHEMA_PATH = Path(__file__).resolve().parent / "case-template.schema.json"


def render() -> str:
    """The JSON Schema of the case template, as stable, pretty-printed text."""
    schema = CaseTemplate.model_json_schema(mode="validation")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    SCHEMA_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")


if __name__ == "__main__":
    main()
