"""Writers of the analysts' export: CSV and JSON lines folders, and one GraphML file for Gephi.

Rows come from graph/export_rows.py as they arrive and go straight to the file, so the export
never holds the graph in memory. CSV and GraphML are flat: lists are joined with ';' and each
edge's evidence becomes five parallel lists (`evidence_excerpts`, `evidence_sources`,
`evidence_files`, `evidence_starts`, `evidence_ends`: the n-th entries describe one reference).
JSON lines keep lists as lists and evidence as a list of objects.

The GraphML is written by hand with the stdlib (networkx would build the whole graph in memory
first): every attribute is declared as a `<key>` with its `attr.type`, nodes carry a `label`
(the case title or item name) that Gephi shows, and edges are numbered in export order.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO
from xml.sax.saxutils import escape, quoteattr

from neo4j import Driver
from spreadgraph.graph.export_rows import EDGE_COLUMNS, LIST_COLUMNS, NODE_COLUMNS, edge_rows, node_rows

from spreadgraph.errors import SpreadgraphError

Format = Literal["csv", "jsonl", "graphml"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl", "graphml")
EVIDENCE_COLUMNS = {
    "evidence_excerpts": "excerpt",
    "evidence_sources": "source",
    "evidence_files": "file_name",
    "evidence_starts": "start",
    "evidence_ends": "end",
}
FLAT_EDGE_COLUMNS = (*(c for c in EDGE_COLUMNS if c != "evidence"), *EVIDENCE_COLUMNS)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class ExportResult:
    """What one export wrote."""

    nodes: int
    edges: int
    paths: tuple[Path, ...]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def flat(row: dict[str, Any], columns: Iterable[str]) -> dict[str, str]:
    """A row as strings: lists joined with ';', evidence split into parallel lists, None as ''."""
    refs = row.get("evidence") or []
    out: dict[str, str] = {}
    for column in columns:
        if column in EVIDENCE_COLUMNS:
            out[column] = ";".join(_text(ref[EVIDENCE_COLUMNS[column]]) for ref in refs)
        elif column in LIST_COLUMNS:
            out[column] = ";".join(_text(v) for v in row[column])
        else:
            out[column] = _text(row[column])
    return out


def _counted(rows: Iterator[dict[str, Any]], write: Callable[[dict[str, Any]], None]) -> int:
    count = 0
    for row in rows:
        write(row)
        count += 1
    return count


def _folder(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise SpreadgraphError(f"{out} is a file; csv and jsonl exports write a folder")
    out.mkdir(parents=True, exist_ok=True)
    return out


def write_csv(driver: Driver, out: Path, published_only: bool) -> ExportResult:
    """`out`/nodes.csv and `out`/edges.csv, each with one header row."""
    folder = _folder(out)
    counts, paths = [], []
    for name, columns, rows in (
        ("nodes.csv", NODE_COLUMNS, node_rows(driver, published_only=published_only)),
        ("edges.csv", FLAT_EDGE_COLUMNS, edge_rows(driver, published_only=published_only)),
    ):
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            counts.append(_counted(rows, lambda row, c=columns, w=writer: w.writerow(flat(row, c))))
        paths.append(path)
    return ExportResult(counts[0], counts[1], tuple(paths))


def write_jsonl(driver: Driver, out: Path, published_only: bool) -> ExportResult:
    """`out`/nodes.jsonl and `out`/edges.jsonl: one JSON object per line, keys in column order."""
    folder = _folder(out)
    counts, paths = [], []
    for name, columns, rows in (
        ("nodes.jsonl", NODE_COLUMNS, node_rows(driver, published_only=published_only)),
        ("edges.jsonl", EDGE_COLUMNS, edge_rows(driver, published_only=published_only)),
    ):
        path = folder / name
        with path.open("w", encoding="utf-8", newline="\n") as handle:

            def line(row: dict[str, Any], c: tuple[str, ...] = columns, h: TextIO = handle) -> None:
                h.write(json.dumps({k: row[k] for k in c}, ensure_ascii=False) + "\n")

            counts.append(_counted(rows, line))
        paths.append(path)
    return ExportResult(counts[0], counts[1], tuple(paths))


def _xml(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def _attr(value: str) -> str:
    return quoteattr(_NOT_XML.sub("", value))


def _keys(kind: str, columns: Iterable[str], types: dict[str, str]) -> Iterator[str]:
    for column in columns:
        yield (
            f'  <key id="{kind[0]}_{column}" for="{kind}" attr.name="{column}" '
            f'attr.type="{types.get(column, "string")}"/>\n'
        )


def _data(kind: str, values: dict[str, str], skip: Iterable[str] = ()) -> str:
    cells = (
        f'      <data key="{kind[0]}_{k}">{_xml(v)}</data>\n'
        for k, v in values.items()
        if v and k not in skip
    )
    return "".join(cells)


def write_graphml(driver: Driver, out: Path, published_only: bool) -> ExportResult:
    """One GraphML file (directed; node and edge attributes declared as typed keys)."""
    if out.is_dir():
        raise SpreadgraphError(f"{out} is a folder; a graphml export writes one file")
    out.parent.mkdir(parents=True, exist_ok=True)
    node_columns = ("label", *(c for c in NODE_COLUMNS if c != "id"))
    edge_columns = ("claim", *(c for c in FLAT_EDGE_COLUMNS if c not in ("id", "source", "target")))
    with out.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
            'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
        )
        handle.writelines(_keys("node", node_columns, {}))
        handle.writelines(_keys("edge", edge_columns, {"confidence": "double"}))
        handle.write('  <graph id="spreadgraph" edgedefault="directed">\n')

        def node(row: dict[str, Any]) -> None:
            values = {"label": _text(row["name"]), **flat(row, NODE_COLUMNS)}
            data = _data("node", values, ("id",))
            handle.write(f"    <node id={_attr(values['id'])}>\n{data}    </node>\n")

        nodes = _counted(node_rows(driver, published_only=published_only), node)
        edges = 0

        def edge(row: dict[str, Any]) -> None:
            nonlocal edges
            values = {"claim": _text(row["id"]), **flat(row, FLAT_EDGE_COLUMNS)}
            handle.write(
                f'    <edge id="e{edges}" source={_attr(values["source"])} '
                f"target={_attr(values['target'])}>\n"
                f"{_data('edge', values, ('id', 'source', 'target'))}    </edge>\n"
            )
            edges += 1

        _counted(edge_rows(driver, published_only=published_only), edge)
        handle.write("  </graph>\n</graphml>\n")
    return ExportResult(nodes, edges, (out,))


WRITERS: dict[Format, Callable[[Driver, Path, bool], ExportResult]] = {
    "csv": write_csv,
    "jsonl": write_jsonl,
    "graphml": write_graphml,
}


def export(driver: Driver, fmt: Format, out: Path, *, published_only: bool = False) -> ExportResult:
    """Write the case–barrier–approach graph to `out` in `fmt`."""
    return WRITERS[fmt](driver, out, published_only)
