"""Free verification in the demo province: the two programmes, a share of the covered verifications marked free,
each one covered by its programme's rule, the fees synthetic and labelled so, and figures for the bureaus."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiliang.core.roles import Role
from jiliang.livelihood import free_figures, free_scope
from jiliang.livelihood.models import FeeScheduleItem, FreeProgramme, FreeVerification
from jiliang.supervision.models import VerificationEvent


@pytest.mark.django_db
def test_demo_free_verifications(reference_data, django_user_model):
    call_command("demo", scale=3000, seed=7)
    programmes = {p.code: p for p in FreeProgramme.objects.all()}
    assert set(programmes) == {"demo-market", "demo-rural-clinic"}
    frees = list(FreeVerification.objects.select_related("event", "programme"))
    by_programme = {code: sum(f.programme.code == code for f in frees) for code in programmes}
    assert all(n > 0 for n in by_programme.values()), by_programme
    for f in frees[:200]:
        assert free_scope.refusal(f.programme, f.event) is None
    assert VerificationEvent.objects.filter(free_of_charge=True).count() == len(frees)
    assert all("synthetic" in item.basis for item in FeeScheduleItem.objects.all())
    province = django_user_model.objects.filter(role=Role.PROVINCIAL_BUREAU).first()
    s = free_figures.summary(province, year=timezone.localdate().year - 1)
    assert s.total.count > 0 and s.total.passed.denominator == s.total.count and s.by_county
