"""The signed token a document's QR holds: a compact JWS (ES256, with `kid`) over the
document's essential claims. Kept small so one QR code carries it (see bench/documents.py).

Claims (short names, for the QR's sake): `v` format version, `k` kind, `n` number,
`d` issue date (ISO), `s` subject national codes, `f` the key facts, `h` the SHA-256 of the
document's canonical facts (base64url), `l` the transparency-log leaf index.
"""

import binascii
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from sabt.documents.keys import SigningKeys
from sabt.kit import canonical
from sabt.kit.errors import SabtError

VERSION = 1


class InvalidToken(SabtError):
    status = 422


def sign(keys: SigningKeys, claims: dict[str, Any]) -> str:
    header = {"alg": "ES256", "kid": keys.kid}
    token: str = jws.serialize_compact(header, canonical.dumps(claims), keys.current)
    return token


def verify(public: KeySet, token: str) -> dict[str, Any]:
    """The claims of a token signed by one of `public`'s keys; InvalidToken otherwise."""
    try:
        obj = jws.deserialize_compact(token.strip(), public, algorithms=["ES256"])
        claims = canonical.loads(obj.payload)
    except (JoseError, ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidToken(
            "invalid_token",
            "امضای سند معتبر نیست یا رمز خراب است",
            f"the token is not a document signed by a known key ({type(exc).__name__})",
        ) from exc
    if not isinstance(claims, dict) or claims.get("v") != VERSION:
        raise InvalidToken("invalid_token", "قالب رمز ناشناخته است", "unknown token format")
    return claims
