"""`spreadgraph user add | list | remove | token`: web UI accounts (contributor, analyst, reviewer)."""

from __future__ import annotations

import getpass
import os
import sys

import typer
from rich.console import Console
from rich.table import Table

from spreadgraph.errors import SpreadgraphError
from spreadgraph.webui.auth import (
    ROLES,
    add_user,
    list_users,
    new_token,
    remove_user,
    revoke_tokens,
    users_path,
)

app = typer.Typer(
    help="Web UI accounts: contributors submit cases, analysts use the Cypher console, reviewers do both "
    "and publish and confirm.",
    no_args_is_help=True,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class NoSuchAccount(SpreadgraphError):
    status = 404
    code = "no_such_account"


def _password(password_env: str | None) -> str:
    """From $VAR, else a prompt (twice) on a terminal, else the first line of standard input."""
    if password_env:
        value = os.environ.get(password_env)
        if not value:
            raise typer.BadParameter(f"the environment variable {password_env} is not set or empty")
        return value
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            raise typer.BadParameter("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@app.command()
def add(
    name: str = typer.Argument(..., help="Account name: lower-case letters, digits, '.', '_', '-'."),
    role: str = typer.Option("contributor", "--role", help=" | ".join(ROLES)),
    password_env: str | None = typer.Option(
        None, "--password-env", help="Read the password from this environment variable instead of asking."
    ),
) -> None:
    """Create an account (or set a new role and password for an existing one: that ends its sessions
    and revokes its API tokens)."""
    if role not in ROLES:
        raise typer.BadParameter(f"--role must be one of: {', '.join(ROLES)}")
    user = add_user(name, role, _password(password_env))
    out.print(f"{user.name}: {user.role} (accounts in {users_path()})")


@app.command("list")
def list_() -> None:
    """List accounts with their role and their API tokens (id and expiry)."""
    rows = list_users()
    table = Table("name", "role", "API tokens (id, expires)", "created")
    for row in rows:
        tokens = ", ".join(f"{t['id']} ({t['expires'][:10]})" for t in row["tokens"]) or "-"
        table.add_row(row["name"], row["role"], tokens, str(row["created"] or ""))
    out.print(table)
    out.print(f"{len(rows)} account(s) in {users_path()}")


@app.command()
def remove(name: str = typer.Argument(..., help="Account name.")) -> None:
    """Remove an account; its sessions and API tokens stop working at once."""
    if not remove_user(name):
        raise NoSuchAccount(f"there is no account '{name}'", hint="see `spreadgraph user list`")
    out.print(f"removed {name}")


@app.command()
def token(
    name: str = typer.Argument(..., help="Account name."),
    revoke: str | None = typer.Option(None, "--revoke", help="Revoke the token with this id instead."),
    revoke_all: bool = typer.Option(False, "--revoke-all", help="Revoke every token of the account instead."),
    days: float | None = typer.Option(
        None, "--days", min=0.01, help="Days the new token is valid (default SPREADGRAPH_TOKEN_DAYS)."
    ),
) -> None:
    """Print a new API token for `Authorization: Bearer ...` (shown once; stored hashed; expires)."""
    if revoke_all or revoke:
        count = revoke_tokens(name, only=revoke)
        if revoke and not count:
            raise NoSuchAccount(
                f"{name} has no token with the id '{revoke}'", hint="see `spreadgraph user list`"
            )
        out.print(f"revoked {count} token(s) of {name}")
        return
    typer.echo(new_token(name, days=days))
    err.print("keep it safe: it is shown only this once (send it as `Authorization: Bearer TOKEN`)")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="user")
