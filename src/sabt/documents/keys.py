"""Document-signing keys (ES256), never the identity keys: one private JWK file per key in
the key directory (`$SABT_DOCUMENT_KEYS`, else `$SABT_HOME/keys/documents`), created on first
use; `current` names the key that signs. Rotation adds a key and makes it current; old keys
stay, so documents they signed still verify."""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from joserfc.jwk import ECKey, KeySet

from sabt.kit import clock
from sabt.kit.errors import BadInput


@dataclass(frozen=True)
class SigningKeys:
    current: ECKey
    public: KeySet  # every key, current and retired, public parts only

    @property
    def kid(self) -> str:
        return str(self.current.kid)


def key_dir(home: Path) -> Path:
    given = os.environ.get("SABT_DOCUMENT_KEYS")
    return Path(given) if given else home / "keys" / "documents"


def load(home: Path) -> SigningKeys:
    """The signing keys, the first one created when there is none."""
    folder = key_dir(home)
    if not (folder / "current").exists():
        rotate(home)
    kid = (folder / "current").read_text("utf-8").strip()
    keys = {p.name.removesuffix(".jwk.json"): _read(p) for p in folder.glob("*.jwk.json")}
    if kid not in keys:
        raise BadInput(
            "missing_key", f"کلید جاری یافت نشد: {kid}", f"the current key {kid} is not in {folder}"
        )
    public = KeySet([ECKey.import_key(k.as_dict(private=False)) for k in keys.values()])
    return SigningKeys(keys[kid], public)


def load_existing(home: Path) -> SigningKeys:
    """The signing keys for checking only: a clear error, never new keys, when there are
    none (a document checked against keys made a moment ago would be called invalid)."""
    if not (key_dir(home) / "current").exists():
        raise BadInput(
            "no_document_keys",
            f"کلیدهای اسناد این ثبت در {key_dir(home)} نیست؛"
            " SABT_HOME را درست کنید یا --jwks بدهید",
            f"no document keys in {key_dir(home)}: set SABT_HOME to the registry's instance"
            " folder, or pass --jwks (or --offline --jwks)",
        )
    return load(home)


def _read(path: Path) -> ECKey:
    try:
        return ECKey.import_key(json.loads(path.read_text("utf-8")))
    except (ValueError, KeyError) as exc:
        raise BadInput(
            "bad_key", f"پروندهٔ کلید نامعتبر است: {path}", f"{path} is not an EC JWK"
        ) from exc


def rotate(home: Path) -> str:
    """Create a new key and make it current; returns its kid."""
    folder = key_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    key = ECKey.generate_key("P-256", parameters={"use": "sig", "alg": "ES256"}, private=True)
    kid = f"doc-{clock.now():%Y%m%d}-{key.thumbprint()[:8]}"
    key = ECKey.import_key({**key.as_dict(private=True), "kid": kid})
    path = folder / f"{kid}.jwk.json"
    path.write_text(json.dumps(key.as_dict(private=True)), "utf-8")
    path.chmod(0o600)
    (folder / "current").write_text(kid + "\n", "utf-8")
    return kid


def jwks(home: Path) -> dict[str, object]:
    """The public key set, as `/api/v1/documents/jwks.json` serves it."""
    return dict(load(home).public.as_dict())


def key_set_file(path: Path) -> KeySet:
    """The public keys in a JWKS file (`sabt documents jwks`), for checking offline."""
    try:
        return KeySet.import_key_set(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInput("bad_jwks", "پروندهٔ کلید خوانا نیست", f"{path} is not a JWKS") from exc
