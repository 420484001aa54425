"""The equal-price coefficient of electricity is data by year (issue #9 item 9).

GB/T 2589 gives no fixed equal-price value for electricity: it is the year's national average coal
consumption of thermal power supply (shared/reference/protocols-energy-dcc.md §3). The shipped yearly values
(telemetry/energy/data/electricity-equal-price.json) are marked L: recalled CEC figures, not verified here.
A reading is converted with its local year's value, a year without one with the latest earlier year's; the
provincial bureau edits the values, and an edit restates the stored rollups of the years it touches.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from jiliang.core.models import AuditEntry
from jiliang.telemetry.energy.coefficients import (
    CoefficientError,
    equal_price_for_year,
    load_yearly_equal_price,
)
from jiliang.telemetry.ingest import Group, ingest
from jiliang.telemetry.models import EnterpriseRollup, EqualPriceElectricity, PointRollup
from jiliang.telemetry.parsing import RawReading

LOCAL8 = dt.timezone(dt.timedelta(hours=8))


def test_shipped_years_are_plausible_and_marked_unverified():
    years = load_yearly_equal_price()
    assert [v.year for v in years] == list(range(2015, 2023))
    assert {v.confidence for v in years} == {"L"}
    by_year = {v.year: v.kgce_per_kwh for v in years}
    assert by_year[2022] == Decimal("0.3007") and by_year[2015] == Decimal("0.315")
    # every year lower than the one before: the national average has fallen each year in this range
    assert all(by_year[y] < by_year[y - 1] for y in range(2016, 2023))


def test_a_year_without_a_value_carries_the_latest_earlier_one_forward():
    yearly = {2021: Decimal("0.3025"), 2022: Decimal("0.3007")}
    assert equal_price_for_year(yearly, 2022) == (2022, Decimal("0.3007"))
    assert equal_price_for_year(yearly, 2026) == (2022, Decimal("0.3007"))
    assert equal_price_for_year(yearly, 2020) is None  # before every year: the table's undated fallback


@pytest.mark.parametrize(("row", "message"), [
    ({"year": 2020, "g_per_kwh": "90", "confidence": "L", "source": "x"}, "lies outside"),
    ({"year": 2020, "g_per_kwh": "305.5", "confidence": "Z", "source": "x"}, "confidence 'Z'"),
    ({"year": 2020, "g_per_kwh": 305.5, "confidence": "L", "source": "x"}, "pass a Decimal"),
    ({"year": 2020, "confidence": "L", "source": "x"}, "malformed"),
])
def test_a_bad_yearly_file_is_refused_naming_the_row(tmp_path, row, message):
    path = tmp_path / "years.json"
    path.write_text(json.dumps({"years": [row]}), encoding="utf-8")
    with pytest.raises(CoefficientError, match=message):
        load_yearly_equal_price(path)


def _send(energy, rows):
    readings = [RawReading(f"row {i}", "E-IN", ts, Decimal(v)) for i, (ts, v) in enumerate(rows, 1)]
    [res] = ingest([Group(energy.world.ent_ks, readings)], channel="file")
    assert res.batch.accepted == len(rows)


def test_readings_use_the_coefficient_of_their_year(energy):
    EqualPriceElectricity.objects.create(year=2025, kgce_per_kwh=Decimal("0.2990"), source="test", confidence="L")
    EqualPriceElectricity.objects.create(year=2026, kgce_per_kwh=Decimal("0.2950"), source="test", confidence="L")
    new_year = dt.datetime(2026, 1, 1, tzinfo=LOCAL8)
    q = dt.timedelta(minutes=15)
    # 31 Dec 23:45 → 1 Jan 00:00 belongs to 2025 (the interval ends at midnight); 00:00 → 00:15 to 2026
    _send(energy, [(new_year - q, "100"), (new_year, "101"), (new_year + q, "102")])
    last_2025 = PointRollup.objects.get(point=energy.e_in_ks, period="day", start=new_year - dt.timedelta(days=1))
    first_2026 = PointRollup.objects.get(point=energy.e_in_ks, period="day", start=new_year)
    assert last_2025.consumption == first_2026.consumption == Decimal(100)  # 1 kWh × multiplier 100
    assert last_2025.tce_equal_price == Decimal("0.029900000")  # 100 kWh × 0.2990 kgce/kWh
    assert first_2026.tce_equal_price == Decimal("0.029500000")  # 100 kWh × 0.2950 kgce/kWh
    assert first_2026.tce_equivalent == Decimal("0.012290000")  # the equivalent value does not change


def _edit(client, user, pk=None, data=None):
    client.force_login(user)
    url = f"/telemetry/equal-price-electricity/{pk}/edit/" if pk else "/telemetry/equal-price-electricity/add/"
    return client.post(url, data)


def test_the_provincial_bureau_sets_a_year_and_the_rollups_are_restated(client, energy):
    t0 = dt.datetime(2026, 11, 23, tzinfo=LOCAL8)
    _send(energy, [(t0 + k * dt.timedelta(minutes=15), str(1000 + k)) for k in range(5)])
    hour = PointRollup.objects.get(point=energy.e_in_ks, period="hour", start=t0)
    assert hour.tce_equal_price == Decimal("0.120280000")  # 400 kWh × 0.3007 (2022 carried forward)
    response = _edit(client, energy.world.users["province"], data={
        "year": 2026, "kgce_per_kwh": "0.2900", "source": "CEC 2026 (test)", "confidence": "M", "note": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    hour.refresh_from_db()
    assert hour.tce_equal_price == Decimal("0.116000000")  # 400 kWh × 0.2900
    ent = EnterpriseRollup.objects.get(enterprise=energy.world.ent_ks, energy_type="electricity", period="hour",
                                       start=t0)
    assert ent.tce_equal_price == Decimal("0.116000000")
    month = PointRollup.objects.get(point=energy.e_in_ks, period="month", start=dt.datetime(2026, 11, 1, tzinfo=LOCAL8))
    assert month.tce_equal_price == Decimal("0.116000000")
    row = EqualPriceElectricity.objects.get(year=2026)
    assert AuditEntry.objects.filter(object_type="telemetry.equalpriceelectricity", object_id=str(row.pk),
                                     action="create").exists()
    # changed again through the edit form: restated again
    _edit(client, energy.world.users["province"], pk=row.pk, data={
        "year": 2026, "kgce_per_kwh": "0.2800", "source": "CEC 2026 (test)", "confidence": "M", "note": ""})
    hour.refresh_from_db()
    assert hour.tce_equal_price == Decimal("0.112000000")


@pytest.mark.parametrize("role", ["suzhou", "kunshan", "institute", "enterprise"])
def test_only_the_provincial_bureau_may_set_the_coefficient(client, energy, role):
    response = _edit(client, energy.world.users[role], data={
        "year": 2026, "kgce_per_kwh": "0.2900", "source": "x", "confidence": "M", "note": ""})
    assert response.status_code in (403, 404)
    assert not EqualPriceElectricity.objects.filter(year=2026).exists()


def test_anonymous_users_are_sent_to_sign_in(client, energy):
    response = client.get("/telemetry/equal-price-electricity/")
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("kgce_per_kwh", "0.1", "须高于当量值 0.1229"),
    ("kgce_per_kwh", "0.75", "且低于 0.6"),
    ("year", "1800", "1990 至 2100"),
])
def test_implausible_values_are_refused_naming_the_field(client, energy, field, value, message):
    data = {"year": 2026, "kgce_per_kwh": "0.2900", "source": "x", "confidence": "M", "note": ""}
    data[field] = value
    response = _edit(client, energy.world.users["province"], data=data)
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert not EqualPriceElectricity.objects.filter(year=int(data["year"])).exists()


def test_the_list_page_shows_the_years_in_chinese(client, energy):
    client.force_login(energy.world.users["province"])
    page = client.get("/telemetry/equal-price-electricity/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2022" in page and "0.3007" in page and "2015" in page
