"""The interim operator token: a bearer token from settings that stands for "staff".

Deny by default: with no SABT_OPERATOR_TOKEN configured, every staff endpoint answers 401.
"""

import hmac

from fastapi import Request

from sabt.kit.errors import SabtError


class Unauthorized(SabtError):
    status = 401


def require_operator(request: Request) -> None:
    """FastAPI dependency: the request must carry `Authorization: Bearer <operator token>`."""
    expected = request.app.state.settings.operator_token
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if (
        not expected
        or scheme.lower() != "bearer"
        or not hmac.compare_digest(token.strip(), expected)
    ):
        raise Unauthorized(
            "unauthorized", "دسترسی مجاز نیست: نشانهٔ کارمند لازم است", "staff token required"
        )
