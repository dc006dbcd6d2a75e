"""Which ingester handles a path: a small registry so document readers can register later.

Built in: case templates (.yaml/.yml/.json, written many per transaction) and documents
(.txt/.md/.pdf/.docx and coded-excerpt .csv/.json exports). Each kind registers a `claims(path)`
test and an `ingest(path)` function returning a one-line summary; a kind may also register
`ingest_batch(paths, progress)`, which yields `(path, summary or error)` in order and may overlap
work across files (documents do: one is written while the next is parsed and encoded) or share
transactions between files (templates do). `expand()` turns files and folders into the files some
kind claims, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spreadgraph.ingest.documents.ingester import IngestProgress

BatchIngest = Callable[[list[Path], "IngestProgress | None"], Iterator[tuple[Path, Any]]]


@dataclass(frozen=True)
class Kind:
    name: str
    claims: Callable[[Path], bool]
    ingest: Callable[[Path], str]
    ingest_batch: BatchIngest | None = None


_KINDS: list[Kind] = []


def register(
    name: str,
    claims: Callable[[Path], bool],
    ingest: Callable[[Path], str],
    ingest_batch: BatchIngest | None = None,
) -> None:
    """Add (or replace) an ingester; kinds registered first win when two claim a path."""
    _KINDS[:] = [k for k in _KINDS if k.name != name]
    _KINDS.append(Kind(name, claims, ingest, ingest_batch))


def kinds() -> list[Kind]:
    _builtin()
    return list(_KINDS)


def kind_of(path: Path) -> Kind | None:
    """The ingester for this file, or None when no kind claims it."""
    return next((k for k in kinds() if k.claims(path)), None)


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given, plus every claimed file under each folder (sorted, hidden files skipped)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            out += [p for p in found if kind_of(p)]
        else:
            out.append(path)
    return out


def _template_claims(path: Path) -> bool:
    from spreadgraph.ingest.templates.template_ingest import TEMPLATE_SUFFIXES

    return path.suffix.lower() in TEMPLATE_SUFFIXES and not _coded_json(path)


DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown", ".pdf", ".docx")
SKIPPED_NAMES = ("readme", "license", "changelog")  # folder furniture, not evidence


def _coded_json(path: Path) -> bool:
    """A JSON coded-excerpt export (a list of records, right or wrong fields), not a case template;
    the reader then names missing and unknown fields."""
    from spreadgraph.ingest.documents.readers import looks_coded_json

    return looks_coded_json(path)


def _document_claims(path: Path) -> bool:
    from spreadgraph.ingest.documents.file_checks import read_head
    from spreadgraph.ingest.documents.readers import looks_coded

    suffix = path.suffix.lower()
    if path.stem.lower() in SKIPPED_NAMES:
        return False
    if suffix in DOCUMENT_SUFFIXES:
        return True
    if suffix == ".csv" and path.is_file():
        return looks_coded(read_head(path, 4096), suffix)  # an export by its header, right or wrong
    return _coded_json(path)


def _document_ingest(path: Path) -> str:
    from spreadgraph.ingest.documents.ingester import ingest_document

    result = ingest_document(path)
    if result.action != "unchanged":
        consolidate()
    return result.summary(str(path))


def _document_batch(
    paths: list[Path], progress: IngestProgress | None = None
) -> Iterator[tuple[Path, str | Exception]]:
    """Parse, extract, embed and write documents; the writes overlap the next file's encoding."""
    from spreadgraph.ingest.documents.ingester import default_ingester

    wrote = False
    for path, result in default_ingester().ingest_many(paths, progress=progress):
        wrote = wrote or (not isinstance(result, Exception) and result.action != "unchanged")
        yield path, result if isinstance(result, Exception) else result.summary(str(path))
    if wrote:
        consolidate()


def consolidate() -> dict[str, list[tuple[str, list[str]]]]:
    """Fold near-duplicate barriers, enablers and approaches into one item each (graph/item_merge.py),
    by name key and name cosine, with the ingester's cached encoder."""
    from spreadgraph.graph.item_merge import consolidate_items
    from spreadgraph.ingest.documents.ingester import default_ingester
    from spreadgraph.search.indexing import encode_texts

    cache = default_ingester().cache
    return consolidate_items(lambda texts: encode_texts(cache, texts))


def _template_ingest(path: Path) -> str:
    from spreadgraph.ingest.templates.template_ingest import ingest_file

    result = ingest_file(path)
    if result.action != "unchanged":
        result.notes += _merge_notes()
    return _template_summary(path, result)


def _merge_notes() -> list[str]:
    return [
        f"merged {label.lower()} {', '.join(gone)} into {keep}"
        for label, groups in consolidate().items()
        for keep, gone in groups
    ]


def _template_summary(path: Path, result: Any) -> str:
    text = f"{path}: {result.action} {result.case_id} (revision {result.revision})"
    if result.changes:
        text += f"; changed: {', '.join(result.changes[:8])}" + (" ..." if len(result.changes) > 8 else "")
    return "\n".join([text, *(f"  note: {n}" for n in result.notes)])


def _template_batch(
    paths: list[Path], progress: IngestProgress | None = None
) -> Iterator[tuple[Path, str | Exception]]:
    """Templates in batches (ingest/templates/bulk.py), each file all or nothing; near-duplicate
    items are folded once at the end (the notes go with the last file written)."""
    from spreadgraph.ingest.templates.bulk import BulkIngest

    bulk = BulkIngest(progress=progress)
    wrote = False
    last: tuple[Path, Any] | None = None
    after: list[tuple[Path, Exception]] = []  # refusals after the last file written, kept in order
    for path, result in bulk.run(paths):
        if isinstance(result, Exception):
            if last is None:
                yield path, result
            else:
                after.append((path, result))
            continue
        wrote = wrote or result.action != "unchanged"
        if last is not None:
            yield last[0], _template_summary(*last)
            yield from after
            after = []
        last = (path, result)
    if last is not None:
        if wrote:
            last[1].notes += _merge_notes()
        last[1].notes += [split.render() for split in bulk.splits]
        yield last[0], _template_summary(*last)
    yield from after


def _builtin() -> None:
    if not any(k.name == "template" for k in _KINDS):
        _KINDS.insert(0, Kind("template", _template_claims, _template_ingest, _template_batch))
    if not any(k.name == "document" for k in _KINDS):
        _KINDS.insert(1, Kind("document", _document_claims, _document_ingest, _document_batch))
