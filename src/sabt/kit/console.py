"""Command-line support shared by every part's Typer commands.

Standard output carries only results; messages, warnings and progress go to standard
error. A user error (SabtError) prints its Persian and English message and exits with 2.
"""

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer._click import exceptions as click  # Typer vendors its own Click (0.29)
from typer.core import TyperGroup

from sabt.kit import settings
from sabt.kit.errors import SabtError

err = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")

DB_HELP = "database URL (else SABT_DATABASE_URL, else sqlite:///./sabt.db)"


def fail(error: SabtError) -> typer.Exit:
    err.print(f"[red]خطا:[/red] {error.message_fa}", highlight=False)
    err.print(f"[red]error:[/red] {error.message_en}", highlight=False)
    return typer.Exit(2)


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn SabtError into a clear message and exit status 2 (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except SabtError as exc:
            raise fail(exc) from None

    return wrapper


def database_url(option: str | None) -> str:
    return option or settings.load().database_url


def make_progress() -> Progress:
    """Rich progress bars on standard error."""
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=not err.is_terminal,
    )  # fmt: skip


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """One progress bar; yields `advance(k)`."""
    progress = make_progress()
    with progress:
        task = progress.add_task(description, total=total)

        def advance(k: int) -> None:
            progress.advance(task, k)

        yield advance
        if total is not None:
            progress.update(task, completed=total)


def out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


class BilingualGroup(TyperGroup):
    """The root `sabt` command: a usage error (an unknown option or command, a value of the
    wrong type, a missing argument) is told in Persian and English with exit status 2, as
    every other error of the command line; Click's own messages are English only."""

    def main(  # type: ignore[override]
        self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
        standalone_mode: bool = True, **extra: Any,
    ) -> Any:  # fmt: skip
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.NoArgsIsHelpError as exc:
            exc.show()
            result = exc.exit_code
        except click.UsageError as exc:
            _usage_error(exc)
            result = exc.exit_code
        except click.ClickException as exc:
            exc.show()
            result = exc.exit_code
        except typer.Abort:
            err.print("لغو شد / aborted")
            result = 1
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


def _usage_error(exc: click.UsageError) -> None:
    fa = usage_fa(exc)
    command = exc.ctx.command_path if exc.ctx is not None else "sabt"
    err.print(f"[red]خطا:[/red] {fa}؛ راهنما: {command} --help", highlight=False)
    err.print(f"[red]error:[/red] {exc.format_message()} (see {command} --help)", highlight=False)


def usage_fa(exc: click.UsageError) -> str:
    """What is wrong with how the command was called, in Persian."""
    option = ""
    if isinstance(exc, click.BadParameter):
        option = exc.param.opts[0] if exc.param is not None and exc.param.opts else ""
        option = option or str(exc.param_hint or "")
    if isinstance(exc, click.NoSuchOption):
        return f"گزینهٔ ناشناخته: {exc.option_name}"
    if isinstance(exc, click.MissingParameter):
        return f"«{option}» لازم است و داده نشده" if option else "ورودی لازمی داده نشده"
    if isinstance(exc, click.BadParameter):
        return f"مقدار {option} نادرست است"
    if exc.message.startswith("No such command"):
        return "چنین فرمانی نیست"
    if exc.message.startswith("Got unexpected extra argument"):
        return "ورودی اضافه داده شده است"
    return "فرمان نادرست به کار رفته است"
