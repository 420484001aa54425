"""The traceability world: the verification flow's province (tests/verification/fixtures.py) with NIM as an
accepted external node. ``tworld.certify()`` issues a verification certificate of the Kunshan scale measured with the
provincial E2 weights (which NIM calibrated); ``tworld.rebuild()`` derives the links."""

from types import SimpleNamespace

import pytest
from tests.verification.fixtures import flow  # noqa: F401

from jiliang.traceability import graph
from jiliang.traceability.models import ExternalKind, ExternalNode


@pytest.fixture
def tworld(flow):  # noqa: F811
    nim = ExternalNode.objects.create(name="中国计量科学研究院", name_en="National Institute of Metrology, China",
                                      aliases="NIM\n中国计量院", kind=ExternalKind.NATIONAL_INSTITUTE, accepted=True)
    t = SimpleNamespace(flow=flow, world=flow.world, nim=nim)
    t.certify = lambda **kw: flow.issued(**kw)
    t.rebuild = graph.rebuild
    return t
