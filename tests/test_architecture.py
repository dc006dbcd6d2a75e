"""The layers import in one direction only: schema < graph < search < ingest < webui < cli.

Read from the source with Python's `ast` (every `import` and `from ... import`, including those
inside functions), over the installed package's folders. `spreadgraph.config` and
`spreadgraph.errors` sit below every layer. Benchmark and test code is outside the package.
"""

from __future__ import annotations

import ast
import re
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
            found[_name(("spreadgraph", layer), path.relative_to(ROOT / folder))] = path
    for path in (ROOT / "spreadgraph").rglob("*.py"):
        found[_name(("spreadgraph",), path.relative_to(ROOT / "spreadgraph"))] = path
    return found


def _name(prefix: tuple[str, ...], relative: Path) -> str:
    parts = relative.with_suffix("").parts
    return ".".join((*prefix, *(parts[:-1] if parts[-1] == "__init__" else parts)))


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
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]  # maybe modules
    return found


def upward_imports(files: dict[str, Path]) -> list[str]:
    """Every import from a module to a module of a higher layer, as 'file:line (layer) imports ...'."""
    upward = []
    for module, path in files.items():
        here = layer_of(module)
        if here is None:
            continue
        seen: set[int] = set()
        for line, target in imports_of(path, module):
            there = layer_of(target)
            if there is not None and LAYERS.index(there) > LAYERS.index(here) and line not in seen:
                seen.add(line)
                upward.append(f"{path.name}:{line} ({here}) imports {target} ({there})")
    return upward


def test_the_layers_import_downwards_only() -> None:
    files = package_files()
    assert len(files) > 100, "the package's folders were not found"
    upward = upward_imports(files)
    assert not upward, "imports that run back up the layers:\n" + "\n".join(upward)


def import_cycles(files: dict[str, Path]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop (Tarjan's algorithm)."""
    edges = {m: {t for _, t in imports_of(p, m) if t in files and t != m} for m, p in files.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in edges[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return cycles


def test_no_modules_import_each_other() -> None:
    cycles = import_cycles(package_files())
    assert not cycles, "modules in an import cycle:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_cycle_check_finds_a_loop(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("from spreadgraph.search import b\n")
    (tmp_path / "b.py").write_text("def f():\n    from spreadgraph.search.a import x\n")
    files = {"spreadgraph.search.a": tmp_path / "a.py", "spreadgraph.search.b": tmp_path / "b.py"}
    assert import_cycles(files) == [["spreadgraph.search.a", "spreadgraph.search.b"]]


def test_the_check_finds_upward_and_relative_imports(tmp_path: Path) -> None:
    graph_module = tmp_path / "writer.py"
    graph_module.write_text("from spreadgraph.schema import vocab\n\ndef f():\n    from ..ingest import x\n")
    found = upward_imports({"spreadgraph.graph.writer": graph_module})
    assert found == ["writer.py:4 (graph) imports spreadgraph.ingest (ingest)"]
    here = imports_of(ROOT / "ingest" / "extraction" / "__init__.py", "spreadgraph.ingest.extraction")
    assert "spreadgraph.ingest.extraction.anchors" in {target for _, target in here}


#: Placeholder shapes once spliced into Cypher text with str.replace: `{name}` and `__NAME__`.
_PLACEHOLDER = re.compile(r"^(\{\w+\}|__[A-Z]+__)$")


def spliced_statements(files: dict[str, Path]) -> list[str]:
    """`text.replace("{placeholder}", ...)` calls: statement text assembled by splicing instead of
    a typed builder (a function taking the fixed fragments it needs)."""
    found = []
    for module, path in files.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "replace"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and _PLACEHOLDER.match(node.args[0].value)
            ):
                found.append(f"{module}:{node.lineno} replaces {node.args[0].value!r}")
    return found


def test_no_statement_is_spliced_with_replace() -> None:
    assert spliced_statements(package_files()) == []


def test_the_splice_check_finds_a_placeholder(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        'Q = "MATCH (n:__LABEL__)"\nA = Q.replace("__LABEL__", "Barrier")\nB = Q.replace("{p}", "x")\n'
    )
    ok = tmp_path / "ok.py"
    ok.write_text('name = "a b".replace(" ", "_")\n')
    assert len(spliced_statements({"bad": bad, "ok": ok})) == 2


def documented_walks() -> dict[str, list[str]]:
    """{walk title: the modules its numbered steps name first} from docs/architecture.md."""
    walks: dict[str, list[str]] = {}
    title = None
    for line in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## A "):
            title = line[3:]
            walks[title] = []
        elif title and (step := re.match(r"^\d+\. `([\w/]+\.py)`", line)):
            walks[title].append(step.group(1))
    return walks


def test_the_documented_walks_hold() -> None:
    files = package_files()
    by_path = {path.relative_to(ROOT).as_posix(): name for name, path in files.items()}
    walks = documented_walks()
    assert len(walks) == 2 and all(walks.values()), walks
    for title, steps in walks.items():
        assert len(steps) <= 5, title
        modules = [by_path[step] for step in steps]  # KeyError: a step names no module
        for i, module in enumerate(modules[1:], start=1):
            earlier = {imported for m in modules[:i] for _, imported in imports_of(files[m], m)}
            assert module in earlier, f"{title}: nothing before {steps[i]} imports it"
