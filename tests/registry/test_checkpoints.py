"""Published checkpoints: the worker signs one a day, `sabt ledger checkpoint` one on demand,
the API serves every one newest first, and `sabt ledger verify --against URL` catches a
history rewritten with its head moved, which verify alone cannot see."""

import json
from datetime import timedelta
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from sabt.cli.main import app as cli_app
from sabt.kit import clock
from sabt.registry import checkpoint, ledger
from tests.identity.oidc_support import live_server
from tests.registry import family

runner = CliRunner()


def sabt(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli_app, list(args))
    return result.exit_code, result.stdout


def rewrite_from(engine: Engine, first: int) -> None:
    """Rewrite the chain consistently from entry `first` on, the head moved with it."""
    with engine.begin() as conn:
        rows = conn.execute(
            text("SELECT seq, payload, prev_hash FROM ledger WHERE seq >= :f ORDER BY seq"),
            {"f": first},
        ).all()
        prev = rows[0].prev_hash
        for seq, payload, _ in rows:
            if seq == first:
                payload = payload.replace("زهرا", "زهره")
            digest = ledger.entry_hash(prev, payload.encode())
            conn.execute(text("UPDATE ledger SET payload = :p, prev_hash = :ph, hash = :h WHERE seq = :s"),
                         {"p": payload, "ph": prev, "h": digest, "s": seq})  # fmt: skip
            prev = digest
        conn.execute(text("UPDATE ledger_head SET hash = :h"), {"h": prev})


def test_checkpoints_are_published_daily_served_and_checked_against(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    fixed_clock: clock.FixedClock,
) -> None:  # fmt: skip
    monkeypatch.setenv("SABT_HOME", str(tmp_path))
    family.load(engine)
    worker = ["worker", "--once", "--db", db_url]
    assert json.loads(sabt(*worker)[1])["checkpoints"] == 1
    assert json.loads(sabt(*worker)[1])["checkpoints"] == 0  # one a day
    fixed_clock.advance(timedelta(days=1, minutes=1))
    assert json.loads(sabt(*worker)[1])["checkpoints"] == 1
    status, printed = sabt("ledger", "checkpoint", "--db", db_url)  # on demand
    assert status == 0 and json.loads(printed)["seq"] == len(family.records())
    with live_server(db_url, tmp_path) as base:
        url = f"{base}/api/v1/ledger/checkpoints"
        served = httpx2.get(url).json()
        assert served["total"] == 3 and len(served["items"]) == 3
        times = [c["time"] for c in served["items"]]
        assert times == sorted(times, reverse=True)  # newest first
        assert set(served["items"][0]) == set(checkpoint.FIELDS)
        assert httpx2.get(url, params={"limit": 1, "offset": 1}).json()["items"] == [
            served["items"][1]
        ]
        status, said = sabt("ledger", "verify", "--db", db_url, "--against", url)
        assert status == 0 and said.startswith("OK"), said
        rewrite_from(engine, 3)
        assert sabt("ledger", "verify", "--db", db_url)[0] == 0  # the chain alone holds
        status, said = sabt("ledger", "verify", "--db", db_url, "--against", url)
        assert status == 1 and "checkpoint" in said and "says" in said, said
        status, _ = sabt("ledger", "verify", "--db", db_url, "--against", f"{base}/nothing-here")
        assert status == 2  # an unreadable publication is a clear error
