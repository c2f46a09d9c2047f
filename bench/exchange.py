"""The exchange under load, on a real server (uvicorn with --workers, on the database
given, which should hold a register: `bench/synth_load.py --people 1000000`): yes/no
verification, eKYC and life status over HTTP by wrk (a Lua script giving each request a
person of its own), each answer's access row and evidence leaf committed before it leaves;
a bare FastAPI hello-world under the same server settings in the same run, and the ratio;
then a batch of `--batch` rows sent as CSV and timed until its answered file is ready.
The load generator shares the machine's cores with the server.

    .venv/bin/python bench/exchange.py --db postgresql+psycopg://app@127.0.0.1:55432/bench \\
        [--workers 2] [--seconds 10] [--connections 32] [--batch 1000000]

Needs wrk (Debian package `wrk`). Prints one JSON line.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc.jwk import ECKey
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from sabt.exchange import service
from sabt.persian import jalali
from sabt.registry.cli import open_register

LUA = """
local counter = 0
function setup(thread) thread:set("id", counter); counter = counter + 1 end
function init(args)
  bodies, i = {}, 0
  for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
  i = id * 7919
end
function request()
  i = i + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
    ["Authorization"] = os.getenv("BEARER")}, bodies[(i % #bodies) + 1])
end
"""
HELLO = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
def hello() -> dict[str, str]:
    return {"hello": "world"}
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--people", type=int, default=50_000, help="distinct people asked about")
    parser.add_argument("--batch", type=int, default=1_000_000)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    home = Path(tempfile.mkdtemp(prefix="sabt-bench-exchange-"))
    engine = open_register(args.db)
    base = f"http://127.0.0.1:{args.port}"
    hello = _hello(home, args)
    client_id, key = _agency(engine)
    people = _people(engine, max(args.people, args.batch))
    registered = _count(engine)
    server = _serve(["sabt.api.app:create_app", "--factory"], args, home, base)
    try:
        bearer = _token(base, client_id, key)
        figures = {name: _wrk(base + path, bearer, bodies(people[: args.people]), args)
                   for name, path, bodies in SERVICES}  # fmt: skip
        batch = _batch(base, bearer, people[: args.batch], home)
    finally:
        server.terminate()
        server.wait()
    ratio = round(figures["verify"]["rate"] / hello["rate"], 3) if hello["rate"] else None
    print(json.dumps({"cores": os.cpu_count(), "workers": args.workers, "persons": registered,
                      "connections": args.connections, "hello": hello, **figures,
                      "verify_to_hello": ratio, "batch": batch}))  # fmt: skip


def _hello(home: Path, args: argparse.Namespace) -> dict[str, Any]:
    (home / "hello_app.py").write_text(HELLO)
    base = f"http://127.0.0.1:{args.port + 1}"
    server = _serve(["hello_app:app", "--app-dir", str(home)], args, home, base, args.port + 1,
                    health="/hello")  # fmt: skip
    try:
        run = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s",
                              "--latency", f"{base}/hello"],
                             capture_output=True, text=True, check=True)  # fmt: skip
        return _figures(run.stdout)
    finally:
        server.terminate()
        server.wait()


def _agency(engine: Engine) -> tuple[str, ECKey]:
    key = ECKey.generate_key("P-256", parameters={"kid": "bench-1"}, private=True)
    code = f"bench-{random.randrange(10**8):08d}"
    keys = json.dumps({"keys": [key.as_dict(private=False)]})
    with Session(engine) as s, s.begin():
        new = service.add_agency(
            s, code=code, name_fa="بانک آزمون بار", jwks=keys,
            services=["verify", "life-status", "ekyc-by-law"],
            attributes=list(service.ATTRIBUTES),
            legal_basis="آزمون بار سامانه", per_second=100_000, per_day=1_000_000_000,
            actor="bench",
        )  # fmt: skip
    return new.client_id, key


def _people(engine: Engine, n: int) -> list[dict[str, str]]:
    query = text("SELECT national_code, first_name, last_name, birth_date FROM person"
                 " WHERE status = 'alive' LIMIT :n")  # fmt: skip
    with engine.connect() as conn:
        rows = conn.execute(query, {"n": n}).all()
    people = [{"national_code": c, "first_name": f, "last_name": last,
               "birth_date": jalali.to_jalali(b)} for c, f, last, b in rows]  # fmt: skip
    random.Random(1).shuffle(people)
    return people


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM person")).scalar_one())


def _verify_bodies(people: list[dict[str, str]]) -> list[str]:
    return [json.dumps({**p, "purpose": "افتتاح حساب"}, ensure_ascii=False) for p in people]


def _ekyc_bodies(people: list[dict[str, str]]) -> list[str]:
    return [json.dumps({"national_code": p["national_code"], "case_reference": "آزمون ۱",
                        "purpose": "رسیدگی"}, ensure_ascii=False) for p in people]  # fmt: skip


def _life_bodies(people: list[dict[str, str]]) -> list[str]:
    return [json.dumps({"national_code": p["national_code"], "purpose": "مستمری"},
                       ensure_ascii=False) for p in people]  # fmt: skip


SERVICES = [("verify", "/api/v1/exchange/verify", _verify_bodies),
            ("ekyc", "/api/v1/exchange/ekyc", _ekyc_bodies),
            ("life_status", "/api/v1/exchange/life-status", _life_bodies)]  # fmt: skip


def _serve(
    app: list[str], args: argparse.Namespace, home: Path, base: str, port: int | None = None,
    health: str = "/health",
) -> subprocess.Popen[bytes]:  # fmt: skip
    env = {**os.environ, "SABT_DATABASE_URL": args.db, "SABT_HOME": str(home),
           "SABT_PUBLIC_URL": base}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", *app, "--port", str(port or args.port), "--workers",
         str(args.workers), "--log-level", "warning", "--no-access-log"],
        env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(600):
        try:
            if httpx2.get(f"{base}{health}").status_code == 200:
                return server
        except httpx2.TransportError:
            time.sleep(0.1)
    server.kill()
    sys.exit("the server did not start")


def _token(base: str, client_id: str, key: ECKey) -> str:
    endpoint = f"{base}/oauth/token"
    signer = PrivateKeyJWT(endpoint, alg="ES256")
    oauth = OAuth2Client(client_id, key, token_endpoint_auth_method=signer)
    token = oauth.fetch_token(endpoint, grant_type="client_credentials")
    return f"Bearer {token['access_token']}"


def _wrk(url: str, bearer: str, bodies: list[str], args: argparse.Namespace) -> dict[str, Any]:
    path = Path(tempfile.mkstemp(prefix="sabt-bodies-")[1])
    path.write_text("\n".join(bodies) + "\n", encoding="utf-8")
    script = Path(tempfile.mkstemp(prefix="sabt-exchange-", suffix=".lua")[1])
    script.write_text(LUA)
    env = {**os.environ, "BODIES": str(path), "BEARER": bearer}
    try:
        # a short warm-up (each worker's first connections and caches), then the measure
        subprocess.run(["wrk", "-t2", "-c4", "-d2s", "-s", str(script), url], env=env,
                       capture_output=True, check=True)  # fmt: skip
        run = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s",
                              "--latency", "-s", str(script), url],
                             env=env, capture_output=True, text=True, check=True)  # fmt: skip
    finally:
        path.unlink()
        script.unlink()
    return _figures(run.stdout)


def _figures(text_out: str) -> dict[str, Any]:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text_out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text_out)
    p50 = re.search(r"50%\s+([\d.]+\w+)", text_out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", text_out)
    return {"rate": round(float(rate.group(1))) if rate else 0,
            "non_2xx": int(bad.group(1)) if bad else 0,
            "p50": p50.group(1) if p50 else None, "p99": p99.group(1) if p99 else None}  # fmt: skip


def _batch(base: str, bearer: str, people: list[dict[str, str]], home: Path) -> dict[str, Any]:
    lines = ["national_code,first_name,last_name,birth_date"]
    lines += [f"{p['national_code']},{p['first_name']},{p['last_name']},{p['birth_date']}"
              for p in people]  # fmt: skip
    body = ("\n".join(lines) + "\n").encode()
    headers = {"Authorization": bearer, "Content-Type": "text/csv"}
    started = time.perf_counter()
    sent = httpx2.post(f"{base}/api/v1/exchange/verify/batches", params={"purpose": "تطبیق"},
                       content=body, headers=headers, timeout=600)  # fmt: skip
    sent.raise_for_status()
    accepted = time.perf_counter() - started
    job = sent.json()["id"]
    while True:
        state = httpx2.get(f"{base}/api/v1/exchange/verify/batches/{job}",
                           headers=headers).json()  # fmt: skip
        if state["status"] == "done":
            break
        time.sleep(0.2)
    result = httpx2.get(f"{base}/api/v1/exchange/verify/batches/{job}/result",
                        headers=headers, timeout=600)  # fmt: skip
    total = time.perf_counter() - started
    return {"rows": len(people), "bytes": len(body), "accepted_s": round(accepted, 2),
            "total_s": round(total, 2), "rows_per_s": round(len(people) / total),
            "matched": state["matched"], "result_bytes": len(result.content)}  # fmt: skip


if __name__ == "__main__":
    main()
