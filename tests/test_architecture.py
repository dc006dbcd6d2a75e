"""The layers import in one direction only: schema < graph < search < ingest < webui < cli.

Read from the source with Python's `ast` (every `import` and `from ... import`, including those
inside functions), over the installed package's folders. `spreadgraph.config` and
`spreadgraph.errors` sit below every layer. Benchmark and test code is outside the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("schema", "graph", "search", "ingest", "webui", "cli")
FOLDERS = {"schema": "schema", "graph": "graph", "search": "search", "ingest": "ingest", "webui": "webui"}
BASE = ("spreadgraph.config", "spreadgraph.errors")


def layer_of(module: str) -> str | None:
    """The layer a `spreadgraph.*` module belongs to (None for the base and outside modules)."""
    parts = module.split(".")
    if parts[0] != "spreadgraph" or len(parts) < 2 or module.startswith(BASE):
        return None
    return parts[1] if parts[1] in LAYERS else None


def package_files() -> dict[str, Path]:
    """Module name -> file, for every module of the package."""
    found = {}
    for layer, folder in FOLDERS.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            found[".".join(("spreadgraph", layer, *parts))] = path
    for path in (ROOT / "spreadgraph").rglob("*.py"):
        found[".".join(("spreadgraph", *path.relative_to(ROOT / "spreadgraph").with_suffix("").parts))] = path
    return found


def imports_of(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the file, relative ones resolved."""
    found = []
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.append((node.lineno, base))
    return found


def upward_imports(files: dict[str, Path]) -> list[str]:
    """Every import from a module to a module of a higher layer, as 'file:line (layer) imports ...'."""
    upward = []
    for module, path in files.items():
        here = layer_of(module)
        if here is None:
            continue
        for line, target in imports_of(path, module):
            there = layer_of(target)
            if there is not None and LAYERS.index(there) > LAYERS.index(here):
                upward.append(f"{path.name}:{line} ({here}) imports {target} ({there})")
    return upward


def test_the_layers_import_downwards_only() -> None:
    files = package_files()
    assert len(files) > 100, "the package's folders were not found"
    upward = upward_imports(files)
    assert not upward, "imports that run back up the layers:\n" + "\n".join(upward)


def test_the_check_finds_upward_and_relative_imports(tmp_path: Path) -> None:
    graph_module = tmp_path / "writer.py"
    graph_module.write_text("from spreadgraph.schema import vocab\n\ndef f():\n    from ..ingest import x\n")
    found = upward_imports({"spreadgraph.graph.writer": graph_module})
    assert found == ["writer.py:4 (graph) imports spreadgraph.ingest (ingest)"]
    here = imports_of(ROOT / "ingest" / "extraction" / "__init__.py", "spreadgraph.ingest.extraction")
    assert "spreadgraph.ingest.extraction.anchors" in {target for _, target in here}
