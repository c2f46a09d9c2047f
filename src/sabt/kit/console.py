"""Command-line support shared by every part's Typer commands.

Standard output carries only results; messages, warnings and progress go to standard
error. A user error (SabtError) prints its Persian and English message and exits with 2.
"""

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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
