"""Every exchange answer is a leaf of the evidence log before it leaves: the agency fetches
a signed receipt of its own transaction and anyone checks it offline (`sabt exchange receipt
verify`) against the request and answer it stands for; a changed answer, a forged head or
another log's head fails. Answers to many agencies at once are committed together (the
journal's group commit), none without its rows; rate limits answer 429 with Retry-After."""

import base64
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi.testclient import TestClient
from joserfc.jwk import ECKey, KeySet
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sabt.cli.main import app
from sabt.exchange import evidence
from sabt.exchange.models import DailyUsage, EvidenceLeaf
from sabt.identity.models import AccessLog
from sabt.kit import merkle
from tests.exchange.support import ALI, VERIFY, agency_headers
from tests.registration.support import C

RECEIPTS = "/api/v1/exchange/receipts"


def keys_file(client: TestClient, tmp_path: Path) -> Path:
    path = tmp_path / "registry.jwks.json"
    path.write_text(client.get("/api/v1/documents/jwks.json").text)
    return path


def check(receipt: dict, jwks: Path, tmp_path: Path, *extra: str) -> tuple[int, str]:  # type: ignore[type-arg]
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt, ensure_ascii=False))
    done = CliRunner().invoke(app, ["exchange", "receipt", "verify", str(path), "--jwks",
                                    str(jwks), *extra])  # fmt: skip
    return done.exit_code, done.output


def test_a_receipt_proves_what_was_asked_and_answered(
    client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    bank = agency_headers(client, engine, "bank", ["verify"])
    other = agency_headers(client, engine, "other-bank", ["verify"])
    answers = [client.post(VERIFY, json=ALI, headers=bank).json() for _ in range(5)]
    tx = answers[2]["transaction_id"]
    receipt = client.get(f"{RECEIPTS}/{tx}", headers=bank).json()
    assert receipt["record"]["transaction_id"] == tx and receipt["record"]["service"] == "verify"
    assert receipt["record"]["request_hash"] == evidence.json_hash(ALI)
    assert receipt["tree_head"]["tree_size"] == 5 and receipt["leaf_index"] == 2
    jwks = keys_file(client, tmp_path)
    request, answer = tmp_path / "request.json", tmp_path / "answer.json"
    request.write_text(json.dumps(ALI, ensure_ascii=False))
    answer.write_text(json.dumps(answers[2]))
    assert (
        check(receipt, jwks, tmp_path, "--request", str(request), "--answer", str(answer))[0] == 0
    )
    answer.write_text(json.dumps({**answers[2], "match": False}))  # what it claims it was told
    code, output = check(receipt, jwks, tmp_path, "--answer", str(answer))
    assert code == 1 and "the answer is not the one recorded" in output
    forged = {**receipt, "record": {**receipt["record"], "purpose": "چیز دیگر"}}
    assert check(forged, jwks, tmp_path)[0] == 1
    stranger = ECKey.generate_key("P-256", parameters={"kid": "x"}, private=True)
    foreign = tmp_path / "foreign.jwks.json"
    foreign.write_text(json.dumps(KeySet([stranger]).as_dict(private=False)))
    assert check(receipt, foreign, tmp_path)[0] == 1
    documents_head = client.get("/api/v1/transparency/sth").json()  # the other log's head
    assert check({**receipt, "tree_head": documents_head}, jwks, tmp_path)[0] == 1
    # another agency's transaction is not found, nor is a made-up one; a bad id is a 422
    assert client.get(f"{RECEIPTS}/{tx}", headers=other).status_code == 404
    assert client.get(f"{RECEIPTS}/{'0' * 32}", headers=bank).status_code == 404
    assert client.get(f"{RECEIPTS}/not-an-id", headers=bank).status_code == 422


def test_the_log_only_grows(client: TestClient, engine: Engine) -> None:
    bank = agency_headers(client, engine, "bank", ["verify"])
    client.post(VERIFY, json=ALI, headers=bank)
    old = client.get("/api/v1/exchange/evidence/sth").json()
    for _ in range(6):
        client.post(VERIFY, json=ALI, headers=bank)
    new = client.get("/api/v1/exchange/evidence/sth").json()
    proof = client.get("/api/v1/exchange/evidence/consistency",
                       params={"first": old["tree_size"], "second": new["tree_size"]}).json()  # fmt: skip
    assert merkle.verify_consistency(
        old["tree_size"], new["tree_size"], base64.b64decode(old["root_hash"]),
        base64.b64decode(new["root_hash"]), [base64.b64decode(p) for p in proof["consistency"]],
    )  # fmt: skip
    too_far = client.get("/api/v1/exchange/evidence/consistency", params={"first": 1, "second": 99})
    assert too_far.status_code == 422


def test_concurrent_answers_each_have_their_rows(client: TestClient, engine: Engine) -> None:
    banks = [agency_headers(client, engine, f"bank-{i}", ["verify", "life-status"])
             for i in range(4)]  # fmt: skip
    life = {"national_codes": [C["ali"], C["zahra"]], "purpose": "مستمری"}

    def call(i: int) -> str:
        headers = banks[i % 4]
        if i % 3 == 0:
            answer = client.post("/api/v1/exchange/life-status", json=life, headers=headers)
        else:
            answer = client.post(VERIFY, json=ALI, headers=headers)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["transaction_id"])

    with ThreadPoolExecutor(8) as pool:
        answered = list(pool.map(call, range(60)))
    with Session(engine) as s:
        leaves = set(s.scalars(select(EvidenceLeaf.transaction_id)))
        rows = s.scalar(select(func.count()).select_from(AccessLog))
        used = s.scalar(select(func.sum(DailyUsage.count)))
        indexes = sorted(s.scalars(select(EvidenceLeaf.leaf_index)))
    assert set(answered) == leaves and indexes == list(range(60))
    assert rows == 40 + 20 * 2 and used == 40 + 20 * 2


def test_rate_limits_answer_429_with_retry_after(client: TestClient, engine: Engine) -> None:
    second = agency_headers(client, engine, "bank", ["verify"], per_second=1)
    burst = [client.post(VERIFY, json=ALI, headers=second) for _ in range(3)]  # in 2 s at most
    limited = [a for a in burst if a.status_code == 429]
    assert limited and limited[0].json()["code"] == "rate_limited_per_second"
    assert limited[0].headers["retry-after"] == "1" and burst[0].status_code == 200
    daily = agency_headers(client, engine, "pension", ["life-status"], per_day=3)
    life = "/api/v1/exchange/life-status"
    assert client.post(life, json={"national_codes": [C["ali"], C["zahra"]], "purpose": "مستمری"},
                       headers=daily).status_code == 200  # fmt: skip
    over = client.post(life, json={"national_codes": [C["ali"], C["zahra"]], "purpose": "مستمری"},
                       headers=daily)  # fmt: skip
    assert (over.status_code, over.json()["code"]) == (429, "rate_limited_per_day")
    assert int(over.headers["retry-after"]) > 0 and over.json()["message_fa"]
    assert client.post(life, json={"national_code": C["ali"], "purpose": "مستمری"},
                       headers=daily).status_code == 200  # fmt: skip
