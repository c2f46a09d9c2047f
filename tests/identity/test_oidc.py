"""HODA as an OpenID Connect provider, served on a real socket and driven by Authlib's
OAuth2 client through the Persian login pages: discovery, PKCE, password and code, consent,
tokens, ID tokens checked against the published keys, userinfo, logout; and every refusal
the standards define (wrong redirect, reused code, wrong verifier, replayed assertion), a
death or the hotlist at every step, pairwise identifiers, consent kept and withdrawn."""

import json
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sabt.cli.main import app
from sabt.identity import credentials, hoda, provider
from sabt.identity.models import Account, Token
from sabt.registry.models import Person
from tests.identity import accounts, offices
from tests.identity.oidc_support import (
    Browser,
    add_agency,
    callback_params,
    live_server,
    step,
)
from tests.identity.test_hoda import ALI_MOBILE, PASSWORD, at, enrol, last_code
from tests.registration.conftest import client, hospital
from tests.registration.support import DEATHS, C
from tests.registration.test_deaths import death

__all__ = ["client", "hospital"]
CALLBACK = "http://127.0.0.1:9/callback"  # never fetched: the browser stops before it
ACR_OTP = "urn:sabt:acr:password+otp"


@dataclass
class Hoda:
    base: str
    home: Path
    engine: Engine
    meta: dict[str, Any]

    def agency(self, sector: str, **options: object) -> tuple[str, str | None]:
        return add_agency(self.engine, sector, CALLBACK, **options)

    def browser(self) -> Browser:
        return Browser(self.base, self.home)

    def authlib(self, client_id: str, secret: Any, scope: str = "openid profile",
                **kw: Any) -> OAuth2Client:  # fmt: skip
        return OAuth2Client(client_id, secret, scope=scope, redirect_uri=CALLBACK,
                            code_challenge_method="S256", **kw)  # fmt: skip

    def keys(self) -> KeySet:
        return KeySet.import_key_set(httpx2.get(self.meta["jwks_uri"]).json())


@pytest.fixture
def op(client: TestClient, engine: Engine, db_url: str, tmp_path: Path) -> Iterator[Hoda]:
    """HODA on 127.0.0.1 over the family register, with Ali enrolled."""
    enrol(client, tmp_path)
    with live_server(db_url, tmp_path) as base:
        meta = httpx2.get(f"{base}/.well-known/openid-configuration").json()
        yield Hoda(base, tmp_path, engine, meta)


def authorize_url(op: Hoda, oauth: OAuth2Client, **extra: str) -> tuple[str, str, str]:
    """An authorization URL with PKCE and a nonce: (url, verifier, nonce)."""
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, _state = oauth.create_authorization_url(
        op.meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **extra
    )
    return url, verifier, nonce


def sign_in(op: Hoda, browser: Browser, url: str, consent: str | None = "allow") -> Any:
    return browser.sign_in(url, C["ali"], PASSWORD, ALI_MOBILE, consent)


def code_flow(op: Hoda, oauth: OAuth2Client, browser: Browser | None = None,
              **extra: str) -> tuple[dict[str, Any], str]:  # fmt: skip
    """A complete login; returns the token response and the nonce sent."""
    url, verifier, nonce = authorize_url(op, oauth, **extra)
    back = sign_in(op, browser or op.browser(), url)
    assert step(back) == "redirect", back.text
    token = oauth.fetch_token(op.meta["token_endpoint"], code_verifier=verifier,
                              authorization_response=back.headers["location"])  # fmt: skip
    return dict(token), nonce


def id_claims(op: Hoda, token: dict[str, Any], client_id: str, nonce: str) -> dict[str, Any]:
    decoded = jwt.decode(token["id_token"], op.keys(), algorithms=["RS256", "ES256"])
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": op.base}, aud={"essential": True, "value": client_id},
        nonce={"essential": True, "value": nonce}, exp={"essential": True},
    )  # fmt: skip
    registry.validate(decoded.claims)
    return {"header": decoded.header, **decoded.claims}


