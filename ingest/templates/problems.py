"""Problems found in a template, each naming the file, line and field path in plain English."""

from __future__ import annotations

from dataclasses import dataclass

from spreadgraph.errors import SpreadgraphError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a template. `path` is like 'barriers[2].cfir' (lists count from 1)."""

    message: str
    path: str = ""
    line: int | None = None
    file: str = ""

    def render(self) -> str:
        where = ", ".join(p for p in (f"line {self.line}" if self.line else "", self.path) if p)
        head = f"{self.file}: " if self.file else ""
        return f"{head}{where}: {self.message}" if where else f"{head}{self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "path": self.path, "message": self.message}


class TemplateInvalid(SpreadgraphError):
    """A template has problems; nothing was written. `problems` lists every one found."""

    status = 422
    code = "template_invalid"

    def __init__(self, problems: list[Problem], *, file: str = "") -> None:
        self.problems = problems
        count = len(problems)
        name = f"{file}: " if file else ""
        super().__init__(
            f"{name}{count} problem{'s' if count != 1 else ''} in the template; nothing was written",
            hint="fix them and submit again",
        )

    def as_dict(self) -> dict[str, object]:
        body = super().as_dict()
        body["error"]["problems"] = [p.as_dict() for p in self.problems]  # type: ignore[index]
        return body


class TemplateWriteFailed(SpreadgraphError):
    """A valid template the database refused (in bulk ingest, after its batch was split down to
    this file alone); nothing of it was written, the other files were."""

    status = 422
    code = "template_write_failed"
