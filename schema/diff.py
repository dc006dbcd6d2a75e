"""Which field paths changed between two versions of a template."""

from __future__ import annotations

from typing import Any


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """{'barriers[1].name': 'Staff time', ...} (lists count from 1); empty containers kept as leaves."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for i, item in enumerate(value, start=1):
            out.update(flatten(item, f"{path}[{i}]"))
        return out
    return {path: value}


def changed_paths(old: dict[str, Any], new: dict[str, Any], limit: int = 200) -> list[str]:
    """Sorted field paths whose value was added, removed or changed (at most `limit`)."""
    a, b = flatten(old), flatten(new)
    paths = sorted(p for p in a.keys() | b.keys() if a.get(p, _MISSING) != b.get(p, _MISSING))
    return paths[:limit]


_MISSING = object()
