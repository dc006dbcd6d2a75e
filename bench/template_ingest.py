"""Template ingest throughput: bulk ingest against a same-run naive writer.

Generates N synthetic but realistic case templates (names from small word lists, with shared
barriers, enablers and approaches so that name resolution matters), writes them as YAML files,
and ingests them as `spreadgraph ingest folder/` does (ingest/templates/bulk.py: read, load and
validate each file, then write 250 valid templates per transaction with UNWIND) into a throw-away
local Neo4j; then ingests them all again (all unchanged: nothing is written). As a same-run
baseline it exports exactly the data the bulk path wrote, wipes it, and writes it again with one
auto-commit statement per node and per relationship (no batching, no UNWIND, no explicit
transaction), then checks that the graph fingerprint matches the bulk path's. The ratio is
naive time / bulk time. `--per-case` also times the one-transaction-per-case path
(`ingest_file`, the web form's write) on a fresh graph and checks it makes the same graph
(timestamps aside).

    .venv/bin/python -m bench.template_ingest [--cases 1000] [--seed 7] [--batch 250] [--per-case] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

import yaml
from neo4j import Driver
from neo4j.time import DateTime
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.templates.bulk import BulkIngest
from spreadgraph.ingest.templates.template_ingest import check_file, ingest_file
from spreadgraph.schema import vocab

from bench.scratch import scratch_server

KEEP = ("CfirDomain", "CfirConstruct", "Cfir2009Construct", "EricStrategy", "EricCluster", "NasssDomain")
KEEP += ("SchemaMigration",)

# --- word lists for the synthetic cases -------------------------------------------------------
PLACES = (
    "Ashford", "Barnfield", "Calder", "Dunmore", "Elmbridge", "Fairhaven", "Glenside", "Harrowgate",
    "Ivybridge", "Kingsmead", "Larchfield", "Millbrook", "Northgate", "Oakley", "Penrith Vale",
    "Queensway", "Riverside", "Stonebridge", "Thornbury", "Upton", "Westmoor", "Yarrow",
)  # fmt: skip
ORG_KINDS = (
    "NHS Foundation Trust", "Primary Care Network", "Community Health Services", "Hospice",
    "Integrated Care Board", "Mental Health Trust", "GP Federation",
)  # fmt: skip
SETTINGS = (
    "primary care", "acute hospital", "community nursing", "hospice", "mental health services",
    "outpatient clinics", "care homes", "urgent care", "maternity services", "pharmacy",
)  # fmt: skip
TOPICS = (
    "remote monitoring", "shared decision making", "peer support", "virtual ward", "self-management",
    "medicines review", "falls prevention", "early discharge", "digital triage", "social prescribing",
    "group consultations", "frailty screening", "patient-held record", "exercise programme",
)  # fmt: skip
TYPES = ("digital tool", "care pathway", "training", "service model", "improvement methodology")
CONDITIONS = (
    "COPD", "heart failure", "diabetes", "dementia", "knee pain", "depression", "asthma",
    "chronic kidney disease", "frailty", "psoriasis", "hypertension", "long COVID",
)  # fmt: skip
BARRIERS = (
    ("Lack of staff time", "Clinicians had no protected time for the new work."),
    ("Staff turnover", "Key staff left mid-project and knowledge went with them."),
    ("Poor IT interoperability", "Systems could not exchange data with the GP record."),
    ("Unclear funding after pilot", "No recurrent budget was agreed beyond the pilot year."),
    ("Low senior commitment", "Executives did not prioritise the work."),
    ("Patient digital exclusion", "Some patients lacked devices, data or confidence online."),
    ("Professional scepticism", "Some clinicians doubted the evidence for the change."),
    ("Information governance delays", "Data-sharing agreements took months to sign."),
    ("Competing priorities", "Winter pressures crowded out improvement work."),
    ("Workforce shortages", "Vacancies meant the service ran below establishment."),
    ("Hierarchical culture", "Junior staff felt unable to change established routines."),
    ("Weak data collection", "Outcomes were not recorded consistently."),
)  # fmt: skip
ENABLERS = (
    ("Clinical champion", "A respected clinician advocated for the change locally."),
    ("Protected project time", "Staff were released from clinics to lead the work."),
    ("Patient involvement", "Patients helped design materials and the pathway."),
    ("Executive sponsorship", "A board member sponsored the programme."),
    ("Flexible local adaptation", "Sites could adapt the model to their own context."),
    ("Existing network relationships", "Trusted links between organisations already existed."),
    ("Simple technology", "The tool worked on patients' own phones without training."),
    ("Regular feedback data", "Teams saw monthly data on their progress."),
)  # fmt: skip
APPROACHES = (
    ("Peer coaching", "Staff from earlier sites coached new sites by phone."),
    ("Learning collaborative", "Sites met quarterly to share progress and problems."),
    ("Train the trainer", "Local trainers were trained to cascade the model."),
    ("Audit and feedback", "Teams received regular reports comparing their performance."),
    ("Implementation toolkit", "A toolkit of templates, guides and case examples."),
    ("Facilitation visits", "An external facilitator visited each site."),
    ("Patient co-design workshops", "Patients and staff redesigned the pathway together."),
    ("Phased roll-out", "The service was introduced site by site with a review after each."),
    ("Local champions network", "Each site named a champion who met with the others."),
    ("Funding incentive", "Sites received a payment for meeting milestones."),
)  # fmt: skip
ROLES = ("practice nurse", "service manager", "GP partner", "physiotherapist", "patient", "pharmacist")
MEASURES = (
    "Emergency admissions", "Patient-reported confidence", "Staff satisfaction", "Waiting time",
    "Uptake among eligible patients", "Bed days", "Cost per patient",
)  # fmt: skip
DIRECTIONS = ("improved", "worsened", "no change", "mixed", "unclear")
STRENGTHS = ("strong", "moderate", "weak", "anecdotal")
SPREAD = ("piloted", "spreading", "sustained", "stopped")
ADOPT = ("planned", "piloting", "adopted", "sustained")
EFFECTS = ("addressed", "partly addressed", "did not address", "caused")
CONTRIBUTORS = ("Alex Morgan", "Sam Patel", "Jo Williams", "Chris Okafor", "Pat Nguyen", "Robin Hughes")


def make_template(n: int, rng: random.Random, cfir: list[str], eric: list[str]) -> dict:
    """One case template as plain data; names are drawn so that many cases share items."""
    topic, condition = rng.choice(TOPICS), rng.choice(CONDITIONS)
    innovation = f"{topic.capitalize()} for {condition}"  # 168 innovations, shared across cases
    place = rng.choice(PLACES)
    org = f"{place} {rng.choice(ORG_KINDS)}"
    setting = rng.choice(SETTINGS)
    start = rng.randint(2012, 2022)
    barriers = rng.sample(BARRIERS, rng.randint(2, 5))
    enablers = rng.sample(ENABLERS, rng.randint(1, 3))
    approaches = rng.sample(APPROACHES, rng.randint(1, 4))
    sites = [f"{p} {rng.choice(ORG_KINDS)}" for p in rng.sample(PLACES, rng.randint(1, 3))]
    spread = rng.choice(SPREAD)
    # A few names are written with different case/spacing, as contributors do.
    restyle = (lambda s: s.upper() if rng.random() < 0.5 else "  ".join(s.split())) if n % 9 == 0 else str
    links = [
        {"approach": a[0], "barrier": b[0], "effect": rng.choice(EFFECTS)}
        for a, b in zip(approaches, barriers, strict=False)
    ]
    return {
        "template_version": 1,
        "id": f"bench-{n:05d}-{place.lower().replace(' ', '-')}-{topic.replace(' ', '-')}",
        "title": f"{innovation} in {org} ({start})",
        "summary": (
            f"{org} introduced {topic} for people with {condition} in {setting}. "
            f"The work started in {start} and was {spread} by the end of the period."
        ),
        "narrative": f"The team at {org} ran the {topic} service with {len(sites)} partner site(s).",
        "period": f"{start}-{start + rng.randint(1, 4)}",
        "spread_status": spread,
        "innovation": {
            "name": innovation,
            "type": rng.choice(TYPES),
            "description": f"A {topic} model for {condition} care.",
        },
        "contexts": [
            {
                "setting": setting,
                "sector": "NHS",
                "country": "England",
                "scale": rng.choice(("single site", "multi-site", "regional")),
                "organisations": [org],
            }
        ],
        "adoptions": [
            {"site": site, "status": rng.choice(ADOPT), "started": str(start + i)}
            for i, site in enumerate(sites)
        ],
        "approaches": [
            {"name": restyle(name), "description": text, "eric": rng.choice(eric)}
            for name, text in approaches
        ],
        "barriers": [
            {"name": restyle(name), "description": text, "cfir": rng.choice(cfir)} for name, text in barriers
        ],
        "enablers": [
            {"name": name, "description": text, "cfir": rng.choice(cfir)} for name, text in enablers
        ],
        "links": links,
        "outcomes": [
            {
                "measure": measure,
                "value": f"{rng.randint(3, 40)}% change over {rng.randint(6, 24)} months",
                "direction": rng.choice(DIRECTIONS),
                "evidence": rng.choice(STRENGTHS),
            }
            for measure in rng.sample(MEASURES, rng.randint(1, 3))
        ],
        "lessons": [
            f"Start {topic} with the teams that asked for it.",
            f"Agree how {condition} outcomes will be recorded before go-live.",
        ][: rng.randint(1, 2)],
        "excerpts": [
            {
                "quote": f"(paraphrase) The {topic} work only stuck once it was part of the routine.",
                "speaker_role": rng.choice(ROLES),
                "paraphrase": True,
                "de_identified": True,
                "source": 1,
            }
        ],
        "sources": [
            {
                "citation": f"{place} evaluation report on {topic} for {condition}, {start + 1}.",
                "link": f"https://example.org/reports/{n}",
                "section": "Findings",
            }
        ],
        "contributor": {
            "name": (who := rng.choice(CONTRIBUTORS)),
            "organisation": org,
            "contact": who.lower().replace(" ", ".") + "@example.org",
        },
    }


def write_templates(folder: Path, count: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    cfir = sorted(vocab.cfir().names.values())
    eric = sorted(vocab.eric().names.values())
    paths = []
    for n in range(count):
        path = folder / f"case-{n:05d}.yaml"
        path.write_text(yaml.safe_dump(make_template(n, rng, cfir, eric), sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


# --- the naive writer ------------------------------------------------------------------------
_EXPORT_NODES = """
MATCH (n) WHERE none(l IN labels(n) WHERE l IN $keep)
RETURN labels(n) AS labels, properties(n) AS props
"""
_EXPORT_RELS = """
MATCH (a)-[r]->(b)
WHERE any(n IN [a, b] WHERE none(l IN labels(n) WHERE l IN $keep))
RETURN labels(a)[0] AS a_label, a.id AS a, type(r) AS type, labels(b)[0] AS b_label, b.id AS b,
       properties(r) AS props
