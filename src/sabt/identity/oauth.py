"""HODA's OAuth2 authorization server, on Authlib: organisations' tokens (client-credentials
grant, RFC 6749 §4.4) and the agencies' OpenID Connect code flow (`oidc.py`) at one token
endpoint.

Authlib has no FastAPI integration, so this is the small adapter it expects: request
wrappers over the parsed form or query, a response builder, and the client model. A server
is made per request around that request's database session.
"""

from collections import defaultdict
from collections.abc import Mapping
from typing import Any, ClassVar

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    OAuth2Payload,
    OAuth2Request,
    grants,
)
from authlib.oauth2.rfc6749.errors import InsecureTransportError, InvalidScopeError
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from sabt.identity import agencies, claims, credentials, oidc, oidc_keys, provider, service
from sabt.identity.models import Client
from sabt.kit.settings import Settings

AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
KEY_AUTH = "private_key_jwt"  # an agency's only way (identity.agencies)

# Authlib's error codes, in Persian for our error shape.
_ERRORS_FA = {
    "invalid_client": "شناسه یا رمز سازمان نادرست است",
    "invalid_scope": "دسترسی درخواستی برای این سازمان مجاز نیست",
    "unsupported_grant_type": "این نوع درخواست پذیرفته نمی‌شود",
    "unauthorized_client": "این سازمان مجاز به این نوع درخواست نیست",
    "invalid_request": "درخواست نامعتبر است",
    "invalid_grant": "کد ورود نامعتبر، منقضی یا پیش‌تر به‌کاررفته است",
    "insecure_transport": "فقط از راه HTTPS (یا نشانی محلی)",
    "access_denied": "شهروند اجازه نداد",
    "login_required": "ورود لازم است",
    "consent_required": "رضایت شهروند لازم است",
}


def error_fa(error: str) -> str:
    return _ERRORS_FA.get(error, "درخواست نامعتبر است")


class FormPayload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, form: Mapping[str, str]) -> None:
        self._form = dict(form)

    @property
    def data(self) -> dict[str, str]:
        return self._form

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        values: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in self._form.items():
            values[key].append(value)
        return values


class FormRequest(OAuth2Request):  # type: ignore[misc]
    """A request with its parameters (a POST's form, or an authorization request's query)."""

    def __init__(
        self, url: str, headers: Mapping[str, str], form: Mapping[str, str], method: str = "POST"
    ) -> None:
        # headers stay case-insensitive: Authlib reads "Authorization"
        super().__init__(method, url, headers=headers)
        self.payload = FormPayload(form)

    @property
    def form(self) -> dict[str, str]:
        data: dict[str, str] = self.payload.data
        return data

    @property
    def args(self) -> dict[str, str]:
        return self.form


class ClientModel(ClientMixin):  # type: ignore[misc]
    """A client row as Authlib sees it: an organisation (client credentials) or a relying
    party (authorization code, its own redirect URIs and way of authenticating)."""

    def __init__(self, row: Client) -> None:
        self.row = row
        self.allowed = frozenset(row.scopes.split())
        self.relying_party = row.kind == provider.RELYING_PARTY
        self.agency = row.kind == agencies.AGENCY
        self.redirect_uris = provider.uris(row.redirect_uris)
        self.client_metadata = {"post_logout_redirect_uris": provider.uris(row.post_logout_uris)}

    @property
    def client_id(self) -> str:
        return self.row.client_id

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        if self.relying_party:
            granted = claims.granted_scopes(scope, self.allowed)
            if granted is None:
                raise InvalidScopeError("the scope must include openid")
            return " ".join(sorted(granted))
        if not scope:
            return " ".join(sorted(self.allowed))
        asked = set(scope.split())
        if not asked <= self.allowed:
            raise InvalidScopeError()
        return " ".join(sorted(asked))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # exact match (RFC 9700 §4.1.3)

    def check_client_secret(self, client_secret: str) -> bool:
        return credentials.verify_client_secret(self.row.secret_hash, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.relying_party:
            return method == self.row.auth_method
        if self.agency:
            return endpoint == "token" and method == KEY_AUTH
        return endpoint == "token" and method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return self.relying_party and response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        wanted = "authorization_code" if self.relying_party else "client_credentials"
        return grant_type == wanted


class ClientCredentials(grants.ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = [*AUTH_METHODS, KEY_AUTH]


class Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, session: Session, settings: Settings) -> None:
        super().__init__(scopes_supported=None)
        self.session = session
        self.settings = settings
        self.issuer = settings.public_url
        self.keys = oidc_keys.of(settings.home)
        self.keep_changes = False  # set when a refused request must still be committed
        self.clients: dict[str, ClientModel | None] = {}  # Authlib asks more than once
        self.register_grant(ClientCredentials)
        oidc.register(self)
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=_access_token,
                expires_generator=lambda client, _grant_type: self.token_seconds(client),
            ),
        )

    def token_seconds(self, client: ClientModel) -> int:
        if client.relying_party:
            return self.settings.oidc_token_minutes * 60
        return self.settings.client_token_minutes * 60

    def query_client(self, client_id: str) -> ClientModel | None:
        if not isinstance(client_id, str):
            return None
        if client_id not in self.clients:
            row = service.find_client(self.session, client_id)
            self.clients[client_id] = ClientModel(row) if row else None
        return self.clients[client_id]

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        client: ClientModel = request.client
        if client.relying_party:
            return  # stored as its code was spent (`provider.redeem_code`)
        service.store_client_token(
            self.session, client.row, token["access_token"], token.get("scope", ""),
            int(token["expires_in"]),
        )  # fmt: skip

    def create_oauth2_request(self, request: FormRequest) -> FormRequest:
        return request

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
        if any(name.lower() == "location" for name, _ in headers):
            return Response(status_code=status, headers=dict(headers))
        if isinstance(body, dict) and "error" in body:
            # RFC 6749 §5.2's shape for OAuth2 clients, and ours beside it.
            error = str(body["error"])
            body = {
                **body,
                "code": error,
                "message_fa": error_fa(error),
                "message_en": str(body.get("error_description") or error),
            }
        return JSONResponse(body, status_code=status, headers=dict(headers))


def _access_token(user: object, **_: object) -> str:
    """The token a spent code was exchanged for (chosen then); a fresh one for clients."""
    return user.access_token if isinstance(user, oidc.TokenUser) else credentials.new_token()


def token_response(
    session: Session,
    settings: Settings,
    url: str,
    headers: Mapping[str, str],
    form: Mapping[str, str],
) -> Response:
    """Answer a token request; commits when the token is issued, or when a refusal must be
    kept (a reused code's token revoked)."""
    server = Server(session, settings)
    try:
        request = FormRequest(url, headers, form)
    except InsecureTransportError as error:
        return server.handle_response(*error())
    response: Response = server.create_token_response(request)
    if response.status_code == 200 or server.keep_changes:
        session.commit()
    return response
