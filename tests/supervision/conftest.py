"""Supervision's tests use the verification fixtures (a flow that issues certificates through jiliang)."""

from tests.verification.fixtures import flow  # noqa: F401
