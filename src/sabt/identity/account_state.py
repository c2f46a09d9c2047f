"""Disabling and re-enabling accounts (operators with `sabt identity disable|enable`,
administrators with the admin API): staff, organisations' clients and citizens, audited."""

from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sabt.identity.audit import audit
from sabt.identity.models import Account, Client, Token
from sabt.identity.service import plausible_id
from sabt.kit.errors import BadInput, Conflict, NotFound
from sabt.registry.codes import parse_code

AccountKind = Literal["staff", "client", "citizen"]
KIND_FA: dict[str, str] = {"staff": "کارمند", "client": "سامانهٔ سازمان", "citizen": "شهروند"}


def set_disabled(
    session: Session, kind: AccountKind, identifier: str, disabled: bool, reason: str, actor: str
) -> dict[str, object]:
    """Disable (or re-enable) a staff account, an organisation's client or a citizen's
    account, audited. Every request checks the flag (tokens, HODA's and SAHIM's sessions),
    and disabling also revokes the account's tokens, so they stop at once and stay stopped
    when it is enabled again."""
    if not 3 <= len(reason.strip()) <= 300:
        raise BadInput(
            "bad_reason",
            "دلیل (۳ تا ۳۰۰ نویسه) لازم است",
            "a reason of 3-300 characters is required",
        )
    if kind == "citizen":
        identifier = parse_code(identifier)
    row, owner = _account_row(session, kind, identifier)
    if row.disabled == disabled:
        state_fa, state_en = ("غیرفعال", "disabled") if disabled else ("فعال", "enabled")
        raise Conflict(
            f"already_{state_en}",
            f"این حساب از پیش {state_fa} است",
            f"the account is {state_en} already",
        )
    row.disabled = disabled
    if disabled:
        session.execute(update(Token).where(owner).values(revoked=True))
    audit(
        session, actor, f"{kind}.{'disabled' if disabled else 'enabled'}", identifier, reason=reason
    )
    return {"kind": kind, "id": identifier, "disabled": disabled}


def _account_row(
    session: Session, kind: AccountKind, identifier: str
) -> tuple[Client | Account, Any]:
    """The row of the account and the condition that picks its tokens; NotFound if none."""
    if kind == "client":
        client = session.get(Client, identifier) if plausible_id(identifier) else None
        if client is not None:
            return client, Token.client_id == client.client_id
    else:
        column = Account.username if kind == "staff" else Account.national_code
        account = session.scalar(select(Account).where(column == identifier, Account.kind == kind))
        if account is not None:
            return account, Token.account_id == account.id
    raise NotFound(
        "no_account", f"حساب {KIND_FA[kind]} یافت نشد", f"no {kind} account {identifier!r}"
    )
