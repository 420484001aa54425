"""List endpoints do not grow queries with rows (no N+1): the count for six rows equals that for three."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.conftest import client_for

from jiliang.verification.models import Certificate, WorkOrder


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, {"page_size": 100}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["api:workorder-list", "api:certificate-list", "api:workorderitem-list",
                                  "work-orders-list", "certificates-list"])
def test_list_queries_do_not_grow_with_rows(flow, name):
    from tests.conftest import web_client_for

    user = flow.world.users["province"]
    client = client_for(user) if name.startswith("api:") else web_client_for(user)
    url = reverse(name)
    for _ in range(3):
        flow.issued()
    three = queries(client, url)
    for _ in range(3):
        flow.issued()
    assert WorkOrder.objects.count() == 6 and Certificate.objects.count() == 6
    assert queries(client, url) == three, name