"""


def _tick(name: str) -> str:
    assert name.replace("_", "").isalnum(), name
    return f"`{name}`"


def export(driver: Driver) -> tuple[list, list]:
    nodes, _, _ = driver.execute_query(_EXPORT_NODES, keep=list(KEEP))
    rels, _, _ = driver.execute_query(_EXPORT_RELS, keep=list(KEEP))
    return [dict(r) for r in nodes], [dict(r) for r in rels]


def wipe(driver: Driver) -> None:
    with driver.session() as session:
        session.run(
            "MATCH (n) WHERE none(l IN labels(n) WHERE l IN $keep) "
            "CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS",
            keep=list(KEEP),
        ).consume()


def naive_write(driver: Driver, nodes: list, rels: list) -> None:
    """One auto-commit statement per node and per relationship."""
    with driver.session() as session:
        for node in nodes:
            labels = ":".join(_tick(label) for label in node["labels"])
            session.run(f"CREATE (n:{labels}) SET n = $props", props=node["props"]).consume()
        for rel in rels:
            session.run(
                f"MATCH (a:{_tick(rel['a_label'])} {{id: $a}}), (b:{_tick(rel['b_label'])} {{id: $b}}) "
                f"CREATE (a)-[r:{_tick(rel['type'])}]->(b) SET r = $props",
                a=rel["a"],
                b=rel["b"],
                props=rel["props"],
            ).consume()


# --- the run ---------------------------------------------------------------------------------


def timeless(driver: Driver) -> tuple[list[str], list[str]]:
    """Every node and relationship as sorted text, without datetime properties (write times)."""
    nodes, rels = export(driver)

    def line(row: dict) -> str:
        props = {k: v for k, v in row.pop("props").items() if not isinstance(v, DateTime)}
        return json.dumps([row, props], sort_keys=True, default=str)

    return sorted(map(line, nodes)), sorted(map(line, rels))


def bulk_ingest(paths: list[Path], batch: int) -> tuple[list, BulkIngest]:
    bulk = BulkIngest(batch_size=batch)
    return [outcome for _, outcome in bulk.run(paths)], bulk


def run(cases: int, seed: int, batch: int = 250, per_case: bool = False, warmup: int = 20) -> dict:
    figures: dict = {"cases": cases, "seed": seed, "batch_size": batch}
    with tempfile.TemporaryDirectory(prefix="spreadgraph-bench-") as tmp:
        home, folder, warm = Path(tmp) / "home", Path(tmp) / "cases", Path(tmp) / "warm"
        folder.mkdir()
        warm.mkdir()
        paths = write_templates(folder, cases, seed)
        warm_paths = write_templates(warm, warmup, seed + 1)
        with scratch_server(home) as driver:
            # Warm-up (query plans, JIT, page cache) for every writer, then start clean.
            for path in warm_paths[: warmup // 2]:
                ingest_file(path)
            bulk_ingest(warm_paths, batch)
            naive_write_warm = export(driver)
            wipe(driver)
            naive_write(driver, *naive_write_warm)
            wipe(driver)

            began = time.perf_counter()
            valid = sum(check_file(p)[0] is not None for p in paths)
            figures["validate_only_s"] = round(time.perf_counter() - began, 3)
            assert valid == cases, f"only {valid} of {cases} synthetic templates are valid"

            began = time.perf_counter()
            outcomes, bulk = bulk_ingest(paths, batch)
            bulk_s = time.perf_counter() - began
            assert {getattr(o, "action", o) for o in outcomes} == {"created"}, outcomes[:3]
            assert not bulk.splits, bulk.splits
            bulk_print = fingerprint(driver)

            began = time.perf_counter()
            again, _ = bulk_ingest(paths, batch)
            rerun_s = time.perf_counter() - began
            assert {getattr(o, "action", o) for o in again} == {"unchanged"}
            assert fingerprint(driver) == bulk_print

            nodes, rels = export(driver)
            shared = driver.execute_query(
                "MATCH (n) WHERE n:Barrier OR n:Enabler OR n:Approach OR n:Innovation "
                "RETURN count(n) AS items"
            )[0][0]
            if per_case:
                bulk_lines = timeless(driver)
                wipe(driver)
                began = time.perf_counter()
                actions = {ingest_file(p).action for p in paths}
                figures["per_case_s"] = round(time.perf_counter() - began, 3)
                figures["per_case_templates_per_s"] = round(cases / figures["per_case_s"], 2)
                assert actions == {"created"}, actions
                figures["per_case_same_graph"] = timeless(driver) == bulk_lines
            wipe(driver)
            began = time.perf_counter()
            naive_write(driver, nodes, rels)
            naive_s = time.perf_counter() - began
            naive_print = fingerprint(driver)
    figures.update(
        nodes_written=len(nodes),
        relationships_written=len(rels),
        shared_items=shared["items"],
        bulk_ingest_s=round(bulk_s, 3),
        bulk_templates_per_s=round(cases / bulk_s, 2),
        rerun_unchanged_s=round(rerun_s, 3),
        rerun_templates_per_s=round(cases / rerun_s, 2),
        naive_write_s=round(naive_s, 3),
        naive_templates_per_s=round(cases / naive_s, 2),
        naive_statements=len(nodes) + len(rels),
        naive_over_bulk=round(naive_s / bulk_s, 2),
        same_graph=naive_print == bulk_print,
        cpus=os.cpu_count(),
        load_avg_1m=round(os.getloadavg()[0], 2),
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000, help="how many templates (default 1000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=250, help="templates per transaction (default 250)")
    parser.add_argument("--per-case", action="store_true", help="also time one transaction per case")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = run(args.cases, args.seed, args.batch, args.per_case)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    rows = [
        ("templates", f"{figures['cases']}"),
        ("nodes / relationships written", f"{figures['nodes_written']} / {figures['relationships_written']}"),
        ("shared items (barrier/enabler/approach/innovation)", f"{figures['shared_items']}"),
        ("validate only", f"{figures['validate_only_s']:.2f} s"),
        (f"bulk ingest (validate + {figures['batch_size']} per tx)", f"{figures['bulk_ingest_s']:.2f} s"),
        ("  templates/s", f"{figures['bulk_templates_per_s']:.1f}"),
        ("re-run, all unchanged", f"{figures['rerun_unchanged_s']:.2f} s"),
        ("  templates/s", f"{figures['rerun_templates_per_s']:.1f}"),
        ("naive writer (1 auto-commit per node/rel)", f"{figures['naive_write_s']:.2f} s"),
        ("  templates/s", f"{figures['naive_templates_per_s']:.1f}"),
        ("naive / bulk (time ratio)", f"{figures['naive_over_bulk']:.2f}x"),
        ("same graph fingerprint", str(figures["same_graph"])),
    ]
    if "per_case_s" in figures:
        rows += [
            ("per case (1 tx per case)", f"{figures['per_case_s']:.2f} s"),
            ("  same graph as bulk (timestamps aside)", str(figures["per_case_same_graph"])),
        ]
    rows.append(("cpus / 1-min load at end", f"{figures['cpus']} / {figures['load_avg_1m']}"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value:>14}")


if __name__ == "__main__":
    main()
