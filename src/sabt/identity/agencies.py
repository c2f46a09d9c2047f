"""An agency's OAuth2 client for the exchange's services: it authenticates with its own
keys only (`private_key_jwt`, RFC 7523 client assertions at `/oauth/token`, each `jti`
accepted once), never with a shared secret, and has no office: an agency is not one of the
registry's offices. What it may call and learn is the exchange part's (its grants)."""

import json

from sqlalchemy.orm import Session

from sabt.identity import credentials
from sabt.identity.audit import audit, now_utc
from sabt.identity.models import Client
from sabt.identity.provider import checked_jwks

AGENCY = "agency"  # the client kind
SCOPES = frozenset({"exchange:call"})


def add_client(session: Session, code: str, name_fa: str, jwks: str, actor: str) -> str:
    """The agency's new client (its id); the key set is checked and stored public only."""
    keys = checked_jwks(jwks)
    client_id = f"agency-{code[:24]}-{credentials.new_token()[:8]}".lower()  # ≤ 40
    session.add(Client(
        client_id=client_id, kind=AGENCY, office=None, created_at=now_utc(), secret_hash=None,
        scopes=" ".join(sorted(SCOPES)), name=name_fa, jwks=keys,
        auth_method="private_key_jwt",
    ))  # fmt: skip
    session.flush()  # the agency's row refers to it
    audit(session, actor, "client.added", client_id, kind=AGENCY, name=name_fa,
          keys=[k.get("kid") for k in json.loads(keys)["keys"]])  # fmt: skip
    return client_id
