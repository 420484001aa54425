"""The results form's number of rows is bounded, and posted ids that cannot be keys match nothing
(issue 11, item 10)."""

from django.urls import reverse
from tests.conftest import web_client_for

BIG = str(2**64 + 5)


def test_the_results_form_refuses_an_unbounded_number_of_rows(world, flow):
    wo = flow.request()
    flow.to_scheduled(wo)
    item = wo.items.get()
    client = web_client_for(world.users["institute"])
    url = reverse("work-order-items-results", args=[item.pk])
    for rows in ("x", "-3", "1000000", BIG):
        response = client.post(url, {"rows": rows, "standards": [BIG, "abc"]})
        assert response.status_code == 400, rows
        assert " 500 " in response.content.decode()  # the limit, named in the message
    response = client.post(url, {"rows": "0", "standards": [BIG, "abc"]})
    assert response.status_code == 200
