"""The project's taxonomy files (CFIR 2.0, CFIR 2009, ERIC, NASSS, CFIR-ERIC matching) as typed data."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

TAXONOMY_DIR = Path(__file__).resolve().parent / "taxonomies"


class _Item(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    id: str
    name: str
    description: str = ""
    cues: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    note: str | None = None


class CfirDomain(_Item):
    number: str
    full_name: str = ""


class CfirConstruct(_Item):
    domain: str
    label: str


class CfirSubconstruct(_Item):
    parent: str = Field(alias="construct")  # the construct it refines
    label: str


class Cfir(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    framework: str
    citation: str = ""
    domains: tuple[CfirDomain, ...]
    constructs: tuple[CfirConstruct, ...]
    subconstructs: tuple[CfirSubconstruct, ...] = ()


class EricCluster(_Item):
    number: int


class EricStrategy(_Item):
    number: int
    cluster: str


class Eric(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    citation: str = ""
    clusters: tuple[EricCluster, ...]
    strategies: tuple[EricStrategy, ...]


class NasssQuestion(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    id: str
    text: str


class NasssDomain(_Item):
    number: int
    questions: tuple[NasssQuestion, ...] = ()


class Nasss(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    citation: str = ""
    ratings: tuple[str, ...] = ()
    domains: tuple[NasssDomain, ...]


class ExpertMatch(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    cfir2009: str
    eric: str
    percent: float


class CfirEric(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    source: str
    note: str = ""
    level1: tuple[ExpertMatch, ...] = ()
    level2: tuple[ExpertMatch, ...] = ()
    crosswalk: dict[str, tuple[str, ...]] = Field(default_factory=dict, alias="cfir2009_to_cfir2")


class Taxonomies(BaseModel):
    model_config = ConfigDict(frozen=True)
    cfir2: Cfir
    cfir2009: Cfir
    eric: Eric
    nasss: Nasss
    cfir_eric: CfirEric


def _read(name: str) -> dict:
    return json.loads((TAXONOMY_DIR / f"{name}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def load_taxonomies() -> Taxonomies:
    """Read and validate every taxonomy file in `schema/taxonomies/`."""
    return Taxonomies(
        cfir2=Cfir.model_validate(_read("cfir2")),
        cfir2009=Cfir.model_validate(_read("cfir2009")),
        eric=Eric.model_validate(_read("eric")),
        nasss=Nasss.model_validate(_read("nasss")),
        cfir_eric=CfirEric.model_validate(_read("cfir_eric")),
    )


def taxonomy_digest() -> str:
    """sha256 over the taxonomy files, so a changed file re-runs the taxonomy migration."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(TAXONOMY_DIR.glob("*.json")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()
