"""The verification fixtures (a work order driven to issue) for tests of events from certificates."""

from tests.verification.fixtures import _english, flow  # noqa: F401
