"""The documents tests use the registration fixtures (fixed clock, family register, API),
with the instance directory (and so the document keys) in the test's own folder."""

from pathlib import Path

import pytest

from tests.registration.conftest import client, hospital

__all__ = ["client", "hospital"]


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SABT_HOME", str(tmp_path))
    monkeypatch.delenv("SABT_DOCUMENT_KEYS", raising=False)
    monkeypatch.delenv("SABT_PDF_KEYS", raising=False)
    return tmp_path
