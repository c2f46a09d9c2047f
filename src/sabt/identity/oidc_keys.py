"""The OpenID Connect provider's signing keys, never the documents' keys: an RSA key
(RS256, which the standard requires every provider to offer) and an EC P-256 key (ES256),
as private JWK files in `$SABT_OIDC_KEYS` (else `$SABT_HOME/keys/oidc`), created on first
use. Every token names its key by `kid`, and a kid begins with its key's creation time, so
the newest key of each algorithm (by file name) signs and the older ones stay published:
`sabt identity rotate-keys` adds a new pair, which signs once the server is restarted."""

import fcntl
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, KeySet, RSAKey

from sabt.kit import clock
from sabt.kit.errors import BadInput

ALGORITHMS = ("RS256", "ES256")


@dataclass(frozen=True)
class OidcKeys:
    signing: dict[str, RSAKey | ECKey]  # by algorithm
    public: KeySet

    def kid(self, alg: str) -> str:
        return str(self.signing[alg].kid)


def key_dir(home: Path) -> Path:
    given = os.environ.get("SABT_OIDC_KEYS")
    return Path(given) if given else home / "keys" / "oidc"


def of(home: Path) -> OidcKeys:
    """The instance's keys (from `$SABT_OIDC_KEYS` when set)."""
    return load(key_dir(home))


@cache
def load(folder: Path) -> OidcKeys:
    """The keys in `folder` (the newest of each algorithm signs), created when missing."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # server processes starting at once make one set
        for alg in ALGORITHMS:
            if not list(folder.glob(f"{alg.lower()}-*.jwk.json")):
                _create(folder, alg)
    signing: dict[str, RSAKey | ECKey] = {}
    every: list[RSAKey | ECKey] = []
    for alg in ALGORITHMS:
        keys = [_read(p, alg) for p in sorted(folder.glob(f"{alg.lower()}-*.jwk.json"))]
        signing[alg] = keys[-1]
        every += keys
    public = KeySet([type(k).import_key(k.as_dict(private=False)) for k in every])
    return OidcKeys(signing, public)


def rotate(home: Path) -> dict[str, str]:
    """A new key for each algorithm, to sign from the server's next start (the old keys stay
    published: what they signed still verifies); returns the new kids by algorithm."""
    folder = key_dir(home)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        kids = {alg: _create(folder, alg) for alg in ALGORITHMS}
    load.cache_clear()
    return kids


def _create(folder: Path, alg: str) -> str:
    params: Any = {"use": "sig", "alg": alg}
    key: RSAKey | ECKey = (
        RSAKey.generate_key(2048, parameters=params, private=True)
        if alg == "RS256"
        else ECKey.generate_key("P-256", parameters=params, private=True)
    )
    # to the microsecond, so that the newest key sorts last even on a day of two rotations
    # (kids made before this had the day only: "rs256-20261123-…" sorts before
    # "rs256-20261123T…", as it should)
    kid = f"{alg.lower()}-{clock.now():%Y%m%dT%H%M%S%f}-{key.thumbprint()[:8]}"
    data = {**key.as_dict(private=True), "kid": kid}
    path = folder / f"{kid}.jwk.json"
    path.write_text(json.dumps(data), "utf-8")
    path.chmod(0o600)
    return kid


def _read(path: Path, alg: str) -> RSAKey | ECKey:
    kind = RSAKey if alg == "RS256" else ECKey
    try:
        key = kind.import_key(json.loads(path.read_text("utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise BadInput(
            "bad_key",
            f"پروندهٔ کلید HODA نامعتبر است: {path}",
            f"{path} is not a private {alg} JWK",
        ) from exc
    if not key.is_private or key.kid is None:
        raise BadInput(
            "bad_key",
            f"پروندهٔ کلید HODA باید کلید خصوصی با kid باشد: {path}",
            f"{path} must hold a private key with a kid",
        )
    return key
