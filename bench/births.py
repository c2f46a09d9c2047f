"""Births end to end over HTTP: a hospital notifies, a parent declares, the child is
registered (notified + declared → registered), against the real server (`sabt serve`, one
uvicorn process) on the register given by --db (the goal is stated for PostgreSQL with 1 M
living people).

Setup, not timed: mothers who can give birth now (alive, 20-40, in a permanent marriage for
a year with a living husband, no child in the last 200 days, no case yet); a hospital client
and token in each of their counties; a citizen account and token for each declaring father.
The citizens' tokens are written straight into the identity tables: hashing thousands of
argon2 passwords would measure the password hash, not registration.

Timed: --births registrations by --concurrency client threads, each two requests over
keep-alive HTTP. Prints p50/p95/p99 of the pair and of each request, and registrations/s.
The client threads share the machine's cores with the server, as a hospital's load would not.
"""

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from sabt.identity import credentials
from sabt.identity import service as identity
from sabt.identity.models import Account, Client, Token
from sabt.registry import schema
from sabt.registry.db import make_engine
from sabt.synth.records import office_codes

MOTHERS_SQL = """
SELECT m.wife_code, m.husband_code, w.residence_county
FROM marriage m
JOIN person w ON w.national_code = m.wife_code
JOIN person h ON h.national_code = m.husband_code
WHERE m.ended_at IS NULL AND m.kind = 'permanent' AND m.registered_at < :married_before
  AND w.status = 'alive' AND h.status = 'alive'
  AND w.birth_date BETWEEN :oldest AND :youngest
  AND NOT EXISTS (SELECT 1 FROM person c
                  WHERE c.mother_code = w.national_code AND c.birth_date > :recent)
  AND NOT EXISTS (SELECT 1 FROM registration_case rc WHERE rc.mother = w.national_code)
  AND EXISTS (SELECT 1 FROM office o JOIN office_prefix p ON p.office = o.code
              WHERE o.kind = 'civil_registration' AND o.county = w.residence_county)
LIMIT :n
"""


@dataclass(frozen=True)
class Birth:
    mother: str
    father: str
    hospital: str
    hospital_token: str
    father_token: str


def percentile(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * q))]


def prepare(engine: Engine, n: int) -> list[Birth]:
    now = datetime.now(UTC)
    today = now.date()
    with engine.connect() as conn:
        rows = conn.execute(
            text(MOTHERS_SQL),
            {
                "married_before": (now - timedelta(days=365)).replace(tzinfo=None),
                "oldest": today.replace(year=today.year - 40),
                "youngest": today.replace(year=today.year - 20),
                "recent": today - timedelta(days=200),
                "n": n,
            },
        ).all()
    if len(rows) < n:
        sys.exit(f"only {len(rows)} mothers can give birth in this register; use --births")
    hospitals: dict[str, tuple[str, str]] = {}
    births = []
    with Session(engine) as session, session.begin():
        for mother, father, county in rows:
            if county not in hospitals:
                hospitals[county] = _hospital(session, county)
            hospital, hospital_token = hospitals[county]
            births.append(
                Birth(mother, father, hospital, hospital_token, _citizen(session, father))
            )
    return births


def _hospital(session: Session, county: str) -> tuple[str, str]:
    office = office_codes(county)["hospital"]
    client_id, _ = identity.add_client(session, "hospital", office, "bench")
    session.flush()
    client = session.get(Client, client_id)
    assert client is not None
    token = credentials.new_token()
    identity.store_client_token(session, client, token, client.scopes, 4 * 3600)
    return office, token


def _citizen(session: Session, code: str) -> str:
    account = session.query(Account).filter_by(national_code=code).one_or_none()
    now = identity.now_utc()
    if account is None:
        account = Account(kind="citizen", username=f"citizen-{code}", national_code=code,
                          password_hash="bench:no-password", created_at=now)  # fmt: skip
        session.add(account)
        session.flush()
    token = credentials.new_token()
    session.add(Token(digest=credentials.token_digest(token), account_id=account.id,
                      scopes="births:declare", issued_at=now,
                      expires_at=now + timedelta(hours=4)))  # fmt: skip
    return token


def serve(db: str, port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-c", "from sabt.cli.main import main; main()", "serve",
         "--db", db, "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    sys.exit("the server did not start")


def register(client: httpx.Client, birth: Birth, run: str, i: int) -> dict[str, Any]:
    born = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    notice = {
        "notification_id": f"{run}-{i}", "hospital": birth.hospital, "born_at": born,
        "sex": random.choice(["male", "female"]), "weight_g": 3200, "plurality": 1,
        "birth_order": 1, "stillborn": False, "mother_national_code": birth.mother,
        "father_national_code": birth.father, "proposed_first_name": "محمد",
    }  # fmt: skip
    if notice["sex"] == "female":
        notice["proposed_first_name"] = "فاطمه"
    t0 = time.perf_counter()
    notified = client.post("/api/v1/births/notifications", json=notice,
                           headers={"Authorization": f"Bearer {birth.hospital_token}"})  # fmt: skip
    t1 = time.perf_counter()
    case_id = notified.json().get("case_id")
    declared = client.post(f"/api/v1/births/{case_id}/declaration", json={},
                           headers={"Authorization": f"Bearer {birth.father_token}"})  # fmt: skip
    t2 = time.perf_counter()
    return {"notify": t1 - t0, "declare": t2 - t1, "pair": t2 - t0,
            "status": declared.json().get("status", f"http {declared.status_code}")}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--births", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument(
        "--running", action="store_true", help="use a server already on --port (to profile it)"
    )
    args = parser.parse_args()
    engine = make_engine(args.db)
    schema.ensure(engine)
    with engine.connect() as conn:
        living = conn.execute(text("SELECT count(*) FROM person WHERE status = 'alive'")).scalar()
    print(f"preparing {args.births} births ...", file=sys.stderr)
    births = prepare(engine, args.births)
    run = f"B{int(time.time())}"
    port = args.port or free_port()
    server = None if args.running else serve(args.db, port)
    base = f"http://127.0.0.1:{port}"
    clients = [httpx.Client(base_url=base, timeout=60) for _ in range(args.concurrency)]
    try:
        print("registering ...", file=sys.stderr)
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(
                pool.map(
                    lambda i: register(clients[i % args.concurrency], births[i], run, i),
                    range(len(births)),
                )
            )
        wall = time.perf_counter() - t0
    finally:
        if server is not None:
            server.terminate()
            server.wait()
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1

    def ms(key: str, q: float) -> float:
        return round(percentile([r[key] for r in results], q) * 1000, 1)

    print(
        json.dumps(
            {
                "benchmark": "births",
                "database": engine.dialect.name,
                "cores": os.cpu_count(),
                "living_in_register": living,
                "births": len(results),
                "concurrency": args.concurrency,
                "outcomes": statuses,
                "registrations_per_s": round(statuses.get("registered", 0) / wall, 1),
                "pair_p50_ms": round(statistics.median(r["pair"] for r in results) * 1000, 1),
                "pair_p95_ms": ms("pair", 0.95),
                "pair_p99_ms": ms("pair", 0.99),
                "notify_p95_ms": ms("notify", 0.95),
                "declare_p95_ms": ms("declare", 0.95),
            },
            ensure_ascii=False,
        )
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    main()
