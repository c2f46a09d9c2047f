"""HODA's signing keys: `sabt identity rotate-keys` adds a pair that signs from then on,
even on the day the old keys were made; the old keys stay published."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from typer.testing import CliRunner

from sabt.cli.main import app
from sabt.identity import oidc_keys
from sabt.kit import clock

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SABT_HOME", str(tmp_path))
    monkeypatch.delenv("SABT_OIDC_KEYS", raising=False)
    return tmp_path


def test_rotated_keys_sign_and_the_old_ones_still_verify(
    home: Path, fixed_clock: clock.FixedClock
) -> None:
    first = oidc_keys.of(home)
    old_token = jwt.encode({"alg": "RS256", "kid": first.kid("RS256")}, {"sub": "x"},
                           first.signing["RS256"])  # fmt: skip
    fixed_clock.advance(timedelta(minutes=5))  # the same day: the order must still hold
    result = runner.invoke(app, ["identity", "rotate-keys"])
    assert result.exit_code == 0, result.output
    new_kids = json.loads(result.stdout)
    assert set(new_kids) == {"RS256", "ES256"}
    oidc_keys.load.cache_clear()  # as a restarted server reads them
    keys = oidc_keys.of(home)
    assert {alg: keys.kid(alg) for alg in ("RS256", "ES256")} == new_kids
    published = {k.kid for k in keys.public}
    assert published == set(new_kids.values()) | {first.kid("RS256"), first.kid("ES256")}
    assert jwt.decode(old_token, keys.public).claims == {"sub": "x"}


def test_a_key_named_by_its_day_only_is_superseded_by_a_rotation_that_day(
    home: Path, fixed_clock: clock.FixedClock
) -> None:
    # kids made before the time of day was added to them: "rs256-20250922-<thumbprint>",
    # here with the (base64url) thumbprint that would sort last
    folder = oidc_keys.key_dir(home)
    folder.mkdir(parents=True)
    kid = f"rs256-{fixed_clock.now():%Y%m%d}-zzzzzzzz"
    key = RSAKey.generate_key(2048, private=True)
    (folder / f"{kid}.jwk.json").write_text(
        json.dumps({**key.as_dict(private=True), "kid": kid, "alg": "RS256"})
    )
    assert oidc_keys.of(home).kid("RS256") == kid
    kids = oidc_keys.rotate(home)
    assert oidc_keys.of(home).kid("RS256") == kids["RS256"] != kid
