"""The observatory's outputs as their users meet them: the public API, `sabt observatory`
(report, pyramid, export) and the dashboard's HTML; and bad input refused clearly."""

from collections.abc import Iterator
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from sabt.api.app import create_app
from sabt.cli.main import app as cli
from sabt.kit import clock
from sabt.kit.settings import Settings
from tests.api.test_api import assert_error
from tests.observatory import population

runner = CliRunner()
API = "/api/v1/observatory/indicators"


@pytest.fixture
def loaded(engine: Engine, fixed_clock: clock.FixedClock) -> Engine:
    population.load(engine)
    return engine


@pytest.fixture
def client(loaded: Engine, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=db_url, home=tmp_path))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_api_year_report(client: TestClient) -> None:
    body = client.get(API, params={"year": 1402}).json()
    assert (body["year"], body["province"], body["county"]) == (1402, None, None)
    i = body["indicators"]
    assert (i["births"], i["deaths"], i["marriages"], i["divorces"]) == (4, 2, 2, 2)
    assert i["tfr"] == pytest.approx(15.0) and set(i["asfr"]) == {
        "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49"}  # fmt: skip
    assert isinstance(i["births"], int) and isinstance(i["cbr"], float)
    assert body["suppressed"] == [] and body["definitions"]["tfr"]["definition_en"]


def test_api_province_is_public_so_small_cells_are_null(client: TestClient) -> None:
    body = client.get(API, params={"year": 1402, "province": "IR-23"}).json()
    assert body["province"] == "IR-23"
    assert body["indicators"]["births"] is None and "births" in body["suppressed"]
    assert body["indicators"]["population"] == 14


def test_api_one_indicator(client: TestClient) -> None:
    body = client.get(API, params={"year": 1402, "indicator": "imr"}).json()
    assert body["indicators"] == {"imr": pytest.approx(250.0)} and list(body["definitions"]) == [
        "imr"
    ]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"year": 1402, "province": "IR-99"}, "unknown_province"),
        ({"year": 1402, "county": "9999"}, "unknown_county"),
        (
            {"year": 1402, "province": "IR-10", "county": population.TEHRAN},
            "county_not_in_province",
        ),
        ({"year": 1499}, "year_outside_register"),
        ({"year": 1200}, "year_outside_register"),
        ({"year": 1402, "indicator": "happiness"}, "unknown_indicator"),
        ({"year": "last"}, "invalid_request"),
    ],
)
def test_api_bad_input(client: TestClient, params: dict[str, object], code: str) -> None:
    assert assert_error(client.get(API, params=params), 422)["code"] == code


def test_api_pyramid_on_a_day(client: TestClient) -> None:
    body = client.get("/api/v1/observatory/pyramid", params={"date": "1402/06/28"}).json()
    assert body["date"] == "2023-09-19" and sum(body["female"]) == 9 and sum(body["male"]) == 6
    assert_error(client.get("/api/v1/observatory/pyramid", params={"date": "1402/13/01"}), 422)
    assert_error(client.get("/api/v1/observatory/pyramid", params={"date": "1300/01/01"}), 422)


def test_dashboard_html(client: TestClient) -> None:
    page = client.get("/observatory", params={"year": "۱۴۰۲", "province": "IR-23"})
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'nonce-" in policy and "unsafe" not in policy
    assert "کمتر از ۵ واقعه" in page.text and "میزان باروری کل" in page.text
    assert client.get("/observatory/static/plotly.min.js").status_code == 200
    bad = client.get("/observatory", params={"year": "1499"})
    assert bad.status_code == 422 and "در ثبت نیست" in bad.text


# --- the command line


@pytest.fixture
def db(loaded: Engine, db_url: str, tmp_path: Path, fixed_clock: clock.FixedClock,
       monkeypatch: pytest.MonkeyPatch) -> str:  # fmt: skip
    monkeypatch.setenv("SABT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SABT_NOW", fixed_clock.now().isoformat())
    return db_url


def sabt(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_report_json_is_the_api_json(db: str, client: TestClient) -> None:
    status, out, _ = sabt("observatory", "report", "--year", "1402", "--json", "--db", db)
    assert status == 0
    body = orjson.loads(out)  # nothing else on standard output
    assert body["indicators"] == client.get(API, params={"year": 1402}).json()["indicators"]


def test_cli_report_province_and_all_cells(db: str) -> None:
    args = ("observatory", "report", "--year", "1402", "--province", "IR-23", "--json", "--db", db)
    assert orjson.loads(sabt(*args)[1])["indicators"]["births"] is None
    assert orjson.loads(sabt(*args, "--all-cells")[1])["indicators"]["births"] == 3


def test_cli_persian_table(db: str) -> None:
    status, out, _ = sabt("observatory", "report", "--year", "1402", "--db", db)
    assert status == 0 and "میزان باروری کل" in out and "۱۵٫۰۰" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--year", "1402", "--province", "IR-99"), "unknown province"),
        (("--year", "1600"), "outside the register"),
        (("--year", "1402", "--indicator", "x"), "unknown indicator"),
    ],
)
def test_cli_bad_input_exits_2(db: str, args: tuple[str, ...], message: str) -> None:
    status, out, err = sabt("observatory", "report", *args, "--json", "--db", db)
    assert status == 2 and out == "" and message in err and "خطا" in err


def test_cli_export(db: str, tmp_path: Path) -> None:
    out = tmp_path / "export"
    status, printed, _ = sabt("observatory", "export", "--out", str(out), "--from", "1402",
                              "--to", "1402", "--db", db)  # fmt: skip
    assert status == 0
    assert {Path(p).name for p in printed.split()} == {
        f"{n}.{ext}" for n in ("indicators", "monthly", "pyramid", "definitions")
        for ext in ("csv", "parquet")}  # fmt: skip
    rows = pq.read_table(out / "indicators.parquet").to_pylist()
    national = {r["indicator"]: r["value"] for r in rows if r["level"] == "nation"}
    assert national["births"] == 4 and national["asfr.15-19"] == 1.0
    tehran = [r for r in rows if r["area"] == "IR-23" and r["indicator"] == "births"]
    assert tehran == [{**tehran[0], "value": None, "suppressed": True}]
    assert (out / "indicators.csv").read_text(encoding="utf-8").startswith('"year","level"')


def test_cli_pyramid(db: str) -> None:
    status, out, _ = sabt("observatory", "pyramid", "--date", "1402/06/28", "--json", "--db", db)
    assert status == 0 and sum(orjson.loads(out)["female"]) == 9
    assert sabt("observatory", "pyramid", "--date", "x", "--db", db)[0] == 2
