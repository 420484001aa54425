"""One table of unit symbols (issue 10 item 6): forms take and pages print kg, MPa, m³/h, kWh, °C; D-SI inside."""

from decimal import Decimal

import pytest

from jiliang.core.units import symbols as unit_symbols
from jiliang.core.units.dsi import UnitError, same_unit
from jiliang.verification import certificates, decisions

PAIRS = [("kg", "\\kilogram"), ("g", "\\gram"), ("mg", "\\milli\\gram"), ("t", "\\tonne"), ("MPa", "\\mega\\pascal"),
         ("kPa", "\\kilo\\pascal"), ("m³/h", "\\metre\\tothe{3}\\hour\\tothe{-1}"), ("L/min", "\\litre\\minute\\tothe{-1}"),
         ("kWh", "\\kilo\\watt\\hour"), ("°C", "\\degreecelsius"), ("%", "\\percent"), ("A", "\\ampere"),
         ("mm", "\\milli\\metre"), ("km", "\\kilo\\metre"), ("L", "\\litre"), ("dB", "\\decibel"), ("m³", "\\metre\\tothe{3}")]


@pytest.mark.parametrize("sym,dsi", PAIRS)
def test_symbols_and_dsi_round_trip(sym, dsi):
    assert unit_symbols.symbol(dsi) == sym
    assert same_unit(unit_symbols.to_dsi(sym), dsi)
    assert unit_symbols.to_dsi(dsi) == dsi  # D-SI is accepted as it is


@pytest.mark.parametrize("typed,sym", [("m3/h", "m³/h"), ("℃", "°C"), ("kwh", "kWh"), ("l/min", "L/min")])
def test_what_people_type(typed, sym):
    assert unit_symbols.symbol(unit_symbols.to_dsi(typed)) == sym


def test_unknown_units_are_refused():
    for bad in ("furlong", "\\meter", "", "kg//"):
        with pytest.raises(UnitError):
            unit_symbols.to_dsi(bad)


def test_numbers_and_quantities_print_as_on_a_certificate():
    assert unit_symbols.quantity(Decimal("0.400000"), "\\mega\\pascal") == "0.4 MPa"
    assert unit_symbols.quantity(Decimal("20.00"), "°C") == "20 °C"
    assert unit_symbols.quantity(Decimal("0E-9"), "\\kilogram") == "0 kg"
    assert unit_symbols.range_text(Decimal("0.000000"), Decimal("150.000000"), "kg") == "0–150 kg"
    assert unit_symbols.number(Decimal("1E+2")) == "100"
    assert unit_symbols.symbols_in("±0.005 \\kilogram (JJG539-2016)") == "±0.005 kg (JJG539-2016)"


def test_prefix_conversion_only_between_the_same_unit():
    assert unit_symbols.conversion("\\kilo\\pascal", "\\mega\\pascal") == Decimal("0.001")
    assert unit_symbols.conversion("\\gram", "\\kilogram") == Decimal("0.001")
    assert unit_symbols.conversion("\\kilogram", "\\ampere") is None


def test_the_former_tables_now_agree():
    """The PDF's table lacked MPa (it printed 'mega pascal') and the registry's lacked m³: one table now."""
    assert certificates.unit_text("\\mega\\pascal") == "MPa"
    for sym in ("kg", "MPa", "m³/h", "kWh", "°C", "A", "m³"):
        assert certificates.unit_text(decisions.registry_dsi(sym)) == sym
    assert decisions.registry_dsi("bogus") == ""


@pytest.mark.django_db
def test_api_takes_units_as_people_write_them(flow):
    from django.urls import reverse
    from tests.conftest import client_for

    w = flow.world
    r = client_for(flow.owner_user).post(reverse("api:workorder-list"), {
        "owner": w.ent_ks.pk, "institute": w.inst_p.pk, "kind": "verification",
        "items": [{"instrument": w.instrument_ks.pk, "regulation": "JJG539-2016", "attributes": {"class": "III"},
                   "parameters": {"e": {"value": "0.005", "unit": "kg"}, "Max": {"value": "15", "unit": "kg"}}}]},
        format="json")
    assert r.status_code == 201, r.content
    assert r.json()["items"][0]["parameters"]["Max"] == {"value": "15", "unit": "\\kilogram"}
    r = client_for(flow.owner_user).post(reverse("api:workorder-list"), {
        "owner": w.ent_ks.pk, "institute": w.inst_p.pk, "kind": "verification",
        "items": [{"instrument": w.instrument_ks.pk, "regulation": "JJG539-2016", "attributes": {"class": "III"},
                   "parameters": {"e": {"value": "5", "unit": "grams"}, "Max": {"value": "15", "unit": "kg"}}}]},
        format="json")
    assert r.status_code == 400 and "items[0].parameters.e.unit" in r.json()


@pytest.mark.django_db
def test_a_standard_covers_an_instrument_through_normalised_si_values(flow):
    """The instrument measures up to 15 kg; a standard registered in t or g is compared in SI (issue 12 item 4)."""
    from jiliang.registry import models as rm
    from jiliang.verification import services

    std, item = flow.world.standard_p, flow.request().items.get()
    for unit, hi, expect in (("t", "0.02", ""), ("t", "0.01", "reaches"), ("g", "15000", ""), ("kg", "14", "reaches"),
                             ("A", "20", "measures in")):
        rm.MeasurementStandard.objects.filter(pk=std.pk).update(range_min=0, range_max=Decimal(hi), range_unit=unit)
        std.refresh_from_db()
        problem = services.standard_unfit(std, item, flow.today)
        assert (expect in problem) if expect else problem == "", (unit, hi, problem)

