"""The `sabt` command.

Each command's module is imported only when that command runs: `sabt --help` lists the
commands from the table below without importing FastAPI, SQLAlchemy or WeasyPrint, and
`sabt person show` imports the register's code only. (Click's documented "lazily loading
subcommands" pattern; Typer has no lazy form of `add_typer`.)
"""

import importlib
from contextvars import ContextVar
from typing import Any

import typer
from typer import _click as click  # Typer vendors its own Click (0.29)
from typer.core import TyperCommand

from sabt.kit.console import BilingualGroup

# name: (module, attribute, one line of help). An attribute is a Typer app (a group of
# commands) or a function (one command).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "db": ("sabt.registry.cli", "db_app", "The database: create or migrate its schema."),
    "ledger": ("sabt.registry.cli", "ledger_app", "The ledger: verify, checkpoint, replay."),
    "person": ("sabt.registry.cli", "person_app", "Persons in the register."),
    "identity": ("sabt.identity.cli", "identity_app", "Staff, clients, citizens, HODA keys."),
    "inheritance": ("sabt.inheritance.cli", "inheritance_app", "Heirs and shares."),
    "queue": ("sabt.registration.cli", "queue_app", "The registrar queue: list, take, decide."),
    "marriages": ("sabt.registration.cli", "marriages_app", "Marriages: expired terms."),
    "deaths": ("sabt.registration.cli", "deaths_app", "Deaths: revoke a wrong one."),
    "documents": ("sabt.documents.cli", "documents_app", "Signed documents: issue, verify."),
    "exchange": ("sabt.exchange.cli", "exchange_app", "Services to agencies: agencies, grants."),
    "observatory": ("sabt.observatory.cli", "observatory_app", "Vital statistics."),
    "export": ("sabt.registry.cli", "export_command", "Export the register to files."),
    "synth": ("sabt.synth.cli", "synth", "Build a synthetic register."),
    "serve": ("sabt.api.cli", "serve", "Serve the API, HODA, SAHIM and the observatory."),
    "demo": ("sabt.api.cli", "demo", "Build a demo register on SQLite and serve it."),
    "worker": ("sabt.estates.cli", "worker_command", "Settle estates and send notices."),
}

_listing: ContextVar[bool] = ContextVar("listing", default=False)


class LazyGroup(BilingualGroup):
    """The root group: commands from COMMANDS, each imported when it is called."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, summary = COMMANDS[cmd_name]
        if _listing.get():  # the help page needs only the name and the line of help
            return TyperCommand(cmd_name, help=summary, short_help=summary)
        return _command(cmd_name, getattr(importlib.import_module(module), attribute))

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        token = _listing.set(True)
        try:
            super().format_help(ctx, formatter)
        finally:
            _listing.reset(token)


def _command(name: str, target: Any) -> click.Command:
    """A Typer app as a group (even of one command, as `add_typer` made it), a function as
    one command."""
    if isinstance(target, typer.Typer):
        command: click.Command = typer.main.get_group(target)
    else:
        single = typer.Typer()
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


app = typer.Typer(
    name="sabt",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=LazyGroup,
)


@app.callback()
def sabt() -> None:
    """Sabt (ثبت): civil registration, vital statistics and digital identity."""


def main() -> None:
    app()
