"""Fixtures of the exchange tests: the registration fixtures (a fixed clock, the family
register with its offices, the API)."""

from tests.registration.conftest import client

__all__ = ["client"]
