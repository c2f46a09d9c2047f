"""What HODA tells an agency about a citizen: scopes, their claims, the pairwise subject,
and the provider's discovery document. Pure: no I/O.

`sub` is pairwise (OpenID Connect Core §8.1): an HMAC of the agency's sector and the
national code under a key of the instance, so two agencies get unrelated identifiers for
the same person and cannot join their records on them, while one agency always gets the
same one. The national code itself is released only under its own scope.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from sabt.persian import jalali

ACR_VALUES = ("urn:sabt:acr:password", "urn:sabt:acr:password+otp")

# The scopes an agency may ask for, and how the consent screen names them.
SCOPES_FA: dict[str, str] = {
    "openid": "شناسهٔ شما نزد این سازمان (غیر از کد ملی)",
    "profile": "نام، نام خانوادگی، نام پدر، تاریخ تولد و جنسیت",
    "national_code": "کد ملی",
    "phone": "شمارهٔ همراه تأییدشده",
    "address": "شهرستان محل سکونت",
}
OIDC_SCOPES = frozenset(SCOPES_FA)

CLAIMS_OF_SCOPE: dict[str, tuple[str, ...]] = {
    "openid": ("sub",),
    "profile": ("name", "given_name", "family_name", "father_name", "birthdate",
                "birthdate_jalali", "gender"),
    "national_code": ("national_code",),
    "phone": ("phone_number", "phone_number_verified"),
    "address": ("address",),
}  # fmt: skip


@dataclass(frozen=True)
class Subject:
    """What the register and the account know of a citizen, as the claims need it."""

    national_code: str
    first_name: str
    last_name: str
    father_name: str | None
    birth_date: date
    sex: str
    mobile: str | None
    residence_county: str | None  # its Persian name
    residence_province: str | None


def pairwise_sub(key: bytes, sector: str, national_code: str) -> str:
    digest = hmac.new(key, f"{sector}\x00{national_code}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def claims(subject: Subject, scopes: frozenset[str], sub: str) -> dict[str, object]:
    """The claims the scopes release, never more; absent facts are left out."""
    out: dict[str, object] = {"sub": sub}
    if "profile" in scopes:
        out |= {
            "name": f"{subject.first_name} {subject.last_name}",
            "given_name": subject.first_name,
            "family_name": subject.last_name,
            "birthdate": subject.birth_date.isoformat(),
            "birthdate_jalali": jalali.to_jalali(subject.birth_date),
            "gender": subject.sex,
        }
        if subject.father_name:
            out["father_name"] = subject.father_name
    if "national_code" in scopes:
        out["national_code"] = subject.national_code
    if "phone" in scopes and subject.mobile:
        out["phone_number"] = "+98" + subject.mobile[1:]
        out["phone_number_verified"] = True
    if "address" in scopes and subject.residence_county:
        address = {"locality": subject.residence_county, "country": "IR"}
        if subject.residence_province:
            address["region"] = subject.residence_province
        address["formatted"] = "، ".join(
            x for x in (subject.residence_county, subject.residence_province, "ایران") if x
        )
        out["address"] = address
    return out


def granted_scopes(asked: str | None, allowed: frozenset[str]) -> frozenset[str] | None:
    """The scopes of a request that this client may have. Scopes HODA does not know are
    ignored (OpenID Connect Core §3.1.2.1); None when `openid` is missing."""
    wanted = frozenset((asked or "").split())
    if "openid" not in wanted:
        return None
    return wanted & allowed & OIDC_SCOPES


def discovery(issuer: str) -> dict[str, object]:
    """The provider's metadata (OpenID Connect Discovery 1.0 §3)."""
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oidc/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "userinfo_endpoint": f"{issuer}/oidc/userinfo",
        "end_session_endpoint": f"{issuer}/oidc/logout",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "scopes_supported": sorted(OIDC_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "client_credentials"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic", "private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256"],
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": list(ACR_VALUES),
        "claims_supported": sorted(
            {"iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr"}
            | {c for cs in CLAIMS_OF_SCOPE.values() for c in cs}
        ),
        "prompt_values_supported": ["none", "login", "consent"],
        "ui_locales_supported": ["fa-IR"],
        "claims_locales_supported": ["fa-IR"],
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
    }  # fmt: skip
