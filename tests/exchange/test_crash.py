"""The server killed (SIGKILL) under verification load: every request that was answered has
its row in the citizen's access log and its leaf in the evidence log, the evidence log's
stored tree agrees with its leaves and extends every head published during the load, and
the register's ledger still verifies."""

import base64
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sabt.exchange import evidence
from sabt.exchange.models import EvidenceLeaf
from sabt.identity.models import AccessLog
from sabt.kit import merkle
from tests.exchange.support import ALI, VERIFY, add_agency
from tests.identity.oidc_support import free_port


def test_a_killed_server_answered_nothing_it_did_not_record(
    client: TestClient, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    client_id, key = add_agency(client, engine, "bank", ["verify"])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(db_url, tmp_path, base, port)
    answered: dict[str, str] = {}  # purpose -> transaction id
    heads: list[dict[str, object]] = []
    stop = threading.Event()
    try:
        bearer = _token(base, client_id, key)
        threads = [threading.Thread(target=_load, args=(base, bearer, n, answered, stop))
                   for n in range(6)]  # fmt: skip
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(answered) < 150 and time.monotonic() < deadline:
            heads.append(httpx2.get(f"{base}/api/v1/exchange/evidence/sth").json())
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)  # mid-load: requests are in flight
        server.wait()
    finally:
        stop.set()
        server.kill()
    for t in threads:
        t.join()
    assert len(answered) >= 150
    with Session(engine) as s:
        leaves = {r.transaction_id: r for r in s.scalars(select(EvidenceLeaf))}
        logged = set(s.scalars(select(AccessLog.purpose)))
        hashes = evidence.leaf_hashes(s, 0, len(leaves))
        size = evidence.size(s)
        stored_root = evidence.TREE.root(s, size)
    assert set(answered.values()) <= set(leaves)  # every answer has its leaf…
    assert set(answered) <= logged  # …and its access row
    assert size == len(leaves) and stored_root == merkle.root(hashes)
    for head in heads:
        old = int(head["tree_size"])  # type: ignore[call-overload]
        if old:
            proof = merkle.consistency_proof(old, hashes)
            old_root = base64.b64decode(str(head["root_hash"]))
            assert merkle.verify_consistency(old, size, old_root, merkle.root(hashes), proof)
    sabt = str(Path(sys.executable).with_name("sabt"))
    verified = subprocess.run([sabt, "ledger", "verify", "--db", db_url],
                              capture_output=True, text=True, check=False)  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _load(base: str, bearer: str, n: int, answered: dict[str, str], stop: threading.Event) -> None:
    with httpx2.Client(base_url=base, headers={"Authorization": bearer}, timeout=10) as http:
        i = 0
        while not stop.is_set():
            purpose = f"بار {n}-{i}"
            i += 1
            try:
                answer = http.post(VERIFY, json={**ALI, "purpose": purpose})
            except httpx2.TransportError:
                return  # the server is gone
            if answer.status_code == 200:
                answered[purpose] = answer.json()["transaction_id"]


def _serve(db_url: str, home: Path, base: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SABT_DATABASE_URL": db_url, "SABT_HOME": str(home),
           "SABT_PUBLIC_URL": base}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "sabt.api.app:create_app", "--factory", "--port",
         str(port), "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{base}/health").status_code == 200:
                return server
        except httpx2.TransportError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("the server did not start")


def _token(base: str, client_id: str, key: object) -> str:
    endpoint = f"{base}/oauth/token"
    oauth = OAuth2Client(
        client_id, key, token_endpoint_auth_method=PrivateKeyJWT(endpoint, alg="ES256")
    )
    return f"Bearer {oauth.fetch_token(endpoint, grant_type='client_credentials')['access_token']}"
