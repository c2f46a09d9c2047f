"""A copy of an issued document (what a citizen downloads again): the same number, facts
and log leaf, a token whose claims are the original's, and nothing written."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sabt.documents import keys, service, tokens
from sabt.documents.models import Document
from tests.registration.support import C, ledger_size


@pytest.mark.parametrize(
    ("kind", "who"),
    [("birth", "amir"), ("death", "zahra"), ("marriage", "karim"), ("booklet", "ali"),
     ("booklet", "zahra")],
)  # fmt: skip
def test_a_copy_carries_the_original_s_claims_and_writes_nothing(
    client: TestClient, engine: Engine, tmp_path: Path, kind: str, who: str
) -> None:
    signing = keys.load(tmp_path)
    with Session(engine) as s, s.begin():
        original = service.issue(s, signing, kind, C[who], "test")
        number = original.document.number
    before = ledger_size(engine)
    with Session(engine) as s:
        document = s.get(Document, number)
        assert document is not None
        copy = service.copy_of(signing, document)
        verdict = service.verify_token(signing.public, copy.token, s)
    assert verdict.status == "valid"
    assert tokens.verify(signing.public, copy.token) == tokens.verify(
        signing.public, original.token
    )
    assert copy.facts == original.facts
    assert ledger_size(engine) == before
