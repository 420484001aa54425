"""`jiliang demo`: a realistic province over all real cities and counties; the same seed builds the same province."""

import pytest
from django.core.management import call_command

from jiliang.core.audit import verify_chain
from jiliang.core.models import Region
from jiliang.registry import models as m


def signature():
    return (
        sorted(m.Organisation.objects.values_list("uscc", "name", "region_id")),
        sorted(m.Instrument.objects.values_list("serial_number", "owner__uscc", "category__code", "region_id",
                                                "status")),
        sorted(m.MeasurementStandard.objects.values_list("institute__uscc", "name", "valid_until")),
    )


def wipe():
    """Empty every table, whatever apps the demo spans, then reload the shipped reference data."""
    from django.core.management import call_command

    from jiliang.core.regions import load_regions
    from jiliang.registry.reference import load_catalogue, load_designations

    call_command("flush", interactive=False, verbosity=0)
    load_regions()
    load_designations(m.Designation)
    load_catalogue(m.InstrumentCategory)


@pytest.mark.django_db(transaction=True)  # flush runs between the builds; PostgreSQL refuses it mid-transaction
def test_demo_covers_every_county_and_role_and_is_reproducible(reference_data):
    call_command("demo", scale=400, seed=7)
    counties = set(Region.objects.filter(is_current=True, level__in=["district", "county", "county-level-city"])
                   .values_list("code", flat=True))
    assert set(m.Organisation.objects.filter(kind="bureau").values_list("region_id", flat=True)) >= counties
    # the registry's step makes 400 instruments; livelihood adds household meters and transformer areas' meters only
    from jiliang.livelihood.models import HouseholdMeter, TransformerArea

    assert 400 <= m.Instrument.objects.count() <= 400 + HouseholdMeter.objects.count() + TransformerArea.objects.count()
    assert m.Instrument.objects.values("category").distinct().count() >= 8
    assert {"market", "hospital", "fuel_station", "enterprise", "institute", "bureau"} <= set(
        m.Organisation.objects.values_list("kind", flat=True))
    from django.contrib.auth import get_user_model

    roles = set(get_user_model().objects.values_list("role", flat=True))
    assert {"provincial_bureau", "city_bureau", "county_bureau", "institute", "enterprise"} <= roles
    for org in m.Organisation.objects.all():
        org.full_clean()  # every generated USCC carries a valid check character
    assert verify_chain()[1] is None
    from decimal import Decimal

    from jiliang.verification.models import Certificate

    # the demo's certificates report U with at most two significant digits (JJF 1059.1-2012 5.3.8.1) and
    # the error to U's last decimal place (5.3.8.3)
    reported = [p for c in Certificate.objects.all() for p in c.content["points"] if p["U"]]
    assert reported
    for p in reported:
        U = Decimal(p["U"])
        assert len(U.normalize().as_tuple().digits) <= 2, p
        assert Decimal(p["error"]).as_tuple().exponent == U.as_tuple().exponent, p
    first = signature()
    wipe()
    call_command("demo", scale=400, seed=7)
    assert signature() == first
    wipe()
    call_command("demo", scale=400, seed=8)
    assert signature() != first


@pytest.mark.django_db
def test_demo_if_empty_does_nothing_twice(reference_data, capsys):
    call_command("demo", scale=200)
    n = m.Instrument.objects.count()
    call_command("demo", scale=200, if_empty=True)
    assert m.Instrument.objects.count() == n
    assert "already has data" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_under_deferred_rollups_folds_what_it_queued(reference_data, settings):
    from jiliang.telemetry import rollups
    from jiliang.telemetry.models import EnterpriseRollup, OnlineSnapshot

    settings.JILIANG_TELEMETRY_ROLLUPS = "deferred"
    call_command("demo", scale=400, seed=7)
    assert rollups.pending() == 0
    assert EnterpriseRollup.objects.filter(period="day").exists()
    assert OnlineSnapshot.objects.filter(online__gt=0).exists()  # the backfill read the folded rollups


@pytest.mark.django_db
def test_demo_enterprise_is_a_steel_works_with_instruments_and_energy_metering(reference_data):
    """Issue #10 item 9: the demo enterprise's login shows its instruments and its energy data; names carry
    no serial numbers; phone numbers carry their own city's area code."""
    import re

    from django.contrib.auth import get_user_model

    from jiliang.registry.demo import AREA_CODES
    from jiliang.telemetry.models import MeteringPoint, PointRollup

    call_command("demo", scale=400, seed=7)
    org = get_user_model().objects.get(username="demo-enterprise").organisation
    assert org.name == "昆山华兴钢铁有限公司" and org.region_id == "320583"
    assert org.designations.filter(code="key-energy-consumer").exists()
    own = m.Instrument.objects.filter(owner=org)
    assert own.count() >= 14
    assert {"automatic-weighing", "electricity-meter", "pressure-gauge-safety", "gas-detector"} <= set(
        own.values_list("category__code", flat=True))
    points = MeteringPoint.objects.filter(enterprise=org)
    assert set(points.values_list("code", flat=True)) == {"E-IN", "E-W1", "E-W2", "G-IN", "W-IN"}
    assert points.get(code="E-IN").meter.description == "10 kV 总进线关口电能表"
    assert PointRollup.objects.filter(point__enterprise=org, period="day").exists()
    names = list(m.Organisation.objects.values_list("name", flat=True))
    assert not [n for n in names if re.search(r"\d$", n)], "names end with a serial number"
    assert len(names) == len(set(names))
    for region, phone in m.Organisation.objects.exclude(contact_phone="").values_list("region_id", "contact_phone"):
        assert phone.startswith(AREA_CODES[region[:4]] + "-"), (region, phone)
