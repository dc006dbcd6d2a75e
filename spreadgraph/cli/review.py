"""`spreadgraph review list | publish ID... [--all-pending] | reject ID --reason`."""

from __future__ import annotations

import getpass

import typer
from rich.console import Console
from rich.table import Table

from spreadgraph.errors import SpreadgraphError
from spreadgraph.graph.review import case_key, list_cases, set_status

app = typer.Typer(help="Review submitted cases: list them, publish or reject.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
STATES = ("pending", "published", "rejected", "all")


class CaseNotFound(SpreadgraphError):
    status = 404
    code = "case_not_found"


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
) -> None:
    """Publish cases so that search and pages show them."""
    if all_pending:
        case_ids = [*(case_ids or []), *(row["id"] for row in list_cases("pending"))]
    if not case_ids:
        raise typer.BadParameter("name at least one case id, or use --all-pending")
    for case_id in case_ids:
        if not set_status(case_id, "published", reviewer=_reviewer(reviewer)):
            raise CaseNotFound(f"no case with id {case_key(case_id)!r}", hint="see `spreadgraph review list`")
        out.print(f"published {case_key(case_id)}")


@app.command()
def reject(
    case_id: str = typer.Argument(..., help="Case id."),
    reason: str = typer.Option(..., "--reason", help="Why it was rejected (kept with the case)."),
    reviewer: str | None = typer.Option(None, "--reviewer", help="Who reviewed it (default: you)."),
) -> None:
    """Reject a case, giving the reason."""
    if not reason.strip():
        raise typer.BadParameter("--reason must not be empty")
    if not set_status(case_id, "rejected", reviewer=_reviewer(reviewer), note=reason.strip()):
        raise CaseNotFound(f"no case with id {case_key(case_id)!r}", hint="see `spreadgraph review list`")
    out.print(f"rejected {case_key(case_id)}: {reason.strip()}")
