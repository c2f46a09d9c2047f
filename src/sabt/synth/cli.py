"""`sabt synth`: build a synthetic register."""

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from sabt.kit import clock
from sabt.kit.console import DB_HELP, database_url, err, make_progress, user_errors
from sabt.kit.errors import BadInput
from sabt.persian.jalali import InvalidJalaliDate, from_jalali
from sabt.registry import schema
from sabt.registry import service as registry
from sabt.registry.db import make_engine
from sabt.synth import report
from sabt.synth.service import build


def parse_end(text: str | None) -> date:
    """The end date typed (Jalali), else today in Tehran: the register reaches the clock."""
    if text is None:
        return clock.today_tehran()
    try:
        end = from_jalali(text)
    except InvalidJalaliDate as exc:
        raise BadInput("bad_date", f"تاریخ پایان نامعتبر است: {text}", str(exc)) from exc
    if not from_jalali("1330/01/01") <= end <= from_jalali("1420/12/29"):
        raise BadInput(
            "bad_date",
            "تاریخ پایان باید میان ۱۳۳۰ و ۱۴۲۰ باشد",
            "the end date must be between 1330 and 1420",
        )
    return end


@user_errors
def synth(
    people: Annotated[int, typer.Option("--people", help="living people at the end date")] = 50_000,
    seed: Annotated[int, typer.Option("--seed", help="random seed (same seed, same register)")] = 1,
    end: Annotated[
        str | None, typer.Option("--end", help="end date, Jalali (default: today)")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    show_report: Annotated[
        bool, typer.Option("--report", help="print generated vs published figures")
    ] = False,
) -> None:
    """Build a synthetic population whose living population at the end date is N, with every
    deceased ancestor back to 1300, and load it into an empty register."""
    if not 100 <= people <= 100_000_000:
        raise BadInput(
            "bad_people",
            "تعداد افراد باید میان ۱۰۰ و ۱۰۰ میلیون باشد",
            "--people must be 100 .. 100,000,000",
        )
    end_date = parse_end(end)
    engine = make_engine(database_url(db))
    _require_empty(engine)
    with make_progress() as progress:
        simulating = progress.add_task("simulating years", total=None)
        loading = progress.add_task("loading register", total=None)
        result = build(
            engine,
            people,
            seed,
            end_date,
            on_year=lambda done, total: progress.update(simulating, completed=done, total=total),
            on_simulated=lambda total: progress.update(loading, total=total),
            on_loaded=lambda k: progress.advance(loading, k),
        )
        progress.update(loading, completed=result.records)
    err.print(
        f"loaded {result.imported.persons} persons, {result.imported.marriages} marriages, "
        f"{result.imported.mobiles} mobile numbers, {result.imported.offices} offices "
        f"(ledger entries {result.imported.first_seq}..{result.imported.last_seq})"
    )
    if show_report:
        Console(highlight=False).print(report.table(report.figures(result.population, people)))


def _require_empty(engine: Engine) -> None:
    schema.ensure(engine)
    if not registry.is_empty(engine):
        raise BadInput(
            "register_not_empty",
            "این ثبت خالی نیست؛ جمعیت ساختگی فقط در ثبت خالی ساخته می‌شود",
            "the register is not empty: synth builds into an empty register only",
        )
