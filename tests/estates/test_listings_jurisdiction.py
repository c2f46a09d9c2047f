"""Every listing of the API shows a member of staff exactly what they may open (issue 29 §8):
for every role at a Tehran office, an Isfahan office and a consulate, an item is listed if
and only if its own page opens for them. The listings are found in the app's OpenAPI (a
GET with no path parameter that answers a national admin with a page of items), so a new
listing fails here until it is named below with the page that opens its items."""

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sabt.estates import objections
from sabt.identity.roles import ROLES
from sabt.registry import queries
from tests.estates.support import MINA, import_mina, on_day, register_death, run_worker
from tests.estates.test_end_to_end import _jpeg
from tests.estates.test_registrar import PREGNANCY
from tests.identity import accounts, offices
from tests.registration.support import DEATHS, C, staff
from tests.registration.test_back_office import queued_birth
from tests.registration.test_deaths import death
from tests.registry import family

# listing: (the page of one item, the item's field that names it)
LISTINGS = {
    "/api/v1/queue": ("/api/v1/queue/{}", "case_id"),
    "/api/v1/estates/queue": ("/api/v1/estates/{}", "deceased"),
    "/api/v1/estates/objections": ("/api/v1/estates/objections/{}", "id"),
}
# the same for everyone, by design: public
NOT_BY_PLACE = {"/api/v1/ledger/checkpoints"}
OFFICES = (family.OFFICE, offices.ISFAHAN_OFFICE, offices.CONSULATE)


def _listings_in_the_openapi(client: TestClient, admin: dict[str, str]) -> set[str]:
    found = set()
    for path, operations in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        if "get" not in operations or "{" in path or not path.startswith("/api/"):
            continue
        answer = client.get(path, headers=admin)
        json_ok = answer.status_code == 200 and "json" in answer.headers["content-type"]
        body = answer.json() if json_ok else None
        if isinstance(body, dict) and isinstance(body.get("items"), list):
            found.add(path)
    return found


def _something_in_every_listing(
    client: TestClient, engine: Engine, db_url: str, hospital: dict[str, str], home: Path
) -> None:
    """A birth the registrar must decide, an objection to an issued certificate (Amir's) and
    an estate waiting for a registrar (Ali's: his widow is pregnant), all in Tehran."""
    queued_birth(client, engine, hospital)
    import_mina(engine)
    register_death(client, hospital, "amir", "D-9")
    on_day(20.1)
    assert run_worker(db_url, engine, home).issued == 1
    with Session(engine) as s, s.begin():
        ali = queries.get_person(s, C["ali"])
        objections.file(s, ali, C["amir"], "missing_heir", "دختر امیر، مینا، در گواهی نیامده است",
                        named=MINA, files=[_jpeg()])  # fmt: skip
    hospital = accounts.client_headers(client, engine, "hospital", offices.HOSPITAL)  # 20 days on
    died = death(
        national_code=C["ali"], notification_id="D-10", died_at="2025-10-10T10:00:00+03:30"
    )
    assert client.post(DEATHS, json=died, headers=hospital).json()["status"] == "registered"
    declared = client.post(f"/api/v1/estates/{C['ali']}/declarations", headers=staff(
        client, engine, "registrar"), json={"pregnancy_reference": PREGNANCY})  # fmt: skip
    assert declared.json()["status"] == "queued", declared.text


def _ids(answer: Any, field: str) -> set[str]:
    return {str(item[field]) for item in answer.json()["items"]}


def test_every_listing_shows_exactly_what_the_caller_may_open(
    client: TestClient, engine: Engine, db_url: str, hospital: dict[str, str], home: Path,
    kin: None,
) -> None:  # fmt: skip
    _something_in_every_listing(client, engine, db_url, hospital, home)
    admin = staff(client, engine, "national_admin")
    assert _listings_in_the_openapi(client, admin) == set(LISTINGS) | NOT_BY_PLACE
    everything = {path: _ids(client.get(path, headers=admin), field)
                  for path, (_, field) in LISTINGS.items()}  # fmt: skip
    assert all(everything.values()), everything  # each listing has something to show
    checked = 0
    for role in ROLES:
        for office in OFFICES:
            caller = staff(client, engine, role, office)
            for path, (page, field) in LISTINGS.items():
                listed = client.get(path, headers=caller)
                if listed.status_code == 403:  # the role does not read this listing
                    continue
                assert listed.status_code == 200, (role, office, path, listed.text)
                opens = {item for item in everything[path]
                         if client.get(page.format(item), headers=caller).status_code == 200}  # fmt: skip
                assert _ids(listed, field) == opens, (role, office, path)
                checked += 1
    assert checked >= 2 * len(LISTINGS)  # more than the national admin alone
