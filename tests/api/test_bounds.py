"""Every integer the API takes is bounded: the OpenAPI states a maximum for each, and numbers
past 64 bits sent to every integer parameter of every operation, by every kind of caller,
answer a 4xx (never a 500)."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sabt.identity import roles
from sabt.kit.params import INT_MAX
from tests.api import sweep
from tests.identity import accounts, offices
from tests.registry import family

HUGE = (str(2**63), str(10**30))
CLIENT_OFFICE = {
    "hospital": offices.HOSPITAL,
    "marriage_notary": offices.MARRIAGE_NOTARY,
    "divorce_notary": offices.DIVORCE_NOTARY,
    "consulate": offices.CONSULATE,
    "forensic_medicine": offices.FORENSIC,
}


def callers(client: TestClient, engine: Engine) -> dict[str, dict[str, str]]:
    """No token, and a token of every staff role, organisation kind and a citizen."""
    found: dict[str, dict[str, str]] = {"anonymous": {}}
    for role in roles.ROLES:
        found[role] = accounts.staff_headers(client, engine, role, family.OFFICE)
    for kind in roles.CLIENT_KINDS:
        found[kind] = accounts.client_headers(client, engine, kind, CLIENT_OFFICE[kind])
    found["citizen"] = accounts.citizen_headers(client, engine, family.CODES["ali"])
    return found


def test_every_integer_parameter_and_body_field_states_its_maximum(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    unbounded = [
        f"{op} {p['name']}"
        for op in sweep.operations(spec)
        for p in op.parameters
        if sweep.is_integer(p.get("schema", {})) and sweep.maximum(p["schema"]) is None
    ]
    unbounded += [
        f"{name}.{field}"
        for name, field, schema in sweep.integer_body_fields(spec)
        if sweep.maximum(schema) is None
    ]
    assert unbounded == []
    limits = [
        sweep.maximum(p["schema"])
        for op in sweep.operations(spec)
        for p in op.parameters
        if sweep.is_integer(p.get("schema", {}))
    ]
    assert limits and all(m is not None and m <= INT_MAX for m in limits)


def test_numbers_past_64_bits_never_answer_a_server_error(
    client: TestClient, engine: Engine
) -> None:
    spec = client.get("/openapi.json").json()
    targets = [
        (op, p["name"])
        for op in sweep.operations(spec)
        for p in op.parameters
        if sweep.is_integer(p.get("schema", {}))
    ]
    assert len(targets) >= 20  # the sweep found the API's integer parameters
    tried, failures = 0, []
    for who, headers in callers(client, engine).items():
        for op, name in targets:
            for value in (*HUGE, str(INT_MAX)):
                url = op.url({name: value})
                response = client.request(op.method, url, headers=headers, json=op.body)
                tried += 1
                if response.status_code >= 500:
                    failures.append(f"{who}: {op} {name}={value} -> {response.status_code}")
                elif value in HUGE and response.status_code != 401:
                    # past the bound is refused by validation, before any permission check
                    assert response.status_code in (401, 403, 422), (who, str(op), name)
    print(f"bounds sweep: {len(targets)} parameters, {tried} requests")
    assert failures == []
