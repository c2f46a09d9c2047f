"""The estates worker over a backlog: how many inheritance certificates a minute it issues
(each death settled in its own transaction: the heirs read from the register, the engine,
the certificate, its ledger entry and log leaf, the SMS notices), and how fast it sends the
notices. Extrapolated to a national day (about 1,300 deaths).

Setup, not timed: the register given by --db (the goal is stated for PostgreSQL with 1 M
living people, e.g. `sabt synth --people 1000000`) is copied to a scratch database
(`CREATE DATABASE … TEMPLATE`, PostgreSQL only) so the run can be repeated; the clock is set
three weeks after the last death registration, and the estates' start day so that the
backlog is the --deaths most recent due deaths.

    python bench/estates.py --db postgresql+psycopg://app@127.0.0.1:55433/bench
"""

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from sabt import followers
from sabt.estates import worker
from sabt.identity import sms
from sabt.kit import clock, settings
from sabt.registry import schema
from sabt.registry.db import make_engine, normalize_url
from sabt.registry.models import Person

NATIONAL_DAY = 1300


def _scratch_copy(url: str) -> str:
    """A copy of the register's database to write into, replaced on each run."""
    source = make_url(normalize_url(url))
    copy = f"{source.database}_estates_bench"
    admin = create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}"'))
        conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{source.database}"'))
    admin.dispose()
    return source.set(database=copy).render_as_string(hide_password=False)


def _backlog(url: str, deaths: int) -> tuple[datetime, datetime]:
    """The clock (three weeks after the last registration) and the start day that make the
    --deaths most recent due deaths the backlog."""
    engine = make_engine(url)
    with Session(engine) as s:
        last = s.scalar(select(Person.death_registered_at).order_by(
            Person.death_registered_at.desc().nulls_last()).limit(1))  # fmt: skip
        assert last is not None, "the register has no registered deaths"
        now = last + timedelta(days=21)
        cutoff = now - timedelta(days=20)
        first = s.scalar(
            select(Person.death_registered_at)
            .where(Person.death_registered_at <= cutoff)
            .order_by(Person.death_registered_at.desc()).offset(deaths - 1).limit(1)
        )  # fmt: skip
    engine.dispose()
    assert first is not None, f"fewer than {deaths} due deaths"
    return now.replace(tzinfo=UTC), first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="a PostgreSQL register (not modified)")
    parser.add_argument("--deaths", type=int, default=1000)
    args = parser.parse_args()
    url = _scratch_copy(args.db)
    followers.install()  # the worker writes the ledger, as `sabt worker` does
    engine = make_engine(url)
    schema.ensure(engine)
    now, first = _backlog(url, args.deaths)
    clock.set_clock(clock.FixedClock(now))
    home = Path(tempfile.mkdtemp(prefix="sabt-estates-bench-"))
    config = replace(settings.load(), database_url=url, home=home,
                     estates_since=first.date())  # fmt: skip
    gateway = sms.gateway(config)
    done = worker.Round()
    started = time.perf_counter()
    settled = 0

    def advance(k: int) -> None:
        nonlocal settled
        settled += k
        if settled % 100 == 0:
            print(f"settled {settled}", file=sys.stderr)

    done = worker.settle_due(engine, config, advance)
    settling = time.perf_counter() - started
    started = time.perf_counter()
    worker.send_notices(engine, gateway, done)
    sending = time.perf_counter() - started
    per_minute = 60 * settled / settling
    print(json.dumps({
        "bench": "estates_worker", "database": "postgresql", "cores": os.cpu_count(),
        "deaths": settled, "issued": done.issued, "queued": done.queued,
        "failed": done.failed, "settle_seconds": round(settling, 2),
        "estates_per_minute": round(per_minute, 1),
        "certificates_per_minute": round(60 * done.issued / settling, 1),
        "notices_sent": done.sent, "notices_per_second": round(done.sent / sending, 1),
        "national_day_minutes": round(NATIONAL_DAY / per_minute
                                      + NATIONAL_DAY * done.sent / max(settled, 1)
                                      / max(done.sent / sending, 1e-9) / 60, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
