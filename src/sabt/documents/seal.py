"""The seal a document's QR holds: its claims (the same as the API's JWS, see `tokens`) as
CBOR, signed as a COSE_Sign1 (ES256, the document key's `kid` in the protected header),
zlib-compressed and Base45-encoded behind the prefix `SB1:`: the EU Digital COVID
Certificate's way (CBOR, COSE_Sign1, zlib, Base45, `HC1:`). Base45 keeps to the QR's
alphanumeric alphabet, so the code stores 5.5 bits a character instead of a byte's 8: a
booklet's seal (400-420 characters) makes a QR of 65 modules a side where its JWS in a URL
made 85, and zbar reads it from a page rendered at 80-90 dpi (bench/documents.py; the
tests read it at 100). COSE is python-cwt's (RFC 9052); the tests verify the
seals with pycose, an independent implementation, against the published JWKS.
"""

import base64
import zlib
from typing import Any

import base45
import cbor2
from cwt import COSE, COSEKey
from cwt.exceptions import CWTError
from joserfc.errors import JoseError
from joserfc.jwk import Key, KeySet

from sabt.documents.keys import SigningKeys
from sabt.documents.tokens import VERSION, InvalidToken

PREFIX = "SB1:"
_COSE = COSE.new()
ES256 = -7  # COSE algorithm identifiers (RFC 9053)
ALG, KID = 1, 4  # COSE header labels


def is_seal(text: str) -> bool:
    return text.strip().startswith(PREFIX)


def _cose_key(jwk: Key, private: bool) -> Any:
    return COSEKey.from_jwk({**jwk.as_dict(private=private), "alg": "ES256"})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(keys: SigningKeys, claims: dict[str, Any]) -> str:
    # the facts hash travels as its 32 bytes, not as base64url text: 16 characters less
    binary = {**claims, "h": base64.urlsafe_b64decode(claims["h"] + "=" * (-len(claims["h"]) % 4))}
    payload = cbor2.dumps(binary, canonical=True)
    signed = _COSE.encode_and_sign(
        payload,
        _cose_key(keys.current, private=True),
        protected={ALG: ES256, KID: keys.kid.encode()},
        unprotected={},
    )
    encoded: bytes = base45.b45encode(zlib.compress(signed, 9))
    return PREFIX + encoded.decode("ascii")


def verify(public: KeySet, text: str) -> dict[str, Any]:
    """The claims of a seal signed by one of `public`'s keys; InvalidToken otherwise."""
    try:
        signed = zlib.decompress(base45.b45decode(text.strip().removeprefix(PREFIX)))
        kid = _kid_of(signed)
        jwk = public.get_by_kid(kid)
        payload = _COSE.decode(signed, _cose_key(jwk, private=False))
        claims = cbor2.loads(payload)
        claims["h"] = _b64(claims["h"])
    except (CWTError, JoseError, ValueError, KeyError, TypeError, zlib.error,
            cbor2.CBORDecodeError) as exc:  # fmt: skip
        raise InvalidToken(
            "invalid_token",
            "مهر سند معتبر نیست یا خراب است",
            f"the seal is not a document signed by a known key ({type(exc).__name__})",
        ) from exc
    if not isinstance(claims, dict) or claims.get("v") != VERSION:
        raise InvalidToken("invalid_token", "قالب مهر ناشناخته است", "unknown seal format")
    return claims


def _kid_of(signed: bytes) -> str:
    """The key id from the COSE_Sign1's protected header (checked by the signature)."""
    message = cbor2.loads(signed)
    body = message.value if isinstance(message, cbor2.CBORTag) else message
    protected = cbor2.loads(body[0]) if body[0] else {}
    kid = protected.get(KID)
    if not isinstance(kid, bytes):
        raise ValueError("the seal names no key")
    return kid.decode("ascii")
