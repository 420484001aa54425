"""The demo step of household meters on a small world: profiles, meters in batches (statistics recorded), some
past rotation, rotations recorded, Kunshan's list published, and the demo-water login."""

import random

from django.contrib.auth import get_user_model
from tests.conftest import _user

from jiliang.livelihood import meter_demo
from jiliang.livelihood.models import HouseholdMeter, MeterBatch, RotationPublication


def test_demo_step(lworld):
    _user("demo-admin", "", superuser=True)
    ctx = {"utilities": {"320500": {"water": lworld.water_ks, "power": lworld.power_ks},
                         "320100": {"gas": lworld.gas_xw}},
           "city_institutes": {"320500": lworld.world.inst_p, "320100": lworld.world.inst_nj}}
    steps = []
    meter_demo.build(ctx, random.Random(1), 2000, lambda done, total=None: steps.append(done))
    batches = MeterBatch.objects.all()
    assert batches.count() == 9 and all(b.passed + b.failed == b.declared_count for b in batches)
    assert all(b.statistics.get("flows") for b in batches)
    assert HouseholdMeter.objects.filter(retired_on__isnull=False, replaced_by__isnull=False).exists()
    assert HouseholdMeter.objects.filter(retired_on__isnull=True, rotation_due__lt=meter_demo.TODAY).exists()
    assert RotationPublication.objects.filter(region_id="320583").exists()
    user = get_user_model().objects.get(username="demo-water")
    assert user.organisation_id == lworld.water_ks.pk
