"""Template ingest, end to end: bytes -> loaded -> validated -> one write transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from neo4j import Driver
from spreadgraph.graph.case_writer import CaseWrite, submit_case
from spreadgraph.graph.connection import write_tx
from spreadgraph.ingest.templates.checks import validate
from spreadgraph.ingest.templates.loader import Loaded, load_bytes, size_problem
from spreadgraph.ingest.templates.problems import Problem, TemplateInvalid
from spreadgraph.schema.template import CaseTemplate

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json")


def check_bytes(raw: bytes, file: str = "") -> tuple[CaseTemplate | None, list[Problem]]:
    """Validate template bytes without touching the graph: (model or None, every problem)."""
    try:
        loaded = load_bytes(raw)
    except TemplateInvalid as exc:
        return None, [Problem(p.message, p.path, p.line, file) for p in exc.problems]
    return validate(loaded, file)


def check_data(data: dict[str, Any], file: str = "") -> tuple[CaseTemplate | None, list[Problem]]:
    """Validate template data that is already structured (the web form's): no text to parse, so
    problems have paths but no lines."""
    return validate(Loaded(data), file)


def check_file(path: Path) -> tuple[CaseTemplate | None, list[Problem]]:
    """Validate one file; an oversize file is refused before it is read."""
    try:
        too_big = size_problem(path.stat().st_size)
        if too_big:
            return None, [Problem(too_big, file=str(path))]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(f"cannot read the file: {exc.strerror or exc}", file=str(path))]
    return check_bytes(raw, str(path))


def ingest_bytes(raw: bytes, file: str = "", *, driver: Driver | None = None) -> CaseWrite:
    """Validate and write one template; TemplateInvalid (nothing written) when it has problems."""
    model, problems = check_bytes(raw, file)
    if model is None:
        raise TemplateInvalid(problems, file=file)
    name = Path(file).name if file else None
    return write_tx(lambda tx: submit_case(tx, model, file_name=name), driver=driver)


def ingest_file(path: Path, *, driver: Driver | None = None) -> CaseWrite:
    model, problems = check_file(path)
    if model is None:
        raise TemplateInvalid(problems, file=str(path))
    return write_tx(lambda tx: submit_case(tx, model, file_name=path.name), driver=driver)
