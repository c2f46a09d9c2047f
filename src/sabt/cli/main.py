"""The `sabt` command."""

import typer

from sabt.api import cli as api_cli
from sabt.documents import cli as documents_cli
from sabt.estates import cli as estates_cli
from sabt.identity import cli as identity_cli
from sabt.inheritance import cli as inheritance_cli
from sabt.kit.console import BilingualGroup
from sabt.observatory import cli as observatory_cli
from sabt.registration import cli as registration_cli
from sabt.registry import cli as registry_cli
from sabt.synth import cli as synth_cli

app = typer.Typer(
    name="sabt",
    help="Sabt (ثبت): civil registration, vital statistics and digital identity.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=BilingualGroup,
)
app.add_typer(registry_cli.db_app, name="db")
app.add_typer(registry_cli.ledger_app, name="ledger")
app.add_typer(registry_cli.person_app, name="person")
app.add_typer(identity_cli.identity_app, name="identity")
app.add_typer(inheritance_cli.inheritance_app, name="inheritance")
app.add_typer(registration_cli.queue_app, name="queue")
app.add_typer(registration_cli.marriages_app, name="marriages")
app.add_typer(documents_cli.documents_app, name="documents")
app.add_typer(observatory_cli.observatory_app, name="observatory")
app.command("export")(registry_cli.export_command)
app.command("synth")(synth_cli.synth)
app.command("serve")(api_cli.serve)
app.command("demo")(api_cli.demo)
app.command("worker")(estates_cli.worker_command)


def main() -> None:
    app()
