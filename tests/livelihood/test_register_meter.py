"""Registering one household meter: the instrument and its profile, the rotation deadline, refusals by field."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiliang.core.audit import audit_context
from jiliang.core.models import AuditEntry
from jiliang.livelihood import services
from jiliang.livelihood.models import HouseholdMeter


def test_a_water_meter_gets_its_row_and_rotation_date(lworld):
    m = lworld.meter(size="dn20", first_verified_on=dt.date(2020, 3, 15), first_result="pass",
                     installed_on=dt.date(2020, 4, 1))
    m.refresh_from_db()
    assert (m.rule, m.service_life_years, m.size) == ("water-meter-dn15-25", 6, "DN20")
    assert m.rotation_due == dt.date(2026, 3, 14)
    inst = m.instrument
    assert inst.category.code == "water-meter-dn15-25" and inst.owner == lworld.water_ks and inst.mandatory
    assert inst.instrument_code.startswith("JL") and inst.status == "in_service"
    assert m.region_id == "320583" and m.utility == lworld.water_ks
    assert AuditEntry.objects.filter(object_type="livelihood.householdmeter", object_id=str(m.pk)).exists()


def test_electricity_and_gas(lworld):
    e = lworld.meter(utility=lworld.power_ks, kind="electricity", accuracy_class="0.5S",
                     first_verified_on=dt.date(2021, 1, 10), first_result="pass")
    g = lworld.meter(utility=lworld.gas_xw, kind="gas", region="320102", gas_kind="lpg", size="G4",
                     first_verified_on=dt.date(2021, 1, 10), first_result="pass")
    assert (e.rule, e.rotation_due) == ("electricity-meter-household-precise", dt.date(2027, 1, 9))
    assert (g.rule, g.size, g.gas_kind, g.rotation_due) == ("gas-meter-manufactured", "G4", "lpg", dt.date(2027, 1, 9))


@pytest.mark.parametrize(("kw", "field"), [
    ({"size": "DN100"}, "size"),
    ({"installed_on": dt.date(2026, 7, 1)}, "installed_on"),
    ({"first_verified_on": dt.date(2027, 1, 1), "first_result": "pass"}, "first_verified_on"),
    ({"first_verified_on": dt.date(2024, 5, 1), "installed_on": dt.date(2024, 4, 1), "first_result": "pass"},
     "installed_on"),
    ({"first_result": "pass"}, "first_verified_on"),
    ({"first_result": "maybe", "first_verified_on": dt.date(2024, 5, 1)}, "first_result"),
])
def test_bad_input_names_the_field(lworld, kw, field):
    with pytest.raises(ValidationError) as exc:
        lworld.meter(**kw)
    assert field in exc.value.message_dict
    assert not HouseholdMeter.objects.exists()


def test_only_utilities_and_only_ones_own(lworld):
    with pytest.raises(ValidationError) as exc:
        lworld.meter(utility=lworld.operator_ks)
    assert "utility" in exc.value.message_dict
    with audit_context(actor=lworld.users["water_ks"], channel="web"), pytest.raises(PermissionDenied):
        services.register_household_meter(utility=lworld.water_xw, kind="water", size="DN20", manufacturer="x",
                                          serial_number="S1", region="320102", actor=lworld.users["water_ks"])
