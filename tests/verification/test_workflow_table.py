"""The work-order flow is one table (issue 12 item 3): the services' checks and the page's buttons derive from it."""

import pytest
from django.urls import reverse
from tests.conftest import web_client_for

from jiliang.verification import services, workflow
from jiliang.verification.models import OPEN_STATUSES, WorkStatus

pytestmark = pytest.mark.django_db(transaction=False)


def test_the_table_is_the_flow_of_jjf_1069():
    S = WorkStatus
    assert {n: (a.sources, a.target) for n, a in workflow.ACTS.items()} == {
        "accept": ((S.REQUESTED,), S.ACCEPTED), "decline": ((S.REQUESTED,), S.DECLINED),
        "schedule": ((S.ACCEPTED, S.SCHEDULED), S.SCHEDULED), "measure": ((S.SCHEDULED, S.MEASURED), S.MEASURED),
        "check": ((S.MEASURED,), S.CHECKED), "send_back": ((S.MEASURED, S.CHECKED), S.SCHEDULED),
        "approve": ((S.CHECKED,), S.APPROVED), "issue": ((S.APPROVED,), S.ISSUED),
        "cancel": (tuple(OPEN_STATUSES), S.CANCELLED)}
    assert workflow.allowed_acts(S.MEASURED, {workflow.OWNER}) == {"cancel"}
    assert workflow.allowed_acts(S.MEASURED, {workflow.INSTITUTE}) == {"measure", "check", "send_back", "cancel"}
    assert workflow.allowed_acts(S.ISSUED, {workflow.INSTITUTE, workflow.OWNER}) == set()


def _buttons(user, wo):
    ctx = web_client_for(user).get(reverse("work-orders-detail", args=[wo.pk])).context
    return {name for name in workflow.ACTS if ctx[f"can_{name}"]}


def test_page_buttons_are_the_acts_the_table_allows(flow):
    for status, advance in ((WorkStatus.REQUESTED, None), (WorkStatus.SCHEDULED, flow.to_scheduled),
                            (WorkStatus.MEASURED, flow.to_measured), (WorkStatus.APPROVED, flow.to_approved)):
        wo = flow.request()
        if advance:
            advance(wo)
        wo.refresh_from_db()
        assert wo.status == status
        assert _buttons(flow.institute_user, wo) == workflow.allowed_acts(status, {workflow.INSTITUTE})
        assert _buttons(flow.owner_user, wo) == {"cancel"}


def test_an_act_the_table_does_not_allow_is_refused_naming_the_states(flow):
    wo = flow.request()
    with pytest.raises(services.ValidationError) as err:
        services.check(wo, actor=flow.institute_user)
    assert wo.number in err.value.message_dict["status"][0]
    with pytest.raises(services.PermissionDenied):
        services.accept(wo, actor=flow.owner_user)  # the table gives accept to the institute only
    services.cancel(wo, actor=flow.owner_user, reason="no longer needed")  # cancel: either side
    wo.refresh_from_db()
    assert wo.status == WorkStatus.CANCELLED
