"""`/overview`: barriers by CFIR 2.0 domain, and the barrier x approach evidence map.

Both charts are inline SVG drawn by the server from the numbers in the page's context (the JSON
twin carries the numbers, not the drawing), each with a title, a description and the same
numbers as a table. The contexts live here rather than in `webui/contexts.py` because only this
page uses them and the SVG geometry is derived from them.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from neo4j import Driver
from pydantic import Field, computed_field
from spreadgraph.graph import overview_queries as queries
from spreadgraph.graph.versioned_cache import VersionedCache, graph_version
from spreadgraph.webui.contexts import Model
from spreadgraph.webui.deps import DriverDep
from spreadgraph.webui.render import respond
from starlette.concurrency import run_in_threadpool

router = APIRouter(tags=["pages"])
#: Seconds the counts are reused. Both charts aggregate over every published case (measured on
#: a 3,000-excerpt synthetic graph: ~45,000 db hits in all, growing linearly with the claims), and
#: counts a minute old are fine for an overview; the page says when they were counted.
OVERVIEW_TTL = 60.0
_cache = VersionedCache(OVERVIEW_TTL)
# Sequential blues, light to dark; text on the last is white (contrast >= 4.5:1 either way).
LEVEL_FILL = ["#ffffff", "#deebf7", "#9ecae1", "#4a90c8", "#1f5fa8"]
LEVEL_INK = ["#1b1b1b", "#1b1b1b", "#1b1b1b", "#1b1b1b", "#ffffff"]


class Counts(Model):
    barriers: int = 0
    confirmed_barriers: int = 0
    cases: int = 0
    claims: int = 0
    excerpts: int = 0


class ConstructCount(Counts):
    construct_id: str
    name: str | None = None


class DomainCount(Counts):
    domain_id: str
    number: str | None = None
    domain: str | None = None
    constructs: list[ConstructCount] = Field(default_factory=list)


class Axis(Model):
    id: str
    name: str | None = None
    cases: int = Field(0, description="rows: cases that met the barrier; columns: cases linking it")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def short(self) -> str:
        name = self.name or self.id
        return name if len(name) <= 38 else name[:37] + "…"


class Cell(Model):
    barrier_id: str
    approach_id: str
    cases: int = Field(0, description="cases where the approach addressed or partly addressed it")
    not_addressed: int = Field(0, description="cases where it did not address it")
    claims: int = 0
    confirmed: int = 0
    suggested: int = 0
    excerpts: int = 0
    level: int = Field(0, description="0 = no evidence, 1..4 = shade (log scale up to the busiest cell)")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def strength(self) -> str:
        """confirmed (a person confirmed a claim) | suggested (extractor only) | none."""
        return "confirmed" if self.confirmed else "suggested" if self.claims else "none"


class EvidenceMap(Model):
    barriers: list[Axis]
    approaches: list[Axis]
    cells: list[Cell]
    max_cases: int = 0

    def grid(self) -> list[list[Cell]]:
        """Rows (barriers) of cells (approaches), empty cells included."""
        found = {(c.barrier_id, c.approach_id): c for c in self.cells}
        return [
            [found.get((b.id, a.id)) or Cell(barrier_id=b.id, approach_id=a.id) for a in self.approaches]
            for b in self.barriers
        ]


class OverviewPage(Model):
    domains: list[DomainCount]
    uncoded: Counts
    evidence_map: EvidenceMap
    counted_at: str = Field(description="when the counts were made (UTC, ISO 8601); reused for a minute")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def max_domain_cases(self) -> int:
        return max(
            [d.cases for d in self.domains] + [c.cases for d in self.domains for c in d.constructs] + [1]
        )


BAR_LABEL = 250  # px for the labels left of the bars
BAR_WIDTH = 330  # px for the longest bar
SHOWN_CONSTRUCTS = 6  # per domain in the chart (the table lists all)


def domain_bars(page: OverviewPage) -> tuple[list[dict[str, object]], int]:
    """Rows of the CFIR chart (a domain, then its busiest constructs) with y and bar widths."""
    rows: list[dict[str, object]] = []
    y = 8
    most = page.max_domain_cases
    for d in page.domains:
        rows.append({"kind": "domain", "label": f"{d.number}. {d.domain}", "counts": d, "y": y, "h": 22})
        y += 30
        for c in d.constructs[:SHOWN_CONSTRUCTS]:
            rows.append(
                {"kind": "construct", "label": c.name or c.construct_id, "counts": c, "y": y, "h": 14}
            )
            y += 22
        y += 8
    for row in rows:
        counts = row["counts"]
        row["w"] = round(BAR_WIDTH * counts.cases / most) if counts.cases else 0  # type: ignore[attr-defined]
    return rows, y


def level(cases: int, most: int) -> int:
    """Shade 1..4 on a log scale up to the busiest cell (1 case is always the lightest); 0 = none."""
    if cases <= 0:
        return 0
    if most <= 4:
        return min(cases, 4)
    return 1 + min(3, round(3 * math.log(cases) / math.log(most)))


def overview_data(driver: Driver) -> OverviewPage:
    """The overview's counts, reused for OVERVIEW_TTL seconds unless something was written to the
    graph meanwhile (`graph.versioned_cache.graph_version`)."""
    return _cache.get(id(driver), graph_version(driver), lambda: count_overview(driver))


def count_overview(driver: Driver) -> OverviewPage:
    cfir = queries.barriers_by_cfir(driver)
    raw = queries.evidence_map(driver)
    cells = [Cell(**c) for c in raw["cells"]]
    most = max([c.cases for c in cells] + [0])
    for c in cells:
        c.level = level(c.cases, most)
    evidence = EvidenceMap(
        barriers=[Axis(**b) for b in raw["barriers"]],
        approaches=[Axis(id=a["id"], name=a["name"], cases=a["linked"]) for a in raw["approaches"]],
        cells=cells,
        max_cases=most,
    )
    return OverviewPage(
        domains=[DomainCount(**d) for d in cfir["domains"]],
        uncoded=Counts(**cfir["uncoded"]),
        evidence_map=evidence,
        counted_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


@router.get("/overview", summary="Barriers by CFIR 2.0 domain and the barrier x approach evidence map")
async def overview_page(request: Request, driver: DriverDep) -> Response:
    page = await run_in_threadpool(overview_data, driver)
    bars, height = domain_bars(page)
    return respond(
        request,
        "overview.html",
        page,
        bars=bars,
        bars_height=height,
        bar_label=BAR_LABEL,
        grid=page.evidence_map.grid(),
        fills=LEVEL_FILL,
        inks=LEVEL_INK,
    )
