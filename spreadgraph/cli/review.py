"""`spreadgraph review list | publish ID... [--all-pending] | reject ID --reason` for cases,
`review groups | decide GROUP... --confirm|--reject|--rename NAME|--merge-into ITEM_ID` for
suggestions grouped by case and item, and `review claims | confirm CLAIM_ID... |
reject-claim CLAIM_ID... [--note]` for single suggested claims."""

from __future__ import annotations

import getpass

import typer
from rich.console import Console
from rich.table import Table

from spreadgraph.graph.decisions import (
    decide_case,
    decide_suggested_claim,
    list_cases,
    suggested_claims,
)
from spreadgraph.graph.group_decisions import decide_groups
from spreadgraph.graph.review_queue import suggested_groups
from spreadgraph.schema.model import CASE_STATUSES

app = typer.Typer(help="Review submitted cases: list them, publish or reject.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
STATES = (*CASE_STATUSES, "all")


@app.command("list")
def list_(status: str = typer.Option("pending", "--status", "-s", help=" | ".join(STATES))) -> None:
    """List cases in a review state (pending by default)."""
    if status not in STATES:
        raise typer.BadParameter(f"--status must be one of: {', '.join(STATES)}")
    rows = list_cases(None if status == "all" else status)
    table = Table("id", "title", "status", "revision", "submitted by", "submitted at")
    for row in rows:
        table.add_row(
            *(
                str(row[k] or "")
                for k in ("id", "title", "status", "revision", "submitted_by", "submitted_at")
            )
        )
    out.print(table)
    out.print(f"{len(rows)} case(s)")


def _reviewer(value: str | None) -> str:
    return value or getpass.getuser()


@app.command()
def publish(
    case_ids: list[str] = typer.Argument(None, help="Case ids, e.g. pfcc-phase-2-peer-coaching."),
    all_pending: bool = typer.Option(False, "--all-pending", help="Publish every pending case."),
    reviewer: str | None = typer.Option(None, "--reviewer", help="Who reviewed it (default: you)."),
    revision: int | None = typer.Option(
        None, "--revision", min=1, help="The revision you reviewed (one case); refused if it changed since."
    ),
) -> None:
    """Publish cases so that search and pages show them."""
    if all_pending:
        case_ids = [*(case_ids or []), *(row["id"] for row in list_cases("pending"))]
    if not case_ids:
        raise typer.BadParameter("name at least one case id, or use --all-pending")
    if revision is not None and len(case_ids) != 1:
        raise typer.BadParameter("--revision names the revision of one case")
    for case_id in case_ids:
        key = decide_case(case_id, "published", reviewer=_reviewer(reviewer), via="cli", revision=revision)
        out.print(f"published {key}")


@app.command()
def reject(
    case_id: str = typer.Argument(..., help="Case id."),
    reason: str = typer.Option(..., "--reason", help="Why it was rejected (kept with the case)."),
    reviewer: str | None = typer.Option(None, "--reviewer", help="Who reviewed it (default: you)."),
    revision: int | None = typer.Option(
        None, "--revision", min=1, help="The revision you reviewed; refused if it changed since."
    ),
) -> None:
    """Reject a case, giving the reason."""
    if not reason.strip():
        raise typer.BadParameter("--reason must not be empty")
    key = decide_case(
        case_id, "rejected", reviewer=_reviewer(reviewer), note=reason.strip(), via="cli", revision=revision
    )
    out.print(f"rejected {key}: {reason.strip()}")


@app.command()
def claims(limit: int = typer.Option(50, "--limit", min=1, help="How many to show.")) -> None:
    """List machine-suggested claims, most confident first, with their evidence sentence."""
    total, rows = suggested_claims(limit)
    table = Table("id", "kind", "subject", "object", "confidence", "evidence")
    for row in rows:
        evidence = row.get("evidence") or {}
        table.add_row(
            row["id"],
            row["kind"] or "",
            row["subject"] or "",
            row["object"] or "",
            f"{row['confidence']:.2f}" if row["confidence"] is not None else "",
            (evidence.get("sentence") or evidence.get("text") or "")[:120],
        )
    out.print(table)
    out.print(f"{len(rows)} of {total} suggested claim(s)")


def _decide(claim_ids: list[str], decision: str, reviewer: str | None, note: str | None) -> None:
    for claim_id in claim_ids:
        decide_suggested_claim(claim_id, decision, reviewer=_reviewer(reviewer), note=note, via="cli")
        out.print(f"{decision} {claim_id}")


@app.command()
def confirm(
    claim_ids: list[str] = typer.Argument(..., help="Claim ids (see `spreadgraph review claims`)."),
    note: str | None = typer.Option(None, "--note", help="A remark kept with the decision."),
    reviewer: str | None = typer.Option(None, "--reviewer", help="Who reviewed it (default: you)."),
) -> None:
    """Confirm suggested claims (the evidence supports them)."""
    _decide(claim_ids, "confirmed", reviewer, note)


@app.command("reject-claim")
def reject_claim(
    claim_ids: list[str] = typer.Argument(..., help="Claim ids (see `spreadgraph review claims`)."),
    note: str | None = typer.Option(None, "--note", help="Why (kept with the decision)."),
    reviewer: str | None = typer.Option(None, "--reviewer", help="Who reviewed it (default: you)."),
) -> None:
    """Reject suggested claims."""
    _decide(claim_ids, "rejected", reviewer, note)


@app.command()
def groups(
    limit: int = typer.Option(25, "--limit", min=1, help="How many groups to show."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many groups."),
) -> None:
    """List suggestions grouped by case and item, most confident first (decide them with `decide`)."""
    totals, rows = suggested_groups(limit, offset)
    table = Table("group", "item", "claims", "passages", "confidence", "first passage")
    for row in rows:
        passage = (row["passages"] or [{}])[0]
        table.add_row(
            row["id"],
            f"{row['item_label']}: {row['item_name'] or ''}",
            str(row["claim_count"]),
            str(row["passage_count"]),
            f"{row['confidence']:.2f}" if row["confidence"] is not None else "",
            (passage.get("sentence") or passage.get("text") or "")[:120],
        )
    out.print(table)
    out.print(f"{len(rows)} of {totals['groups']} group(s), {totals['claims']} suggested claim(s)")


@app.command()
def decide(
    group_ids: list[str] = typer.Argument(..., help="Group ids (see `spreadgraph review groups`)."),
    confirm: bool = typer.Option(False, "--confirm", help="Confirm every suggested claim of the groups."),
    reject: bool = typer.Option(False, "--reject", help="Reject every suggested claim of the groups."),
    rename: str | None = typer.Option(
        None,
        "--rename",
        help="Rename the groups' item (in every case; the old name becomes an alias) and confirm.",
    ),
    merge_into: str | None = typer.Option(
        None, "--merge-into", help="Merge the groups' item into this item (same kind) and confirm."
    ),
    note: str | None = typer.Option(None, "--note", help="A remark kept with the decision."),
    reviewer: str | None = typer.Option(None, "--reviewer", help="Who reviewed it (default: you)."),
) -> None:
    """Decide whole groups at once: one recorded decision per group, naming each claim it decided."""
    chosen = [
        a
        for a, on in (("confirm", confirm), ("reject", reject), ("rename", rename), ("merge", merge_into))
        if on
    ]
    if len(chosen) != 1:
        raise typer.BadParameter(
            "give exactly one of --confirm, --reject, --rename NAME, --merge-into ITEM_ID"
        )
    done = decide_groups(
        group_ids,
        chosen[0],
        reviewer=_reviewer(reviewer),
        note=note,
        via="cli",
        name=rename,
        into=merge_into,
    )
    for record in done:
        what = {
            "rename": f"renamed to '{record['new_name']}' and ",
            "merge": f"merged into {record['merged_into']} and ",
        }
        claims = len(record["claims"])
        out.print(f"{what.get(record['action'], '')}{record['status']} {record['group']}: {claims} claim(s)")
