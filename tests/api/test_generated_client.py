"""An agency's developer starts from the OpenAPI: openapi-python-client, the standard
generator, makes a client from the app's document with no warning (two schemas of one name
once dropped `POST /api/v1/estates/{code}/issue`; the notifications were a bare `object`),
every operation is in it, and the notification bodies are typed by their fields."""

import json
import re
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

TOOL = Path(__file__).parent / "openapi_client"
GENERATOR = TOOL / "venv" / "bin" / "openapi-python-client"


def test_a_standard_generator_makes_a_complete_client_without_warnings(
    client: TestClient, tmp_path: Path
) -> None:
    if not GENERATOR.exists():
        pytest.fail(f"openapi-python-client is not installed: run `make {TOOL}/venv/.installed`")
    document = client.get("/openapi.json").json()
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    done = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(spec), "--meta", "none",
         "--config", str(TOOL / "config.yml"), "--output-path", str(tmp_path / "client")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    said = (done.stdout + done.stderr).splitlines()
    # the only line it may print beyond its progress: that it found no ruff to format with
    warnings = [line for line in said if "WARNING" in line or "Cannot" in line or "Unable" in line]
    assert not warnings, "\n".join(said)
    generated = {re.sub("_+", "_", p.stem) for p in (tmp_path / "client").rglob("*.py")}
    operations = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    missing = [op for op in operations if re.sub("_+", "_", op) not in generated]
    assert not missing, missing
    models = {p.stem for p in (tmp_path / "client" / "models").glob("*.py")}
    assert {"birth_notification_json", "death_notification_json", "fhir_bundle"} <= models
