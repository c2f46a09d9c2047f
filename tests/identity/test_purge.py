"""`sabt identity purge`: expired credentials go once the grace has passed; rows still read
(an hour's OTPs, a code whose token may live, anything not yet expired) and history stay."""

import json
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sabt.cli.main import app
from sabt.identity import provider
from sabt.identity.models import (
    Account,
    AssertionId,
    AuthEvent,
    AuthorizationCode,
    Consent,
    Interaction,
    LoginSession,
    OtpChallenge,
    Token,
)
from sabt.identity.service import now_utc
from sabt.kit.orm import Base

runner = CliRunner()
CREDENTIALS = (Token, OtpChallenge, AuthorizationCode, Interaction, LoginSession, AssertionId)
AGES = {"old": timedelta(days=-2), "recent": timedelta(hours=-1), "live": timedelta(hours=1)}


def test_purge_removes_what_expired_before_the_grace_and_keeps_history(
    engine: Engine, db_url: str
) -> None:
    _seed(engine, now_utc())
    result = runner.invoke(app, ["identity", "purge", "--db", db_url])
    assert result.exit_code == 0, result.output
    removed = json.loads(result.stdout)["removed"]
    # one row of each kind had expired two days ago; a session also ended two days ago
    assert removed == {model.__tablename__: 1 for model in CREDENTIALS} | {
        "identity_oidc_session": 2
    }
    with Session(engine) as session:
        for model in CREDENTIALS:  # the one expired an hour ago, the one still valid
            assert _count(session, model) == 2, model
        # a spent code expired an hour ago stays: its token may still be revoked on reuse
        assert session.scalar(select(AuthorizationCode.digest).where(
            AuthorizationCode.digest == "recent")) == "recent"  # fmt: skip
        assert _count(session, AuthEvent) == 1 and _count(session, Consent) == 1
    again = runner.invoke(app, ["identity", "purge", "--db", db_url])
    assert json.loads(again.stdout)["removed"] == {m.__tablename__: 0 for m in CREDENTIALS}


def test_a_grace_shorter_than_an_hour_is_refused_and_removes_nothing(
    engine: Engine, db_url: str
) -> None:
    _seed(engine, now_utc())
    result = runner.invoke(app, ["identity", "purge", "--grace-hours", "0", "--db", db_url])
    assert result.exit_code == 2
    assert "at least 60 minutes" in result.output and "Traceback" not in result.output
    for absurd in ("100000000", "-1", "soon"):
        refused = runner.invoke(app, ["identity", "purge", "--grace-hours", absurd, "--db", db_url])
        assert refused.exit_code == 2 and "--grace-hours" in refused.output, refused.output
    with Session(engine) as session:
        assert [_count(session, m) for m in CREDENTIALS] == [3, 3, 3, 3, 4, 3]


def _count(session: Session, model: type[Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _seed(engine: Engine, now: datetime) -> None:
    """Rows of every kind expired two days ago, an hour ago, or expiring in an hour; and
    history older than all of them."""
    with Session(engine) as s, s.begin():
        client = provider.add_relying_party(
            s, name="بانک آزمون", sector="bank", redirect_uris=["https://bank.example/cb"],
            actor="test",
        )  # fmt: skip
        account = Account(kind="citizen", username="0012345678", national_code="0012345678",
                          password_hash="-", created_at=now - timedelta(days=30))  # fmt: skip
        s.add(account)
        s.flush()
        for name, age in AGES.items():
            s.add_all(_credentials(name, now + age, client.client_id, account.id))
        s.add(LoginSession(digest="ended", account_id=account.id, acr="a", auth_time=now,
                           expires_at=now + timedelta(hours=8),
                           ended_at=now - timedelta(days=2)))  # fmt: skip
        old = now - timedelta(days=400)
        s.add(AuthEvent(at=old, national_code="0012345678", agency="bank", method="password",
                        outcome="success", reason=None))  # fmt: skip
        s.add(Consent(account_id=account.id, sector="bank", scopes="openid", granted_at=old,
                      expires_at=old + timedelta(days=30), withdrawn_at=None))  # fmt: skip


def _credentials(name: str, expires: datetime, client_id: str, account_id: int) -> list[Base]:
    made = expires - timedelta(minutes=2)
    return [
        Token(digest=name, account_id=account_id, audience=client_id, scopes="openid",
              issued_at=made, expires_at=expires, revoked=False),
        OtpChallenge(id=name, purpose="login", national_code="0012345678", mobile="09120000000",
                     code_digest="-", created_at=made, expires_at=expires, attempts=0,
                     agency="bank"),
        AuthorizationCode(digest=name, client_id=client_id, account_id=account_id,
                          redirect_uri="https://bank.example/cb", scope="openid", acr="a",
                          auth_time=made, created_at=made, expires_at=expires, used_at=made),
        Interaction(id=name, browser_digest="-", csrf_digest="-", client_id=client_id,
                    params="{}", step="done", created_at=made, expires_at=expires),
        LoginSession(digest=name, account_id=account_id, acr="a", auth_time=made,
                     expires_at=expires, ended_at=None),
        AssertionId(client_id=client_id, jti=name, expires_at=expires),
    ]  # fmt: skip
