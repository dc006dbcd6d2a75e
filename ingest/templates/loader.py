"""Reads a template (YAML or JSON) safely, keeping the line of every field path.

Only plain data is accepted: mappings, lists, text, numbers, true/false and null. The raw
bytes are checked first (size, binary, UTF-8), then a streaming pass over the YAML events
rejects deep nesting, anchors/aliases and tags before any tree is built, and the tree is
turned into Python values by hand from the composed nodes (no YAML constructor ever runs on
a tag), which is also where duplicate keys are caught.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from spreadgraph.ingest.templates.problems import Problem, TemplateInvalid
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 1_000_000
MAX_DEPTH = 12
_Y = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_Y + t for t in ("str", "int", "float", "bool", "null")}
_SAFE_EXPLICIT = _PLAIN_TAGS | {_Y + "map", _Y + "seq", _Y + "timestamp"}
_scalars = SafeConstructor()
_FAST = getattr(yaml, "CSafeLoader", None)  # libyaml, when PyYAML was built with it


@dataclass
class Loaded:
    """The template's data and, for each field path, the line (1-based) where it is written."""

    data: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, path: str) -> int | None:
        """The line of `path`, or of its nearest written parent (for missing fields)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return self.lines.get("")


def _fail(message: str, line: int | None = None) -> TemplateInvalid:
    return TemplateInvalid([Problem(message, line=line)])


def size_problem(size: int) -> str | None:
    """The message for an oversize template, or None when the size is fine."""
    if size <= MAX_BYTES:
        return None
    return (
        f"the file is {size / 1_000_000:.1f} MB; a template may be at most {MAX_BYTES // 1_000_000} MB "
        "(cite long documents under `sources` instead of pasting them)"
    )


def decode(raw: bytes) -> str:
    """The template's text, or TemplateInvalid for empty, oversize, binary or non-UTF-8 input."""
    too_big = size_problem(len(raw))
    if too_big:
        raise _fail(too_big)
    if b"\x00" in raw[:8192] or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail("this looks like a binary file, not a YAML or JSON template")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read); "
            "save it as UTF-8 in your editor",
            line,
        ) from None
    text = text.removeprefix("\ufeff")
    bad = next((c for c in text if ord(c) < 32 and c not in "\t\n\r"), None)
    if bad is not None:
        line = text[: text.index(bad)].count("\n") + 1
        raise _fail(f"the file contains a control character (U+{ord(bad):04X}); is it really text?", line)
    return text


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_Y) :] if tag.startswith(_Y) else tag


def _scan(text: str, loader: type = yaml.SafeLoader) -> None:
    """Stream the YAML events: reject syntax errors, deep nesting, aliases and unsafe tags."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise _fail("anchors and aliases (&name, *name) are not allowed in templates", line)
            tag = getattr(event, "tag", None)
            if tag and tag not in _SAFE_EXPLICIT and tag != "!":
                raise _fail(
                    f"the YAML tag '{_tag_name(tag)}' is not allowed: a template may only hold text, "
                    "numbers, true/false, lists and mappings",
                    line,
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _fail(f"the template is nested more than {MAX_DEPTH} levels deep", line)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        raise _fail(f"this is not valid YAML: {what}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise _fail(f"this is not valid YAML: {exc}") from None


def _node_value(node: Node, path: str, lines: dict[str, int], problems: list[Problem]) -> Any:
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                problems.append(Problem("a field name must be plain text", path, line))
                continue
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            if key in out:
                problems.append(
                    Problem(f"'{key}' is given twice (lines {first_line[key]} and {line})", child, line)
                )
                continue
            first_line[key] = line
            lines[child] = line
            out[key] = _node_value(value_node, child, lines, problems)
        return out
    if isinstance(node, SequenceNode):
        items = []
        for i, item in enumerate(node.value, start=1):
            child = f"{path}[{i}]"
            lines[child] = item.start_mark.line + 1
            items.append(_node_value(item, child, lines, problems))
        return items
    if node.tag == _Y + "timestamp":
        return str(node.value)
    if node.tag in _PLAIN_TAGS:
        return _scalars.construct_object(node)
    if node.tag == "!":  # a quoted scalar with the non-specific tag
        return str(node.value)
    problems.append(Problem(f"the YAML tag '{_tag_name(node.tag)}' is not allowed", path))
    return None


def _fast_compose(text: str) -> Node | None:
    """The same scan and node tree through libyaml (about ten times faster), or None when libyaml is
    missing or finds any problem: the pure-Python parser then says what is wrong, in its words."""
    if _FAST is None:
        return None
    try:
        _scan(text, _FAST)
        return yaml.compose(text, Loader=_FAST)
    except (TemplateInvalid, yaml.YAMLError):
        return None


def load_text(text: str) -> Loaded:
    """Parse template text into data plus a field-path -> line map (TemplateInvalid on failure)."""
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise _fail("the template is empty")
    root = _fast_compose(text)
    if root is None:
        _scan(text)
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:  # pragma: no cover - _scan has already parsed it
            raise _fail(f"this is not valid YAML: {exc}") from None
    if root is None:
        raise _fail("the template is empty")
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a single value"
        raise _fail(f"a template must be a set of fields (name: value), but this file holds {kind}", 1)
    lines: dict[str, int] = {"": root.start_mark.line + 1}
    problems: list[Problem] = []
    data = _node_value(root, "", lines, problems)
    if problems:
        raise TemplateInvalid(problems)
    return Loaded(data, lines)


def load_bytes(raw: bytes) -> Loaded:
    """Decode and parse raw template bytes (TemplateInvalid on any problem)."""
    return load_text(decode(raw))
