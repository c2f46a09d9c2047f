"""`sabt observatory export`: the published figures as CSV and Parquet files, in long form
(one row per year, area and indicator), with the definitions beside them."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from sabt.kit import clock
from sabt.kit.errors import BadInput
from sabt.observatory import definitions, formulas, service
from sabt.observatory.cells import Area
from sabt.observatory.snapshot import Snapshot
from sabt.persian import places

DEFAULT_YEARS = 10


def years_to_export(snap: Snapshot, first: int | None, last: int | None) -> list[int]:
    """The years asked for (each checked), else the last ten complete ones."""
    covered_first, running = service.years_covered(snap)
    last = running - 1 if last is None else last
    first = max(covered_first, last - DEFAULT_YEARS + 1) if first is None else first
    for year in (first, last):
        service.check_year(snap, year)
    if first > last:
        raise BadInput("bad_years", f"سال آغاز ({first}) پس از سال پایان ({last}) است",
                       f"--from {first} is after --to {last}")  # fmt: skip
    return list(range(first, last + 1))


def areas(level: str) -> list[Area]:
    out = [Area("nation")] + [Area("province", iso) for iso in sorted(places.provinces())]
    if level == "county":
        out += [Area("county", code) for code in sorted(places.counties())]
    return out


def _name_fa(area: Area) -> str:
    if area.level == "province" and area.code:
        return places.provinces()[area.code].name_fa
    if area.level == "county" and area.code:
        return places.counties()[area.code].name_fa
    return "ایران"


def write(
    snap: Snapshot,
    years: list[int],
    areas: list[Area],
    out: Path,
    keep_all: bool,
    advance: Callable[[int], None],
) -> list[Path]:
    rows: dict[str, list[dict[str, Any]]] = {"indicators": [], "monthly": [], "pyramid": []}
    today = clock.today_tehran()
    for year in years:
        for area in areas:
            _add(rows, service.compute(snap, year, area, today), keep_all)
            advance(1)
    rows["definitions"] = [{"indicator": k, **definitions.as_json(k)}
                           for k in definitions.INDICATORS]  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table_rows in rows.items():
        table = pa.Table.from_pylist(table_rows)
        pa_csv.write_csv(table, out / f"{name}.csv")
        pq.write_table(table, out / f"{name}.parquet")
        written += [out / f"{name}.csv", out / f"{name}.parquet"]
    return written


def _add(rows: dict[str, list[dict[str, Any]]], r: service.Report, keep_all: bool) -> None:
    where = {"year": r.year, "level": r.area.level, "area": r.area.code or "IR",
             "area_name_fa": _name_fa(r.area)}  # fmt: skip
    shown = formulas.publish(r.values, r.months, r.area.level == "nation", keep_all)
    held = set(shown.suppressed)
    for key, value in shown.indicators.items():
        pairs = value.items() if key == "asfr" else [(None, value)]
        for group, v in pairs:
            name = f"{key}.{group}" if group else key
            rows["indicators"].append({**where, "indicator": name, "value": _float(v),
                                       "suppressed": name in held})  # fmt: skip
    for key, months in shown.monthly.items():
        for month, v in enumerate(months, start=1):
            rows["monthly"].append({**where, "month": month, "indicator": key, "value": v,
                                    "suppressed": f"monthly.{key}.{month}" in held})  # fmt: skip
    for sex in ("male", "female"):
        for group, n in zip(r.pyramid["groups"], r.pyramid[sex], strict=True):
            rows["pyramid"].append({**where, "date": r.mid, "sex": sex, "age_group": group,
                                    "population": n})  # fmt: skip


def _float(v: Any) -> float | None:
    return None if v is None else float(v)
