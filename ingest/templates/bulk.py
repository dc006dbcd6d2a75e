"""Bulk template ingest: many files per write transaction, each file all or nothing.

Files are validated one by one (an invalid file is reported with every problem and writes
nothing); the valid ones are written `batch_size` at a time with `write_cases` (one UNWIND per kind
of row). When a batch's transaction fails, it is halved and each half retried, down to single
files, so one file the database refuses is isolated and reported while the others land; each
split is recorded in `BulkIngest.splits`. The next batch is validated while one is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from neo4j import Driver
from neo4j.exceptions import Neo4jError
from spreadgraph.graph.case_writer import CaseWrite, write_cases
from spreadgraph.graph.connection import DatabaseBusy, write_tx
from spreadgraph.ingest.templates.problems import TemplateInvalid, TemplateWriteFailed
from spreadgraph.ingest.templates.template_ingest import check_file
from spreadgraph.schema.template import CaseTemplate

BATCH_SIZE = 250
Outcome = CaseWrite | TemplateInvalid | TemplateWriteFailed


class Progress(Protocol):
    def advance(self, what: str, n: int) -> None: ...


@dataclass(frozen=True)
class Split:
    """A batch whose transaction failed and was halved."""

    files: int
    error: str

    def render(self) -> str:
        return f"a batch of {self.files} template files failed ({self.error}); it was split and retried"


@dataclass
class BulkIngest:
    """Validates and writes template files in batches; `run` yields each file's outcome in order."""

    batch_size: int = BATCH_SIZE
    driver: Driver | None = None
    progress: Progress | None = None
    splits: list[Split] = field(default_factory=list)

    def run(self, paths: list[Path]) -> Iterator[tuple[Path, Outcome]]:
        """Each file's outcome, in order. The next batch is read and validated in a thread while
        this one is written (parsing is Python, writing is mostly waiting on the database)."""
        chunks = [paths[i : i + self.batch_size] for i in range(0, len(paths), self.batch_size)]
        with ThreadPoolExecutor(1, thread_name_prefix="template-check") as pool:
            checking = pool.submit(_check, chunks[0]) if chunks else None
            for k, chunk in enumerate(chunks):
                assert checking is not None
                outcomes, valid = checking.result()
                if k + 1 < len(chunks):
                    checking = pool.submit(_check, chunks[k + 1])
                outcomes.update(self._write(valid))
                for i, path in enumerate(chunk):
                    yield path, outcomes[i]
                if self.progress is not None:
                    self.progress.advance("documents", len(chunk))

    def _write(self, batch: list[tuple[int, Path, CaseTemplate]]) -> dict[int, Outcome]:
        """Write the batch in one transaction; on failure halve it and retry each half."""
        if not batch:
            return {}
        entries = [(model, path.name) for _, path, model in batch]
        try:
            results = write_tx(lambda tx: write_cases(tx, entries), driver=self.driver)
        except (Neo4jError, DatabaseBusy) as exc:
            error = _first_line(exc)
            if len(batch) == 1:
                i = batch[0][0]
                message = f"the database refused it ({error}); nothing was written"
                return {i: TemplateWriteFailed(message)}
            self.splits.append(Split(len(batch), error))
            half = len(batch) // 2
            return self._write(batch[:half]) | self._write(batch[half:])
        return {i: result for (i, _, _), result in zip(batch, results, strict=True)}


def _check(chunk: list[Path]) -> tuple[dict[int, Outcome], list[tuple[int, Path, CaseTemplate]]]:
    """Validate each file: problems by position, and the valid ones to write."""
    outcomes: dict[int, Outcome] = {}
    valid: list[tuple[int, Path, CaseTemplate]] = []
    for i, path in enumerate(chunk):
        model, problems = check_file(path)
        if model is None:
            outcomes[i] = TemplateInvalid(problems, file=str(path))
        else:
            valid.append((i, path, model))
    return outcomes, valid


def _first_line(exc: Exception) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return text.strip().splitlines()[0][:300]


def ingest_files(
    paths: list[Path], *, batch_size: int = BATCH_SIZE, driver: Driver | None = None
) -> list[Outcome]:
    """Every file's outcome, in order (a convenience over `BulkIngest.run`)."""
    return [outcome for _, outcome in BulkIngest(batch_size, driver).run(paths)]