def test_discovery_names_the_endpoints_levels_and_only_the_oidc_keys(op: Hoda) -> None:
    meta = op.meta
    assert meta["issuer"] == op.base
    assert set(meta["id_token_signing_alg_values_supported"]) >= {"RS256", "ES256"}
    assert meta["acr_values_supported"] == ["urn:sabt:acr:password", ACR_OTP]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["subject_types_supported"] == ["pairwise"]
    assert {"client_secret_basic", "private_key_jwt"} <= set(
        meta["token_endpoint_auth_methods_supported"])  # fmt: skip
    keys = httpx2.get(meta["jwks_uri"]).json()["keys"]
    assert {k["alg"] for k in keys} == {"RS256", "ES256"} and all(k.get("kid") for k in keys)
    assert not any("d" in k or "p" in k for k in keys)  # public parts only
    documents = httpx2.get(f"{op.base}/api/v1/documents/jwks.json").json()["keys"]
    assert not {k["kid"] for k in keys} & {k["kid"] for k in documents}
    assert not {k.get("x") for k in keys} & {k.get("x") for k in documents}


def test_a_full_login_with_authlib_gives_signed_claims_and_userinfo(op: Hoda) -> None:
    client_id, secret = op.agency("bank-melli", name="بانک ملی ایران")
    oauth = op.authlib(client_id, secret, scope="openid profile phone address")
    browser = op.browser()
    url, verifier, nonce = authorize_url(op, oauth)
    login_page = browser.open(url)
    assert step(login_page) == "login" and 'dir="rtl"' in login_page.text
    assert "بانک ملی ایران" in login_page.text
    csp = login_page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "nonce-" in csp
    otp_page = browser.submit(login_page, action="login", national_code=C["ali"],
                              password=PASSWORD)  # fmt: skip
    assert step(otp_page) == "otp", (otp_page.status_code, otp_page.text)
    consent = browser.submit(otp_page, action="otp", otp=last_code(op.home, ALI_MOBILE))
    assert step(consent) == "consent"
    for shown in ("نام، نام خانوادگی", "شمارهٔ همراه", "شهرستان محل سکونت"):
        assert shown in consent.text
    assert "<li>کد ملی</li>" not in consent.text  # not asked for
    back = browser.submit(consent, action="allow")
    assert step(back) == "redirect" and back.headers["location"].startswith(CALLBACK)
    token = oauth.fetch_token(op.meta["token_endpoint"], code_verifier=verifier,
                              authorization_response=back.headers["location"])  # fmt: skip
    claims = id_claims(op, token, client_id, nonce)
    assert claims["header"]["alg"] == "RS256" and claims["header"]["kid"].startswith("rs256-")
    assert claims["acr"] == ACR_OTP and claims["amr"] == ["pwd", "otp"]
    assert isinstance(claims["auth_time"], int)
    with Session(op.engine) as s:
        ali = s.get(Person, C["ali"])
        assert ali is not None and ali.father_name
    assert (claims["given_name"], claims["family_name"]) == (ali.first_name, ali.last_name)
    assert claims["father_name"] == ali.father_name and claims["gender"] == "male"
    assert claims["birthdate"] == "1975-01-04" and claims["birthdate_jalali"] == "1353/10/14"
    assert "national_code" not in claims and C["ali"] not in json.dumps(claims)
    info = oauth.get(op.meta["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"] and info["phone_number"] == "+989121234567"
    assert info["address"]["country"] == "IR" and info["address"]["locality"]
    assert "national_code" not in info


def test_private_key_jwt_and_es256_id_tokens(op: Hoda, tmp_path: Path) -> None:
    key = ECKey.generate_key("P-256", parameters={"kid": "bank-1"}, private=True)
    public = json.dumps({"keys": [key.as_dict(private=False)]})
    client_id, secret = op.agency("bank-sepah", jwks=public, id_token_alg="ES256")
    assert secret is None
    token_endpoint = op.meta["token_endpoint"]
    signer = PrivateKeyJWT(token_endpoint, alg="ES256")
    oauth = op.authlib(client_id, key, token_endpoint_auth_method=signer)
    token, nonce = code_flow(op, oauth)
    claims = id_claims(op, token, client_id, nonce)
    assert claims["header"]["alg"] == "ES256" and claims["header"]["kid"].startswith("es256-")
    # the same assertion a second time is a replay
    assertion = signer.sign(oauth, token_endpoint)
    url, verifier, _ = authorize_url(op, oauth)
    code = callback_params(sign_in(op, op.browser(), url))["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "code_verifier": verifier, "client_id": client_id,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion}  # fmt: skip
    assert httpx2.post(token_endpoint, data=form).status_code == 200
    again = httpx2.post(token_endpoint, data=form)
    assert again.status_code in (400, 401) and again.json()["error"] == "invalid_client"
    # a key the agency did not register
    other = ECKey.generate_key("P-256", private=True)
    forged = PrivateKeyJWT(token_endpoint, alg="ES256").sign(
        OAuth2Client(client_id, other), token_endpoint)  # fmt: skip
    bad = httpx2.post(token_endpoint, data={**form, "client_assertion": forged})
    assert bad.json()["error"] == "invalid_client"
    malformed = httpx2.post(token_endpoint, data={**form, "client_assertion": "not.a.jwt"})
    assert malformed.status_code in (400, 401) and malformed.json()["error"] == "invalid_client"


def test_public_clients_must_use_pkce_with_s256(op: Hoda) -> None:
    client_id, _ = op.agency("mobile-app", public=True)
    oauth = OAuth2Client(client_id, scope="openid", redirect_uri=CALLBACK,
                         token_endpoint_auth_method="none")  # fmt: skip
    bare, _ = oauth.create_authorization_url(op.meta["authorization_endpoint"], nonce="n1")
    answer = callback_params(op.browser().open(bare))
    assert answer["error"] == "invalid_request" and "PKCE" in answer["error_description"]
    plain = bare + "&code_challenge=" + "a" * 43 + "&code_challenge_method=plain"
    assert callback_params(op.browser().open(plain))["error"] == "invalid_request"
    oauth = op.authlib(client_id, None, scope="openid", token_endpoint_auth_method="none")
    url, verifier, _ = authorize_url(op, oauth)
    code = callback_params(sign_in(op, op.browser(), url))["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "client_id": client_id}  # fmt: skip
    token_endpoint = op.meta["token_endpoint"]
    for verifier_sent in ({}, {"code_verifier": secrets.token_urlsafe(48)}):
        wrong = httpx2.post(token_endpoint, data={**form, **verifier_sent})
        assert wrong.status_code == 400 and wrong.json()["error"] in (
            "invalid_grant", "invalid_request")  # fmt: skip
    right = httpx2.post(token_endpoint, data={**form, "code_verifier": verifier})
    assert right.status_code == 200 and right.json()["id_token"]


def test_reused_code_is_refused_and_revokes_the_first_token(op: Hoda) -> None:
    client_id, secret = op.agency("tax")
    oauth = op.authlib(client_id, secret)
    url, verifier, _ = authorize_url(op, oauth)
    code = callback_params(sign_in(op, op.browser(), url))["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "code_verifier": verifier}  # fmt: skip
    first = httpx2.post(op.meta["token_endpoint"], data=form, auth=(client_id, str(secret)))
    assert first.status_code == 200
    bearer = {"Authorization": f"Bearer {first.json()['access_token']}"}
    assert httpx2.get(op.meta["userinfo_endpoint"], headers=bearer).status_code == 200
    second = httpx2.post(op.meta["token_endpoint"], data=form, auth=(client_id, str(secret)))
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    assert second.json()["message_fa"]
    revoked = httpx2.get(op.meta["userinfo_endpoint"], headers=bearer)
    assert revoked.status_code == 401 and "invalid_token" in revoked.headers["www-authenticate"]
    # an agency's token is not a key to the register's API
    assert httpx2.get(f"{op.base}/api/v1/hoda/me", headers=bearer).status_code == 401
    wrong_secret = httpx2.post(op.meta["token_endpoint"], data=form, auth=(client_id, "nope"))
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"


def test_a_code_is_spent_once_even_by_redemptions_at_the_same_moment(op: Hoda) -> None:
    client_id, secret = op.agency("customs")
    oauth = op.authlib(client_id, secret)
    url, _verifier, _ = authorize_url(op, oauth)
    code = callback_params(sign_in(op, op.browser(), url))["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "code_verifier": "a-wrong-verifier-" + "x" * 40}  # fmt: skip
    wrong = httpx2.post(op.meta["token_endpoint"], data=form, auth=(client_id, str(secret)))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert tokens_of(op, client_id) == []  # the refusal stored no token either
    # the refused request left the code unspent; two redemptions now race for it: the
    # first holds the code's row until it commits, the second then finds it spent
    with Session(op.engine) as first, Session(op.engine) as second:
        won = provider.redeem_code(first, code, client_id, 600)
        assert won is not None and won.holder is not None
        with ThreadPoolExecutor(1) as pool:
            other = pool.submit(provider.redeem_code, second, code, client_id, 600)
            time.sleep(0.3)
            first.commit()
            assert other.result(timeout=30) is None
    # the winner's token was stored as the code was spent: its digest, scope and life
    (token,) = tokens_of(op, client_id)
    assert token.digest == credentials.token_digest(won.access_token)
    assert token.account_id == won.account_id and token.scopes == won.scope == "openid profile"
    assert token.expires_at - token.issued_at == timedelta(seconds=600) and not token.revoked


def tokens_of(op: Hoda, client_id: str) -> list[Token]:
    with Session(op.engine) as session:
        return list(session.scalars(select(Token).where(Token.audience == client_id)))


def test_the_one_registered_redirect_uri_may_be_left_out(op: Hoda) -> None:
    client_id, secret = op.agency("registry-app")
    oauth = OAuth2Client(client_id, secret, scope="openid", code_challenge_method="S256")
    url, verifier, _ = authorize_url(op, oauth)
    assert "redirect_uri" not in url
    back = sign_in(op, op.browser(), url)
    assert back.headers["location"].startswith(CALLBACK)
    form = {"grant_type": "authorization_code", "code": callback_params(back)["code"],
            "code_verifier": verifier}  # fmt: skip
    token = httpx2.post(op.meta["token_endpoint"], data=form, auth=(client_id, str(secret)))
    assert token.status_code == 200, token.text


def test_bad_client_or_redirect_gets_a_persian_page_never_a_redirect(op: Hoda) -> None:
    client_id, secret = op.agency("insurance")
    oauth = op.authlib(client_id, secret)
    url, _, _ = authorize_url(op, oauth)
    for bad in (url.replace("callback", "elsewhere"),
                url.replace(client_id, "rp-nobody-123"),
                url + "&client_id=" + client_id):  # fmt: skip
        page = op.browser().open(bad)
        assert page.status_code in (400, 401), (bad, page.status_code, page.text[-600:])
        assert "location" not in page.headers and 'lang="fa"' in page.text
    # the client and its redirect URI are known: the error goes back to the agency
    no_openid = callback_params(op.browser().open(url.replace("openid+profile", "profile")))
    assert no_openid["error"] == "invalid_scope"
    implicit = callback_params(op.browser().open(url.replace("=code&", "=token&")))
    assert implicit["error"] == "unsupported_response_type"


def test_wrong_password_and_code_on_the_pages_then_lockout(op: Hoda) -> None:
    client_id, secret = op.agency("pension")
    url, _, _ = authorize_url(op, op.authlib(client_id, secret))
    browser = op.browser()
    page = browser.open(url)
    wrong = browser.submit(page, action="login", national_code=C["ali"], password="not mine!!")
    assert wrong.status_code == 401 and step(wrong) == "login" and 'id="error"' in wrong.text
    unknown = browser.submit(wrong, action="login", national_code=C["hasan"], password="x" * 12)
    assert unknown.status_code == 401
    assert _error_text(unknown) == _error_text(wrong)  # nothing told about who is enrolled
    otp = browser.submit(unknown, action="login", national_code=C["ali"], password=PASSWORD)
    assert step(otp) == "otp"
    bad = browser.submit(otp, action="otp", otp="000000")
    assert bad.status_code == 422 and step(bad) == "otp"
    stale = browser.http.post(str(bad.url), data={"csrf": "forged", "action": "otp", "otp": "1"})
    assert stale.status_code == 422 and "CSRF" in stale.text
    # five wrong passwords lock the account for a while, whatever comes next
    page = browser.open(url)
    for _ in range(5):
        page = browser.submit(page, action="login", national_code=C["ali"], password="wrong pass")
    locked = browser.submit(page, action="login", national_code=C["ali"], password=PASSWORD)
    assert locked.status_code == 401 and step(locked) == "login"


def test_an_expired_code_on_the_page_is_refused(op: Hoda) -> None:
    client_id, secret = op.agency("customs")
    url, _, _ = authorize_url(op, op.authlib(client_id, secret))
    browser = op.browser()
    page = browser.open(url)
    otp = browser.submit(page, action="login", national_code=C["ali"], password=PASSWORD)
    code = last_code(op.home, ALI_MOBILE)
    at(timedelta(minutes=3))  # the code lives two minutes
    late = browser.submit(otp, action="otp", otp=code)
    assert late.status_code == 422 and step(late) == "otp"
    again = browser.submit(late, action="restart")
    assert step(again) == "login"


def test_garbage_never_gets_a_500(op: Hoda) -> None:
    base = op.base
    for method, path, kw in (
        ("GET", "/oidc/authorize", {}),
        ("GET", "/oidc/authorize?client_id=%00&redirect_uri=javascript:x&response_type=code", {}),
        ("POST", "/oauth/token", {"data": {"grant_type": "authorization_code", "code": "x"}}),
        ("POST", "/oauth/token", {"data": {"grant_type": "password"}}),
        ("POST", "/oauth/token", {"data": {"client_assertion": "a.b.c", "client_assertion_type":
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}}),
        ("GET", "/oidc/userinfo", {"headers": {"Authorization": "Bearer nothing"}}),
        ("GET", "/oidc/logout?id_token_hint=not.a.jwt", {}),
        ("POST", "/oidc/interaction/nothing", {"data": {"csrf": "x"}}),
        ("GET", "/oidc/interaction/nothing", {}),
        ("GET", "/oidc/authorize?response_type=code&client_id=rp-x&state=%00", {}),
        ("POST", "/oauth/token", {"data": {"grant_type": "client_credentials"},
                                  "auth": ("a\x00b", "secret")}),
        ("POST", "/api/v1/hoda/login", {"json": {"national_code": "\x00" * 10,
                                                 "password": "x\x00"}}),
        ("POST", "/api/v1/hoda/enrolments", {"json": {"national_code": "0010000712",
            "birth_date": "1311/11/11", "booklet_serial": "00000\x00", "mobile": "0939\x00"}}),
    ):  # fmt: skip
        answer = httpx2.request(method, base + path, **kw)
        assert 400 <= answer.status_code < 500, (path, answer.status_code, answer.text[:200])
        assert "message_fa" in answer.text or 'lang="fa"' in answer.text, path


def test_an_interaction_belongs_to_its_browser(op: Hoda) -> None:
    client_id, secret = op.agency("post")
    url, _, _ = authorize_url(op, op.authlib(client_id, secret))
    mine = op.browser().open(url)
    thief = op.browser()
    stolen = thief.http.get(str(mine.url))
    assert stolen.status_code == 404 and 'lang="fa"' in stolen.text


def test_a_death_or_the_hotlist_stops_every_step(
    op: Hoda, client: TestClient, hospital: dict[str, str]
) -> None:
    client_id, secret = op.agency("health")
    oauth = op.authlib(client_id, secret)
    # a code issued, then the identity hotlisted: no token for it
    url, verifier, _ = authorize_url(op, oauth)
    browser = op.browser()
    code = callback_params(sign_in(op, browser, url))["code"]
    token_form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
                  "code_verifier": verifier}  # fmt: skip
    _hotlist(op, add=True)
    refused = httpx2.post(op.meta["token_endpoint"], data=token_form,
                          auth=(client_id, str(secret)))  # fmt: skip
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    # nor a sign-in reused from this browser, nor a new login
    again, _, _ = authorize_url(op, oauth)
    assert step(browser.open(again)) == "login"
    page = browser.sign_in(again, C["ali"], PASSWORD, ALI_MOBILE)
    assert page.status_code == 401 and step(page) == "login"
    _hotlist(op, add=False)
    # a token issued, then a death registered: userinfo refuses it; the consent step too
    token, _ = code_flow(op, oauth, browser)
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    other_id, other_secret = op.agency("welfare")
    pending_url, _, _ = authorize_url(op, op.authlib(other_id, other_secret))
    consent = browser.open(pending_url)
    assert step(consent) == "consent"  # signed in already: only consent is asked
    assert client.post(DEATHS, json=death(), headers=hospital).status_code == 201
    assert httpx2.get(op.meta["userinfo_endpoint"], headers=bearer).status_code == 401
    stopped = browser.submit(consent, action="allow")
    assert stopped.status_code == 403 and "location" not in stopped.headers
    assert step(browser.open(again)) == "login"


def test_userinfo_refuses_a_token_once_its_account_is_locked_or_disabled(
    op: Hoda, client: TestClient
) -> None:
    from tests.identity.test_hoda import bearer, login

    client_id, secret = op.agency("customs")
    oauth = op.authlib(client_id, secret)
    token, _ = code_flow(op, oauth)
    agency = {"Authorization": f"Bearer {token['access_token']}"}
    assert httpx2.get(op.meta["userinfo_endpoint"], headers=agency).status_code == 200
    me = bearer(login(client, op.home))
    client.post("/api/v1/hoda/me/methods/password/lock", headers=me)
    assert httpx2.get(op.meta["userinfo_endpoint"], headers=agency).status_code == 401
    client.post("/api/v1/hoda/me/methods/password/unlock", headers=me)
    assert httpx2.get(op.meta["userinfo_endpoint"], headers=agency).status_code == 200
    with Session(op.engine) as session, session.begin():  # no API disables an account yet
        session.execute(update(Account).where(Account.national_code == C["ali"])
                        .values(disabled=True))  # fmt: skip
    refused = httpx2.get(op.meta["userinfo_endpoint"], headers=agency)
    assert refused.status_code == 401 and "invalid_token" in refused.headers["www-authenticate"]


def test_pairwise_sub_differs_across_agencies_and_is_stable_within_one(op: Hoda) -> None:
    subs = {}
    for name, sector in (("bank", "bank-a"), ("bank-app", "bank-a"), ("ministry", "ministry-b")):
        client_id, secret = op.agency(sector)
        oauth = op.authlib(client_id, secret)
        token, nonce = code_flow(op, oauth)
        subs[name] = id_claims(op, token, client_id, nonce)["sub"]
        if name == "bank":
            token2, nonce2 = code_flow(op, oauth)
            assert id_claims(op, token2, client_id, nonce2)["sub"] == subs[name]
    assert subs["bank"] == subs["bank-app"] != subs["ministry"]
    assert all(C["ali"] not in s and len(s) == 43 for s in subs.values())


def test_consent_is_kept_per_agency_then_withdrawn(op: Hoda, client: TestClient) -> None:
    client_id, secret = op.agency("bank-c")
    oauth = op.authlib(client_id, secret, scope="openid national_code")
    browser = op.browser()
    token, nonce = code_flow(op, oauth, browser)
    assert id_claims(op, token, client_id, nonce)["national_code"] == C["ali"]
    url, _, _ = authorize_url(op, oauth)
    assert step(browser.open(url)) == "redirect"  # signed in, consent kept: straight back
    denied, _, _ = authorize_url(op, op.authlib(*op.agency("bank-d")))
    assert callback_params(op.browser().sign_in(denied, C["ali"], PASSWORD, ALI_MOBILE,
                                                "deny"))["error"] == "access_denied"  # fmt: skip
    from tests.identity.test_hoda import bearer, login

    me = bearer(login(client, op.home))
    consents = client.get("/api/v1/hoda/me/consents", headers=me).json()["consents"]
    assert [(c["sector"], c["scopes"]) for c in consents] == [
        ("bank-c", ["national_code", "openid"])]  # fmt: skip
    assert consents[0]["agencies"] == ["سازمان bank-c"]
    gone = client.delete(f"/api/v1/hoda/me/consents/{consents[0]['id']}", headers=me)
    assert gone.status_code == 204
    assert client.delete(f"/api/v1/hoda/me/consents/{consents[0]['id']}",
                         headers=me).status_code == 404  # fmt: skip
    bearer_rp = {"Authorization": f"Bearer {token['access_token']}"}
    assert httpx2.get(op.meta["userinfo_endpoint"], headers=bearer_rp).status_code == 401
    assert step(browser.open(authorize_url(op, oauth)[0])) == "consent"  # asked again


def test_the_first_party_portal_gets_the_national_code_without_a_consent_screen(
    op: Hoda,
) -> None:
    client_id, secret = op.agency("sabt-portal", first_party=True)
    oauth = op.authlib(client_id, secret, scope="openid profile national_code")
    url, verifier, nonce = authorize_url(op, oauth)
    back = op.browser().sign_in(url, C["ali"], PASSWORD, ALI_MOBILE, consent=None)
    assert step(back) == "redirect"
    token = oauth.fetch_token(op.meta["token_endpoint"], code_verifier=verifier,
                              authorization_response=back.headers["location"])  # fmt: skip
    assert id_claims(op, dict(token), client_id, nonce)["national_code"] == C["ali"]


def test_prompt_none_and_logout(op: Hoda) -> None:
    client_id, secret = op.agency("elections")
    with Session(op.engine) as s, s.begin():
        from sabt.identity.models import Client

        row = s.get(Client, client_id)
        assert row is not None
        row.post_logout_uris = json.dumps(["http://127.0.0.1:9/bye"])
    oauth = op.authlib(client_id, secret)

    def silent() -> Any:  # each request has its own nonce
        return op.browser().open(authorize_url(op, oauth, prompt="none")[0])

    assert callback_params(silent())["error"] == "login_required"
    browser = op.browser()
    token, _ = code_flow(op, oauth, browser)
    assert "code" in callback_params(browser.open(authorize_url(op, oauth, prompt="none")[0]))
    logout = browser.http.get(f"{op.base}/oidc/logout", params={
        "id_token_hint": token["id_token"], "post_logout_redirect_uri": "http://127.0.0.1:9/bye",
        "state": "s1"})  # fmt: skip
    assert logout.status_code == 302
    assert logout.headers["location"] == "http://127.0.0.1:9/bye?state=s1"
    after = browser.open(authorize_url(op, oauth, prompt="none")[0])
    assert callback_params(after)["error"] == "login_required"
    # without a hint, a bare link only asks
    code_flow(op, oauth, browser)
    ask = browser.http.get(f"{op.base}/oidc/logout")
    assert ask.status_code == 200 and 'name="csrf"' in ask.text
    still = browser.open(authorize_url(op, oauth, prompt="none")[0])
    assert "code" in callback_params(still)
    done = browser.submit(ask)
    assert done.status_code == 200 and "خارج شدید" in done.text
    after = browser.open(authorize_url(op, oauth, prompt="none")[0])
    assert callback_params(after)["error"] == "login_required"


def test_agencies_are_registered_by_an_administrator(
    client: TestClient, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    base = ["identity", "clients", "add", "--db", db_url, "--kind", "relying-party"]
    good = runner.invoke(app, [*base, "--name", "بانک ملت", "--sector", "bank-mellat",
                               "--redirect-uri", "https://mellat.example/cb"])  # fmt: skip
    assert good.exit_code == 0, good.output
    assert "client_id=rp-bank-mellat-" in good.stdout and "client_secret=" in good.stdout
    for bad in (["--name", "x y", "--sector", "Bad Sector", "--redirect-uri", "https://a/cb"],
                ["--name", "بانک", "--sector", "bank", "--redirect-uri", "http://evil.example/cb"],
                ["--name", "بانک", "--sector", "bank", "--redirect-uri", "https://a/cb#frag"],
                ["--name", "بانک", "--sector", "bank"]):  # fmt: skip
        answer = runner.invoke(app, [*base, *bad])
        assert answer.exit_code == 2, (bad, answer.output)
    keys = tmp_path / "jwks.json"
    private_key = ECKey.generate_key("P-256", private=True).as_dict(private=True)
    keys.write_text(json.dumps({"keys": [private_key]}))
    private = runner.invoke(app, [*base, "--name", "بانک", "--sector", "bank",
                                  "--redirect-uri", "https://a/cb", "--jwks", str(keys)])  # fmt: skip
    assert private.exit_code == 2 and "public keys only" in private.output
    admin = accounts.staff_headers(client, engine, "national_admin", offices.family.OFFICE)
    registrar = accounts.staff_headers(client, engine, "registrar", offices.family.OFFICE)
    body = {"name": "وزارت کار", "sector": "mcls", "redirect_uris": ["https://mcls.example/cb"],
            "public": True}  # fmt: skip
    url = "/api/v1/identity/relying-parties"
    assert client.post(url, json=body, headers=registrar).status_code == 403
    made = client.post(url, json=body, headers=admin)
    assert made.status_code == 201 and made.json()["client_secret"] is None
    bad = client.post(url, json={**body, "redirect_uris": ["ftp://x"]}, headers=admin)
    assert bad.status_code == 422 and bad.json()["message_fa"]


def _hotlist(op: Hoda, add: bool) -> None:
    with Session(op.engine) as s, s.begin():
        if add:
            hoda.hotlist_add(s, C["ali"], "test", actor="test")
        else:
            hoda.hotlist_remove(s, C["ali"], "test", actor="test")


def _error_text(page: Any) -> str:
    start = page.text.index('id="error"')
    return str(page.text[start : page.text.index("</p>", start)])
