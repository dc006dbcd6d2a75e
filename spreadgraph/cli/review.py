"""`spreadgraph review list | publish ID... [--all-pending] | reject ID --reason` for cases, and
`review claims | confirm CLAIM_ID... | reject-claim CLAIM_ID... [--note]` for suggested claims."""

from __future__ import annotations

import getpass

import typer
from rich.console import Console
from rich.table import Table

from spreadgraph.graph.decisions import decide_case, decide_suggested_claim, list_cases, suggested_claims
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
