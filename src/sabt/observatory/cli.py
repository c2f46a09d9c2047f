"""`sabt observatory`: indicators, the pyramid, exports, straight from the register's database
(through a snapshot built as needed)."""

import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from sabt.kit import clock, settings
from sabt.kit.console import DB_HELP, database_url, err, progress_bar, user_errors
from sabt.kit.errors import BadInput
from sabt.observatory import definitions, export, service, snapshot
from sabt.observatory.cells import Area
from sabt.persian.digits import number_fa, to_persian
from sabt.persian.jalali import format_fa
from sabt.registry import schema
from sabt.registry.db import make_engine

observatory_app = typer.Typer(
    help="The population observatory: vital statistics from the register.", no_args_is_help=True
)
DbOption = Annotated[str | None, typer.Option("--db", help=DB_HELP)]
ProvinceOption = Annotated[
    str | None, typer.Option("--province", help="ISO 3166-2 code of a province, e.g. IR-07")
]
CountyOption = Annotated[str | None, typer.Option("--county", help="four-digit county code")]
AllCellsOption = Annotated[
    bool,
    typer.Option("--all-cells", help="also show cells of fewer than 5 events (internal use only)"),
]


def _open(db: str | None) -> tuple[Any, Path]:
    engine = make_engine(database_url(db))
    schema.ensure(engine)
    return engine, settings.instance_dir(settings.load())


def _snapshot(engine: Any, home: Path) -> snapshot.Snapshot:
    return snapshot.current(engine, home, lambda step: err.print(f"[dim]{step}…[/dim]"))


def _json(obj: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(obj) + b"\n")


@observatory_app.command("report")
@user_errors
def report_command(
    year: Annotated[int, typer.Option("--year", help="Jalali year, e.g. 1402")],
    province: ProvinceOption = None,
    county: CountyOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on standard output")] = False,
    indicator: Annotated[str | None, typer.Option("--indicator", help="only this one")] = None,
    all_cells: AllCellsOption = False,
    db: DbOption = None,
) -> None:
    """Every indicator of a Jalali year, for the country, a province or a county."""
    area = service.area_of(province, county)
    service.check_indicator(indicator)
    engine, home = _open(db)
    _snapshot(engine, home)
    result = service.as_json(service.report(engine, home, year, area), indicator, all_cells)
    if as_json:
        _json(result)
    else:
        Console(highlight=False).print(_table(result, area))


def _table(result: dict[str, Any], area: Area) -> Table:
    where = {
        "nation": "کل کشور",
        "province": f"استان {area.code}",
        "county": f"شهرستان {area.code}",
    }
    through = format_fa(date.fromisoformat(result["period"]["through"]))
    period = "" if result["period"]["complete"] else f" (تا {through})"
    table = Table(title=f"شاخص‌های جمعیتی سال {to_persian(str(result['year']))}، "
                        f"{where[area.level]}{period}")  # fmt: skip
    for column in ("شاخص", "مقدار", "واحد", "تعریف"):
        table.add_column(column)
    held = set(result["suppressed"])
    for key, value in result["indicators"].items():
        d = definitions.INDICATORS[key]
        if key == "asfr":
            for group, rate in value.items():
                shown = "کمتر از ۵ واقعه" if f"asfr.{group}" in held else number_fa(rate, 4)
                table.add_row(f"{d.name_fa} {to_persian(group)}", shown, d.unit_fa, d.definition_fa)
            continue
        shown = "کمتر از ۵ واقعه" if key in held else number_fa(value)
        table.add_row(d.name_fa, shown, d.unit_fa, d.definition_fa)
    return table


@observatory_app.command("pyramid")
@user_errors
def pyramid_command(
    on: Annotated[str | None, typer.Option("--date", help="Jalali date (default: today)")] = None,
    province: ProvinceOption = None,
    county: CountyOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on standard output")] = False,
    db: DbOption = None,
) -> None:
    """The living population by 5-year age group and sex on a day."""
    area = service.area_of(province, county)
    day = service.parse_day(on) if on else clock.today_tehran()
    engine, home = _open(db)
    _snapshot(engine, home)
    pyramid = service.pyramid_on(engine, home, day, area)
    if as_json:
        _json({"date": day.isoformat(), "province": province, "county": county, **pyramid})
        return
    table = Table(title=f"هرم سنی در {to_persian(on or '')}".strip())
    for column in ("گروه سنی", "مرد", "زن"):
        table.add_column(column)
    for group, male, female in zip(pyramid["groups"], pyramid["male"], pyramid["female"],
                                   strict=True):  # fmt: skip
        table.add_row(to_persian(group), number_fa(male), number_fa(female))
    Console(highlight=False).print(table)


@observatory_app.command("export")
@user_errors
def export_command(
    out: Annotated[Path, typer.Option("--out", help="directory to write into")],
    first: Annotated[int | None, typer.Option("--from", help="first Jalali year")] = None,
    last: Annotated[int | None, typer.Option("--to", help="last Jalali year")] = None,
    level: Annotated[str, typer.Option("--level", help="province or county")] = "province",
    all_cells: AllCellsOption = False,
    db: DbOption = None,
) -> None:
    """Write every indicator, the monthly counts and the mid-year pyramids as CSV and
    Parquet (the nation and each province, or each county too), the last ten complete years
    unless told."""
    if level not in ("province", "county"):
        raise BadInput("bad_level", "سطح باید province یا county باشد",
                       "--level must be province or county")  # fmt: skip
    engine, home = _open(db)
    snap = _snapshot(engine, home)
    years = export.years_to_export(snap, first, last)
    areas = export.areas(level)
    with progress_bar("indicators", len(years) * len(areas)) as advance:
        written = export.write(snap, years, areas, out, all_cells, advance)
    for path in written:
        sys.stdout.write(f"{path}\n")


@observatory_app.command("snapshot")
@user_errors
def snapshot_command(db: DbOption = None) -> None:
    """Build (or find current) the Parquet snapshot the observatory reads; print its folder."""
    engine, home = _open(db)
    started = time.perf_counter()
    snap = _snapshot(engine, home)
    err.print(f"{snap.persons:,} persons, ledger {snap.ledger_seq}, "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    sys.stdout.write(f"{snap.directory}\n")
