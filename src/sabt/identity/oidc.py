"""HODA's OpenID Connect grant on Authlib: the authorization code flow with PKCE (S256
only; required of public clients), ID tokens (RS256 or ES256, with `kid`, `nonce`, `acr`,
`amr`, `auth_time`, pairwise `sub`), client authentication by signed assertion
(private_key_jwt, RFC 7523) and RP-initiated logout. The state these keep is in
`provider.py`; the HTTP adapter is in `oauth.py`.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidClientError, InvalidRequestError
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import grants as oidc_grants
from authlib.oidc.rpinitiated import EndSessionEndpoint
from joserfc.jwk import ECKey, KeySet, RSAKey

from sabt.identity import claims, hoda, provider
from sabt.identity.hoda import ACR_PASSWORD_OTP
from sabt.identity.models import Client

if TYPE_CHECKING:  # the server is in oauth.py, which imports this module
    from sabt.identity.oauth import ClientModel, Server

_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class TokenUser:
    """Whom a token is for, the agency it goes to (its sector makes the `sub`), and the
    access token chosen when the code was spent."""

    account_id: int
    client: Client
    subject: claims.Subject
    access_token: str


class CodeModel:
    """A spent authorization code as Authlib sees it."""

    def __init__(self, row: provider.Redemption) -> None:
        self.row = row

    def get_redirect_uri(self) -> str | None:
        return self.row.redirect_uri or None  # "": the request named none (one is registered)

    def get_scope(self) -> str:
        return self.row.scope

    def get_nonce(self) -> str | None:
        return self.row.nonce

    def get_auth_time(self) -> int:
        return int((self.row.auth_time - _EPOCH).total_seconds())  # stored as naive UTC

    def get_acr(self) -> str:
        return self.row.acr

    def get_amr(self) -> list[str]:
        return ["pwd", "otp"] if self.row.acr == ACR_PASSWORD_OTP else ["pwd"]


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(provider.AUTH_METHODS)
    server: "Server"

    def save_authorization_code(self, code: str, request: Any) -> None:
        login: provider.Login = request.user
        data = request.payload.data
        provider.save_code(
            self.server.session, code, request.client.row, login,
            redirect_uri=request.payload.redirect_uri or "",
            scope=request.scope, nonce=data.get("nonce"), challenge=data.get("code_challenge"),
        )  # fmt: skip

    def query_authorization_code(self, code: str, client: "ClientModel") -> CodeModel | None:
        seconds = self.server.token_seconds(client)
        row = provider.redeem_code(self.server.session, code, client.get_client_id(), seconds)
        if row is None:
            self.server.keep_changes = True  # a reused code's token was revoked
            return None
        return CodeModel(row)

    def delete_authorization_code(self, authorization_code: CodeModel) -> None:
        """Nothing left to do: `redeem_code` spent it (and stored its token)."""

    def authenticate_user(self, authorization_code: CodeModel) -> TokenUser | None:
        """The code's citizen, unless they may no longer authenticate (a death, the
        hotlist, a lock since the login): then `invalid_grant`."""
        code = authorization_code.row
        if code.holder is None:
            return None
        return TokenUser(code.account_id, self.request.client.row, code.holder, code.access_token)


class S256Only(CodeChallenge):  # type: ignore[misc]
    """PKCE (RFC 7636) with S256 only (`plain` protects nothing against a stolen request),
    and required of public clients already at the authorization request."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if grant.request.client.row.auth_method == "none" and not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge (S256)")
        if data.get("code_challenge") and data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256")
        super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code: CodeModel) -> str | None:
        return authorization_code.row.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code: CodeModel) -> str:
        return "S256"


class OpenIDCode(oidc_grants.OpenIDCode):  # type: ignore[misc]
    """The ID token: signed with the provider's key of the client's algorithm."""

    def __init__(self, server: "Server") -> None:
        super().__init__(require_nonce=False)
        self.server = server

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return provider.nonce_used(self.server.session, request.payload.client_id, nonce)

    def resolve_client_private_key(self, client: "ClientModel") -> RSAKey | ECKey:
        return self.server.keys.signing[self.get_client_algorithm(client)]

    def get_client_algorithm(self, client: "ClientModel") -> str:
        return client.row.id_token_alg or "RS256"

    def get_encode_header(self, client: "ClientModel") -> dict[str, str]:
        alg = self.get_client_algorithm(client)
        return {"alg": alg, "kid": self.server.keys.kid(alg), "typ": "JWT"}

    def get_client_claims(self, client: "ClientModel") -> dict[str, object]:
        now = int(time.time())
        life = self.server.settings.oidc_token_minutes * 60
        return {"iss": self.server.issuer, "aud": client.get_client_id(), "iat": now,
                "exp": now + life}  # fmt: skip

    def generate_user_info(self, user: TokenUser, scope: str) -> dict[str, object]:
        return user_claims(self.server.settings.home, user.client, user.subject, scope)


class PrivateKeyJwt(JWTBearerClientAssertion):  # type: ignore[misc]
    """`private_key_jwt`: the client signs an assertion with a key it registered; each
    assertion's `jti` is accepted once."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self, server: "Server") -> None:
        super().__init__(validate_jti=True, leeway=30)
        self.server = server

    def __call__(self, query_client: Any, request: Any) -> Any:
        client = super().__call__(query_client, request)
        given = request.form.get("client_id")
        # RFC 7521 §4.2: a client_id sent beside the assertion MUST name the assertion's
        # client (Authlib reads the assertion's `sub` only, so another client's id passed)
        if client is not None and given and given != client.get_client_id():
            raise InvalidClientError(description="client_id is not the assertion's client")
        return client

    def get_audiences(self) -> list[str]:
        return [self.server.issuer, f"{self.server.issuer}/oauth/token"]

    def validate_jti(self, claims_: dict[str, Any], jti: str) -> bool:
        expires = _from_epoch(int(claims_.get("exp") or 0))
        return provider.remember_jti(self.server.session, str(claims_["sub"]), str(jti), expires)

    def resolve_client_public_key(self, client: "ClientModel") -> KeySet:
        if not client.row.jwks:
            raise InvalidClientError(description="the client has no registered keys")
        keys: KeySet = KeySet.import_key_set(json.loads(client.row.jwks))
        return keys


class EndSession(EndSessionEndpoint):  # type: ignore[misc]
    """RP-initiated logout: the ID token hint is checked against HODA's keys; the browser's
    sign-in at HODA is ended by `end`."""

    def __init__(self, server: "Server", end: Callable[[], None]) -> None:
        super().__init__(server)
        self.keys = server.keys.public
        self.end = end

    def get_server_jwks(self) -> KeySet:
        return self.keys

    def end_session(self, end_session_request: Any) -> None:
        self.end()


def user_claims(
    home: Path, client: Client, subject: claims.Subject, scope: str
) -> dict[str, object]:
    """The claims an agency's token releases about its citizen, `sub` pairwise for its sector."""
    sector = client.sector or client.client_id
    sub = claims.pairwise_sub(hoda.pairwise_key(home), sector, subject.national_code)
    return claims.claims(subject, frozenset(scope.split()), sub)


def register(server: "Server") -> None:
    """Add the OpenID Connect grant and client authentication to `server`."""
    server.register_grant(AuthorizationCodeGrant, [S256Only(required=True), OpenIDCode(server)])
    server.register_client_auth_method("private_key_jwt", PrivateKeyJwt(server))


def _from_epoch(seconds: int) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)
