"""Helpers of the registration tests: notifications as the contract writes them, a parent's
declaration, staff of a role, the size of the ledger."""

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from sabt.registry import state
from sabt.registry.db import make_engine
from sabt.registry.models import LedgerEntry
from sabt.registry.replay import replay
from tests.identity import accounts, offices
from tests.registry import family

C = family.CODES
NOW = datetime(2025, 9, 22, 8, 0, tzinfo=UTC)  # 1404/06/31, a Monday
BIRTHS = "/api/v1/births/notifications"
DEATHS = "/api/v1/deaths/notifications"


def notice(**changes: Any) -> dict[str, Any]:
    body = {
        "notification_id": "N-1", "hospital": offices.HOSPITAL,
        "born_at": "2025-09-20T10:35:00+03:30", "sex": "female", "weight_g": 3250,
        "plurality": 1, "birth_order": 1, "stillborn": False,
        "mother_national_code": C["wife_ali"], "father_national_code": C["ali"],
        "proposed_first_name": "آوا",
    }  # fmt: skip
    return {**body, **changes}


def fhir(n: dict[str, Any]) -> dict[str, Any]:
    """The contract's FHIR Bundle for the plain-JSON notification `n`."""
    contract = Path(__file__).parent / "birth-notification.fhir.json"
    bundle: dict[str, Any] = copy.deepcopy(json.loads(contract.read_text("utf-8")))
    bundle["identifier"] = {
        "system": f"urn:sabt:notification:{n['hospital']}",
        "value": n["notification_id"],
    }
    patient = bundle["entry"][0]["resource"]
    patient["gender"] = n["sex"]
    patient["birthDate"] = n["born_at"][:10]
    patient["_birthDate"]["extension"][0]["valueDateTime"] = n["born_at"]
    patient["multipleBirthInteger"] = n["birth_order"]
    patient["extension"][0]["valueInteger"] = n["plurality"]
    patient["name"][0]["given"] = [n["proposed_first_name"]]
    bundle["entry"][1]["resource"]["identifier"][0]["value"] = n["mother_national_code"]
    bundle["entry"][2]["resource"]["identifier"][0]["value"] = n["father_national_code"]
    bundle["entry"][3]["resource"]["serviceProvider"]["identifier"]["value"] = n["hospital"]
    return bundle


def post_fhir(
    client: TestClient, headers: dict[str, str], bundle: dict[str, Any], url: str = BIRTHS
) -> Any:
    return client.post(
        url,
        content=json.dumps(bundle),
        headers={**headers, "Content-Type": "application/fhir+json"},
    )


def ledger_size(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(LedgerEntry)) or 0)


def declare(client: TestClient, engine: Engine, case_id: int, parent: str, **body: str) -> Any:
    headers = accounts.citizen_headers(client, engine, parent)
    return client.post(f"/api/v1/births/{case_id}/declaration", json=body, headers=headers)


def staff(client: TestClient, engine: Engine, role: str, office: str = family.OFFICE) -> Any:
    return accounts.staff_headers(client, engine, role, office)


def assert_replay_rebuilds(engine: Engine, second_url: str) -> None:
    """Replaying the ledger into an empty database gives every state table row for row."""
    target = make_engine(second_url)
    replay(engine, target)
    for table in [t.name for t in state.TABLES] + ["ledger_head"]:
        query = text(f"SELECT * FROM {table} ORDER BY 1")
        with engine.connect() as a, target.connect() as b:
            assert a.execute(query).all() == b.execute(query).all(), table
    target.dispose()
