"""HODA's OpenID Connect provider under load, on a real server (uvicorn with --workers,
on the database given): token-endpoint requests per second (code redemptions by wrk, a Lua
script giving each request a code of its own) and complete code flows per second from
client threads (authorize, the login page, password, the code from the SMS outbox,
token, userinfo). The load generators share the machine's cores with the server.

    .venv/bin/python bench/hoda.py --db postgresql+psycopg://app@127.0.0.1:55432/bench \\
        [--workers 2] [--citizens 300] [--rounds 3] [--seconds 5] [--codes 12000] [--flows 200]
        [--connections 8] [--threads 8]

Citizens are enrolled directly (one argon2 hash shared by all), each with a consent for
the bench's agency already given (the returning citizen's flow). The server runs with
SABT_OTP_SENDS_PER_HOUR raised so that repeated runs are not refused by the send limit.
Needs wrk (Debian package `wrk`). Prints one JSON line.
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sabt.identity import credentials, hoda, oidc_keys, provider, sms
from sabt.identity.models import Account, Client
from sabt.identity.service import now_utc
from sabt.registry.cli import open_register
from sabt.registry.models import MobileOwnership, Person

PASSWORD = "bench passphrase 2026"
CALLBACK = "http://127.0.0.1:9/cb"
SECTOR = "bench-bank"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
LUA = """
local counter = 0
function setup(thread) thread:set("id", counter); counter = counter + 1 end
function init(args)
  codes, i = {}, 0
  local n, threads = 0, tonumber(os.getenv("WRK_THREADS"))
  for line in io.lines(os.getenv("CODES")) do
    if n % threads == id then codes[#codes + 1] = line end
    n = n + 1
  end
end
function request()
  i = i + 1
  local body = "grant_type=authorization_code&redirect_uri=" .. os.getenv("REDIRECT")
    .. "&code=" .. codes[i]
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = os.getenv("BASIC")}, body)
end
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--citizens", type=int, default=300)
    parser.add_argument("--codes", type=int, default=12000, help="codes per round")
    parser.add_argument("--seconds", type=int, default=5, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--flows", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    home = Path(tempfile.mkdtemp(prefix="sabt-bench-hoda-"))
    oidc_keys.of(home)  # made once, before the workers start
    hoda.otp_key(home), hoda.pairwise_key(home)
    engine = open_register(args.db)
    citizens = _enrol(engine, args.citizens)
    client_id, secret = _agency(engine, [a for a, _, _ in citizens])
    base = f"http://127.0.0.1:{args.port}"
    server = _serve(args.db, home, base, args.port, args.workers)
    try:
        _flow(base, home, client_id, str(secret), citizens[0], _Outbox(home))  # warm up
        token = _token_bench(engine, base, client_id, str(secret), citizens, args)
        flows = _flows_bench(base, home, client_id, str(secret), citizens, args)
    finally:
        server.terminate()
        server.wait()
    print(
        json.dumps(
            {
                "cores": os.cpu_count(),
                "workers": args.workers,
                "citizens": len(citizens),
                **token,
                **flows,
            }
        )
    )


def _enrol(engine: Engine, n: int) -> list[tuple[int, str, str]]:
    """(account id, national code, mobile) of `n` living people with a phone."""
    hashed = credentials.hash_secret(PASSWORD)
    with Session(engine) as s, s.begin():
        rows = s.execute(
            select(Person.national_code, MobileOwnership.mobile)
            .join(MobileOwnership, MobileOwnership.national_code == Person.national_code)
            .where(Person.status == "alive")
            .order_by(Person.national_code)
            .limit(n)
        ).all()
        out = []
        for code, mobile in rows:
            account = s.scalar(select(Account).where(Account.national_code == code))
            if account is None:
                account = Account(
                    kind="citizen", username=code, national_code=code, created_at=now_utc()
                )
                s.add(account)
            account.password_hash, account.mobile = hashed, mobile
            account.failed_attempts, account.locked_until = 0, None
            account.otp_failures, account.otp_locked_until = 0, None
            account.password_locked = account.otp_locked = False
            s.flush()
            out.append((account.id, code, mobile))
    return out


def _agency(engine: Engine, account_ids: list[int]) -> tuple[str, str | None]:
    with Session(engine) as s, s.begin():
        new = provider.add_relying_party(
            s, name="بانک آزمون بار", sector=SECTOR, redirect_uris=[CALLBACK], actor="bench"
        )
        for account_id in account_ids:
            account = s.get(Account, account_id)
            assert account is not None
            provider.grant_consent(s, account, SECTOR, frozenset({"openid", "profile"}), 365)
    return new.client_id, new.client_secret


def _serve(db: str, home: Path, base: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SABT_DATABASE_URL": db,
        "SABT_HOME": str(home),
        "SABT_PUBLIC_URL": base,
        "SABT_OTP_SENDS_PER_HOUR": "1000000",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "sabt.api.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            if httpx2.get(f"{base}/health").status_code == 200:
                return server
        except httpx2.TransportError:
            time.sleep(0.1)
    server.kill()
    sys.exit("the server did not start")


def _token_bench(
    engine: Engine,
    base: str,
    client_id: str,
    secret: str,
    citizens: list[tuple[int, str, str]],
    args: argparse.Namespace,
) -> dict[str, object]:
    """`--rounds` wrk runs, each with codes of its own: this machine's speed varies from
    run to run (a shared VM), so every round is reported and the median stands for it."""
    rounds = [
        _token_round(engine, base, client_id, secret, citizens, args) for _ in range(args.rounds)
    ]
    median = sorted(rounds, key=lambda r: r["rate"])[len(rounds) // 2]
    return {
        "token_req_per_s": median["rate"],
        "token_req_per_s_rounds": [r["rate"] for r in rounds],
        "token_non_2xx": sum(r["non_2xx"] for r in rounds),
        "token_p50": median["p50"],
        "token_p99": median["p99"],
        "token_connections": args.connections,
    }


def _token_round(
    engine: Engine,
    base: str,
    client_id: str,
    secret: str,
    citizens: list[tuple[int, str, str]],
    args: argparse.Namespace,
) -> dict[str, Any]:
    codes = _codes(engine, client_id, citizens, args.codes)
    path = Path(tempfile.mkstemp(prefix="sabt-codes-")[1])
    path.write_text("\n".join(codes) + "\n")
    script = Path(tempfile.mkstemp(prefix="sabt-token-", suffix=".lua")[1])
    script.write_text(LUA)
    basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    env = {
        **os.environ,
        "CODES": str(path),
        "WRK_THREADS": "2",
        "BASIC": basic,
        "REDIRECT": urlencode({"r": CALLBACK})[2:],
    }
    run = subprocess.run(
        ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", "-s",
         str(script), f"{base}/oauth/token"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    path.unlink()
    script.unlink()
    text = run.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    p50 = re.search(r"50%\s+([\d.]+\w+)", text)
    p99 = re.search(r"99%\s+([\d.]+\w+)", text)
    return {
        "rate": round(rate),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "p50": p50.group(1) if p50 else None,
        "p99": p99.group(1) if p99 else None,
    }


def _codes(
    engine: Engine, client_id: str, citizens: list[tuple[int, str, str]], n: int
) -> list[str]:
    """`n` fresh codes, as if each citizen had just logged in (made directly: the token
    endpoint is what is measured)."""
    codes = [credentials.new_token() for _ in range(n)]
    with Session(engine) as s, s.begin():
        client = s.get(Client, client_id)
        accounts = [s.get(Account, a) for a, _, _ in citizens]
        now = now_utc()
        for i, code in enumerate(codes):
            account = accounts[i % len(accounts)]
            assert client is not None and account is not None
            login = provider.Login(account, hoda.ACR_PASSWORD_OTP, now)
            provider.save_code(s, code, client, login, CALLBACK, "openid profile", None, None)
            if i % 5000 == 4999:
                s.flush()
    return codes


def _flows_bench(
    base: str,
    home: Path,
    client_id: str,
    secret: str,
    citizens: list[tuple[int, str, str]],
    args: argparse.Namespace,
) -> dict[str, object]:
    outbox = _Outbox(home)
    people = [citizens[i % len(citizens)] for i in range(args.flows)]
    start = time.perf_counter()
    with ThreadPoolExecutor(args.threads) as pool:
        times = list(pool.map(lambda c: _flow(base, home, client_id, secret, c, outbox), people))
    elapsed = time.perf_counter() - start
    return {
        "flows": len(times),
        "flows_per_s": round(len(times) / elapsed, 1),
        "flow_ms_p50": round(statistics.median(times) * 1000),
        "flow_ms_p95": round(sorted(times)[int(len(times) * 0.95) - 1] * 1000),
        "flow_threads": args.threads,
    }


def _flow(
    base: str,
    home: Path,
    client_id: str,
    secret: str,
    citizen: tuple[int, str, str],
    outbox: "_Outbox",
) -> float:
    """One complete login of `citizen` at the agency; returns its duration."""
    _, code, mobile = citizen
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": CALLBACK,
            "scope": "openid profile",
            "nonce": nonce,
            "state": "s",
            "code_challenge": challenge.decode(),
            "code_challenge_method": "S256",
        }
    )
    basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    start = time.perf_counter()
    browser = _Browser(base)
    try:
        page = browser.get(f"/oidc/authorize?{query}")
        login = {"action": "login", "national_code": code, "password": PASSWORD}
        page = browser.post(page.path, {"csrf": page.csrf(), **login})
        otp = outbox.code_for(mobile)
        back = browser.post(page.path, {"csrf": page.csrf(), "action": "otp", "otp": otp})
        assert back.status == 302, back.text[-400:]
        got = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
        form = {"grant_type": "authorization_code", "code": got, "redirect_uri": CALLBACK,
                "code_verifier": verifier}  # fmt: skip
        token = browser.post("/oauth/token", form, {"Authorization": basic})
        assert token.status == 200, token.text
        bearer = {"Authorization": f"Bearer {json.loads(token.text)['access_token']}"}
        info = browser.get("/oidc/userinfo", bearer)
        assert info.status == 200, info.text
    finally:
        browser.close()
    return time.perf_counter() - start


@dataclass
class _Page:
    status: int
    headers: Message
    text: str
    path: str

    def csrf(self) -> str:
        found = CSRF.search(self.text)
        assert found, self.text[-600:]
        return found.group(1)


class _Browser:
    """A browser's minimum on http.client: one keep-alive connection, cookies, HODA's 303s
    followed. (httpx cost ~3 ms of CPU a request: the load generator took a third of the
    cores from the server it measured.)"""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.http = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        self.cookies: dict[str, str] = {}

    def get(self, path: str, headers: dict[str, str] | None = None) -> _Page:
        return self._follow(self._send("GET", path, None, headers))

    def post(self, path: str, form: dict[str, str], headers: dict[str, str] | None = None) -> _Page:
        return self._follow(self._send("POST", path, form, headers))

    def close(self) -> None:
        self.http.close()

    def _follow(self, page: _Page) -> _Page:
        while page.status == 303:
            target = urlsplit(page.headers["location"])
            page = self._send("GET", target.path + (f"?{target.query}" if target.query else ""))
        return page

    def _send(self, method: str, path: str, form: dict[str, str] | None = None,
              extra: dict[str, str] | None = None) -> _Page:  # fmt: skip
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.http.request(method, path, body=body, headers=headers)
        response = self.http.getresponse()
        text = response.read().decode()
        for cookie in response.headers.get_all("set-cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in cookie.lower() or not value.strip('"'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return _Page(response.status, response.headers, text, path)


class _Outbox:
    """The SMS outbox file, read as it grows: the last code sent to each number."""

    def __init__(self, home: Path) -> None:
        self.path, self.offset = sms.outbox_path(home), 0
        self.codes: dict[str, str] = {}
        self.lock = threading.Lock()

    def code_for(self, mobile: str) -> str:
        with self.lock:
            with self.path.open("rb") as f:
                f.seek(self.offset)
                data = f.read()
            complete = data[: data.rfind(b"\n") + 1]
            self.offset += len(complete)
            for line in complete.splitlines():
                message = json.loads(line)
                self.codes[message["to"]] = re.search(r"\d{6}", message["text"]).group(0)  # type: ignore[union-attr]
            return str(self.codes.pop(mobile))


if __name__ == "__main__":
    main()
