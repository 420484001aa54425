"""The verification fixtures live in fixtures.py so that tests/browser can use them too."""

from tests.verification.fixtures import _english, dcc_schema, flow, meter  # noqa: F401
