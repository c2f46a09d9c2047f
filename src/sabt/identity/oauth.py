"""The OAuth2 token endpoint for organisations (client-credentials grant, RFC 6749 §4.4),
on Authlib's authorization server.

Authlib has no FastAPI integration, so this is the small adapter it expects: a request
wrapper over the parsed form, a response builder, and the client model. A server is made
per request around that request's database session.
"""

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    OAuth2Payload,
    OAuth2Request,
    grants,
)
from authlib.oauth2.rfc6749.errors import InsecureTransportError, InvalidScopeError
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from sabt.identity import credentials, service
from sabt.identity.models import Client
from sabt.kit.settings import Settings

AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

# Authlib's error codes, in Persian for our error shape.
_ERRORS_FA = {
    "invalid_client": "شناسه یا رمز سازمان نادرست است",
    "invalid_scope": "دسترسی درخواستی برای این سازمان مجاز نیست",
    "unsupported_grant_type": "فقط grant_type=client_credentials پذیرفته می‌شود",
    "unauthorized_client": "این سازمان مجاز به این نوع درخواست نیست",
    "invalid_request": "درخواست نامعتبر است",
    "insecure_transport": "فقط از راه HTTPS (یا نشانی محلی)",
}


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
    def __init__(self, url: str, headers: Mapping[str, str], form: Mapping[str, str]) -> None:
        super().__init__(
            "POST", url, headers=headers
        )  # case-insensitive: Authlib reads "Authorization"
        self.payload = FormPayload(form)

    @property
    def form(self) -> dict[str, str]:
        data: dict[str, str] = self.payload.data
        return data


class ClientModel(ClientMixin):  # type: ignore[misc]
    """An organisation's client row as Authlib sees it."""

    def __init__(self, row: Client) -> None:
        self.row = row
        self.allowed = set(row.scopes.split())

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return " ".join(sorted(self.allowed))
        asked = set(scope.split())
        if not asked <= self.allowed:
            raise InvalidScopeError()
        return " ".join(sorted(asked))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return credentials.verify_secret(self.row.secret_hash, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


class ClientCredentials(grants.ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS


class Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, session: Session, settings: Settings) -> None:
        super().__init__(scopes_supported=None)
        self.session = session
        self.settings = settings
        self.register_grant(ClientCredentials)
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=lambda *a, **k: credentials.new_token(),
                expires_generator=settings.client_token_minutes * 60,
            ),
        )

    def query_client(self, client_id: str) -> ClientModel | None:
        row = service.find_client(self.session, client_id)
        return ClientModel(row) if row else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        service.store_client_token(
            self.session,
            request.client.row,
            token["access_token"],
            token.get("scope", ""),
            int(token["expires_in"]),
        )

    def create_oauth2_request(self, request: FormRequest) -> FormRequest:
        return request

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def handle_response(
        self, status: int, body: dict[str, Any], headers: list[tuple[str, str]]
    ) -> JSONResponse:
        if "error" in body:
            # RFC 6749 §5.2's shape for OAuth2 clients, and ours beside it.
            error = str(body["error"])
            body = {
                **body,
                "code": error,
                "message_fa": _ERRORS_FA.get(error, "درخواست نامعتبر است"),
                "message_en": str(body.get("error_description") or error),
            }
        return JSONResponse(body, status_code=status, headers=dict(headers))


def token_response(
    session: Session,
    settings: Settings,
    url: str,
    headers: Mapping[str, str],
    form: Mapping[str, str],
) -> JSONResponse:
    """Answer a token request; the caller commits when the status is 200."""
    server = Server(session, settings)
    try:
        request = FormRequest(url, headers, form)
    except InsecureTransportError as error:
        return server.handle_response(*error())
    return server.create_token_response(request)  # type: ignore[no-any-return]
