"""The observatory's public API and dashboard. Nothing below the county is published, and
below the nation a cell of fewer than 5 events is held back (`formulas.publish`)."""

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import plotly
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from sabt.kit import clock, csp
from sabt.kit.errors import BadInput, SabtError
from sabt.kit.settings import instance_dir
from sabt.observatory import charts, definitions, published, service
from sabt.observatory.cells import Area
from sabt.observatory.snapshot import current
from sabt.persian import places
from sabt.persian.digits import number_fa, to_persian
from sabt.persian.jalali import format_fa, jalali_parts

router = APIRouter()

_PLOTLY = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
_FONT = Path("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf")  # fonts-noto-core
_YEARS_SHOWN = 15
_EXAMPLE: dict[str, Any] = {"year": 1402, "province": None, "county": None,
            "indicators": {"births": 1057948, "tfr": 1.61, "asfr": {"15-19": 0.03}},
            "suppressed": []}  # fmt: skip


def _home(request: Request) -> Path:
    return instance_dir(request.app.state.settings)


@router.get(
    "/api/v1/observatory/indicators",
    tags=["observatory"],
    responses={
        200: {"content": {"application/json": {"example": _EXAMPLE}}},
        422: {"description": "unknown province, county or indicator; year outside the register"},
    },
)
def indicators(
    request: Request,
    year: Annotated[
        int, Query(ge=1, le=9999, description="Jalali year of the events", examples=[1402])
    ],
    province: Annotated[
        str | None, Query(description="ISO 3166-2 code", examples=["IR-07"])
    ] = None,
    county: Annotated[str | None, Query(description="four-digit county code")] = None,
    indicator: Annotated[str | None, Query(description="only this indicator")] = None,
) -> JSONResponse:
    """A year's vital statistics for the country, a province or a county, each with its
    definition. Public: below the nation a value resting on fewer than 5 events is `null`
    and named in `suppressed`."""
    area = service.area_of(province, county)
    service.check_indicator(indicator)
    report = service.report(request.app.state.engine, _home(request), year, area)
    return JSONResponse(service.as_json(report, indicator))


@router.get("/api/v1/observatory/pyramid", tags=["observatory"])
def pyramid(
    request: Request,
    on: Annotated[
        str | None,
        Query(alias="date", description="Jalali day; today if left out", examples=["1403/01/01"]),
    ] = None,
    province: Annotated[str | None, Query(description="ISO 3166-2 code")] = None,
    county: Annotated[str | None, Query(description="four-digit county code")] = None,
) -> dict[str, Any]:
    """The living population by 5-year age group and sex on a day (population counts, not
    events: never held back)."""
    area = service.area_of(province, county)
    day = service.parse_day(on) if on else clock.today_tehran()
    found = service.pyramid_on(request.app.state.engine, _home(request), day, area)
    return {"date": day.isoformat(), "province": area.code if area.level == "province" else None,
            "county": area.code if area.level == "county" else None, **found}  # fmt: skip


# --- the dashboard


@router.get("/observatory", response_class=HTMLResponse, include_in_schema=False)
def dashboard(request: Request, year: str | None = None, province: str | None = None) -> Response:
    try:
        return _dashboard(request, year, province or None)
    except SabtError as exc:
        return _page("observatory_message.html", exc.status, message=exc.message_fa)


def _dashboard(request: Request, year_text: str | None, province: str | None) -> Response:
    db, home = request.app.state.engine, _home(request)
    snapshot_years = service.years_covered(current(db, home))
    year = _year(year_text, snapshot_years)
    area = service.area_of(province)
    nation = service.report(db, home, year, Area("nation"))
    local = service.report(db, home, year, area) if area.level != "nation" else None
    shown = local or nation
    name = places.provinces()[area.code].name_fa if area.code else "کل کشور"
    tfr_lines = {"کل کشور": service.tfr_series(db, home, Area("nation"), _YEARS_SHOWN)}
    if local:
        tfr_lines[name] = service.tfr_series(db, home, area, _YEARS_SHOWN)
    published_tfr = [(f.year, f.value) for f in published.for_area(None)
                     if f.indicator == "tfr" and f.year >= year - _YEARS_SHOWN]  # fmt: skip
    shown_json = service.as_json(shown)
    figures = {
        "chart-pyramid": charts.pyramid(shown.pyramid),
        "chart-months": charts.months(shown_json["monthly"]["births"],
                                      shown_json["monthly"]["deaths"]),
        "chart-tfr": charts.tfr(tfr_lines, published_tfr),
    }  # fmt: skip
    first_year, running = snapshot_years
    return _page(
        "observatory_dashboard.html", 200, scripts=True,
        year=year, years=list(range(running, max(first_year, running - _YEARS_SHOWN) - 1, -1)),
        province=area.code, provinces=sorted(places.provinces().values(), key=lambda p: p.name_fa),
        name=name, nation=service.as_json(nation), local=service.as_json(local) if local else None,
        definitions=definitions.INDICATORS, published=service.published_beside(shown),
        figures=figures, plotly_style_ids=_plotly_style_ids(), complete=shown.complete,
        through=format_fa(shown.through),
    )  # fmt: skip


def _year(text: str | None, covered: tuple[int, int]) -> int:
    """The year asked for, else the last complete one."""
    if not text:
        return max(covered[0], covered[1] - 1)
    digits = text.strip().translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    if not digits.isdigit():
        raise BadInput("bad_year", f"سال «{text}» عدد نیست", f"year {text!r} is not a number")
    return int(digits)


@router.get("/observatory/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    """Plotly's JavaScript from the installed Python package (no CDN), the page's script,
    and the Persian font."""
    files = {"plotly.min.js": (_PLOTLY, "text/javascript"),
             "dashboard.js": (_own("dashboard.js"), "text/javascript"),
             "naskh.ttf": (_FONT, "font/ttf")}  # fmt: skip
    found = files.get(name)
    if found is None or not found[0].is_file():
        return Response(status_code=404)
    return FileResponse(found[0], media_type=found[1],
                        headers={"cache-control": "public, max-age=86400",
                                 "x-content-type-options": "nosniff"})  # fmt: skip


@cache
def _plotly_style_ids() -> tuple[str, ...]:
    """The ids of the stylesheets the Plotly bundle injects on load unless an element of that
    id is already there (its map library's CSS, named by a hash of its text)."""
    text = _PLOTLY.read_text(encoding="utf-8")
    return tuple(dict.fromkeys(re.findall(r'getElementById\("([0-9a-f]{64})"\)', text)))


def _own(name: str) -> Path:
    return Path(str(resources.files("sabt.observatory").joinpath("static", name)))


@cache
def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("sabt.observatory", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    env.filters["fa"] = number_fa
    return env


def _page(template: str, status: int, scripts: bool = False, **context: Any) -> HTMLResponse:
    nonce = csp.new_nonce()
    html = (
        _templates()
        .get_template(template)
        .render(nonce=nonce, fa=to_persian, jalali_year=lambda d: jalali_parts(d)[0], **context)
    )
    return HTMLResponse(html, status_code=status, headers=csp.page_headers(nonce, scripts=scripts))
