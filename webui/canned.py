"""Canned analyst queries, loaded as typed records from `schema/canned_queries.yaml`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from spreadgraph.webui.http_errors import InvalidRequest

FILE = Path(__file__).resolve().parents[1] / "schema" / "canned_queries.yaml"


class CannedParam(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    description: str
    type: Literal["string", "int"] = "string"
    default: str | int = ""

    def coerce(self, raw: str | None) -> str | int:
        """A form value as this parameter's type (the default when absent)."""
        if raw is None:
            return self.default
        if self.type == "int":
            try:
                return int(raw.strip())
            except ValueError:
                raise InvalidRequest(f"parameter '{self.name}' must be a whole number, not {raw!r}") from None
        return raw


class CannedQuery(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    description: str
    params: tuple[CannedParam, ...] = ()
    cypher: str

    def values(self, given: dict[str, str]) -> dict[str, Any]:
        return {p.name: p.coerce(given.get(p.name)) for p in self.params}


@lru_cache(maxsize=1)
def canned_queries() -> dict[str, CannedQuery]:
    """Every canned query by name, in file order."""
    data = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    queries = TypeAdapter(list[CannedQuery]).validate_python(data)
    return {q.name: q for q in queries}
