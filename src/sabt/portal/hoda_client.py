"""SAHIM as HODA's relying party, through the protocol only (never HODA's tables): the
portal's registration as a first-party client, the authorization request with PKCE and a
nonce, the code exchanged at the token endpoint (Authlib's client), the ID token checked
against HODA's published keys, and the claims read from userinfo.

HODA is reached at the instance's public URL (it is its issuer): in one deployment the
portal and HODA are the same service, but the portal still talks to it over HTTP.
"""

import fcntl
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sabt.identity import credentials, provider, service
from sabt.kit.settings import Settings

SECTOR = "sabt-portal"
NAME = "سهیم — درگاه خدمات شهروندان"
CALLBACK_PATH = "/sahim/callback"
HOME_PATH = "/sahim/"
SCOPE = "openid profile national_code"
_TIMEOUT = 10.0
_METADATA_SECONDS = 300
_ALGORITHMS = ["RS256", "ES256"]


class HodaUnavailable(Exception):
    """HODA did not answer, or its discovery document is not what it should be."""


class LoginRefused(Exception):
    """HODA refused the code, or what it gave back does not check (ID token, userinfo)."""


@dataclass(frozen=True)
class Registration:
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class SignedIn:
    national_code: str
    id_token: str
    acr: str


def registration(engine: Engine, settings: Settings) -> Registration:
    """The portal's client at HODA: registered on first use (first-party: no consent screen,
    the national code released) and kept in `$SABT_HOME/keys/portal-client.json`; made
    again when the database no longer knows it or the public URL moved."""
    path = settings.home / "keys" / "portal-client.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # server processes starting at once register once
        saved = _read(path)
        with Session(engine) as session, session.begin():
            if saved is not None and _still_valid(session, saved, settings):
                return saved
            new = provider.add_relying_party(
                session, name=NAME, sector=SECTOR, actor="portal", first_party=True,
                redirect_uris=[settings.public_url + CALLBACK_PATH],
                post_logout_uris=[settings.public_url + HOME_PATH],
            )  # fmt: skip
        assert new.client_secret is not None  # client_secret_basic
        made = Registration(new.client_id, new.client_secret)
        _write(path, made)
        return made


def authorization_url(settings: Settings, client: Registration, state: str, nonce: str,
                      verifier: str) -> str:  # fmt: skip
    with _oauth(settings, client) as oauth:
        url, _ = oauth.create_authorization_url(
            _metadata(settings.public_url)["authorization_endpoint"],
            state=state, nonce=nonce, code_verifier=verifier,
        )  # fmt: skip
    return str(url)


def sign_in(settings: Settings, client: Registration, code: str, nonce: str,
            verifier: str) -> SignedIn:  # fmt: skip
    """Exchange the code, check the ID token (issuer, audience, nonce, expiry, signature by
    HODA's key) and read the national code from userinfo."""
    meta = _metadata(settings.public_url)
    try:
        with _oauth(settings, client) as oauth:
            token = oauth.fetch_token(meta["token_endpoint"], code=code, code_verifier=verifier)
            info = oauth.get(meta["userinfo_endpoint"])
    except OAuthError as error:
        raise LoginRefused(f"HODA refused the code: {error}") from error
    except httpx2.HTTPError as error:
        raise HodaUnavailable(f"the token exchange failed: {error}") from error
    claims = _checked_id_token(settings.public_url, str(token.get("id_token", "")), client,
                               nonce)  # fmt: skip
    if info.status_code != 200:
        raise LoginRefused(f"userinfo answered {info.status_code}")
    user = info.json()
    if user.get("sub") != claims["sub"] or not user.get("national_code"):
        raise LoginRefused("userinfo does not match the ID token")
    return SignedIn(str(user["national_code"]), str(token["id_token"]), str(claims.get("acr")))


def end_session_url(settings: Settings, id_token: str) -> str:
    meta = _metadata(settings.public_url)
    query = httpx2.QueryParams(
        {"id_token_hint": id_token, "post_logout_redirect_uri": settings.public_url + HOME_PATH}
    )
    return f"{meta['end_session_endpoint']}?{query}"


def _oauth(settings: Settings, client: Registration) -> OAuth2Client:
    return OAuth2Client(
        client.client_id, client.client_secret, scope=SCOPE, timeout=_TIMEOUT,
        redirect_uri=settings.public_url + CALLBACK_PATH, code_challenge_method="S256",
    )  # fmt: skip


def _checked_id_token(issuer: str, id_token: str, client: Registration,
                      nonce: str) -> dict[str, Any]:  # fmt: skip
    try:
        decoded = _decoded(issuer, id_token)
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": client.client_id},
            nonce={"essential": True, "value": nonce},
            exp={"essential": True}, sub={"essential": True},
        ).validate(decoded.claims)  # fmt: skip
    except (JoseError, ValueError) as error:
        raise LoginRefused(f"the ID token does not check: {error}") from error
    return dict(decoded.claims)


_cached: dict[str, tuple[float, dict[str, Any]]] = {}


def _metadata(issuer: str) -> dict[str, Any]:
    """HODA's discovery document, kept a few minutes per process."""
    now = time.monotonic()
    held = _cached.get(issuer)
    if held is not None and now - held[0] < _METADATA_SECONDS:
        return held[1]
    meta = _get_json(f"{issuer}/.well-known/openid-configuration")
    if meta.get("issuer") != issuer:
        raise HodaUnavailable(f"discovery names another issuer: {meta.get('issuer')!r}")
    meta["jwks"] = _get_json(str(meta["jwks_uri"]))
    _cached[issuer] = (now, meta)
    return meta


def _decoded(issuer: str, id_token: str) -> jwt.Token:
    """The ID token, its signature checked by HODA's published keys (fetched once more if
    none of those held fits: a key was rotated since)."""
    try:
        return jwt.decode(id_token, _keys(issuer), algorithms=_ALGORITHMS)
    except JoseError:
        _cached.pop(issuer, None)
        return jwt.decode(id_token, _keys(issuer), algorithms=_ALGORITHMS)


def _keys(issuer: str) -> KeySet:
    return KeySet.import_key_set(_metadata(issuer)["jwks"])


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = httpx2.get(url, timeout=_TIMEOUT)
        response.raise_for_status()
        body = response.json()
    except (httpx2.HTTPError, ValueError) as error:
        raise HodaUnavailable(f"{url}: {error}") from error
    if not isinstance(body, dict):
        raise HodaUnavailable(f"{url}: not a JSON object")
    return body


def _still_valid(session: Session, saved: Registration, settings: Settings) -> bool:
    row = service.find_client(session, saved.client_id)
    return (
        row is not None
        and settings.public_url + CALLBACK_PATH in provider.uris(row.redirect_uris)
        and credentials.verify_client_secret(row.secret_hash, saved.client_secret)
    )


def _read(path: Path) -> Registration | None:
    try:
        data = json.loads(path.read_text())
        return Registration(str(data["client_id"]), str(data["client_secret"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(path: Path, registration: Registration) -> None:
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"client_id": registration.client_id,
                   "client_secret": registration.client_secret}, f)  # fmt: skip
    os.replace(temporary, path)
