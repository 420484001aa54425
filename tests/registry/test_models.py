"""Invariants of the registry records, through the services that every path uses."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.utils import translation
from tests.conftest import uscc_for

from jiliang.core import services
from jiliang.registry import models as m


def test_wrong_check_character_is_refused_naming_the_field(world):
    code = uscc_for("91", "320583", 55)
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    for lang, words in (("en", "check character"), ("zh-hans", "校验码")):  # in the user's language
        with translation.override(lang), pytest.raises(ValidationError) as exc:
            services.create_record(m.Organisation, {"name": "x", "uscc": bad, "kind": "enterprise",
                                                    "region_id": "320583"}, actor=world.admin)
        assert words in exc.value.message_dict["uscc"][0]
    assert not m.Organisation.objects.filter(name="x").exists()


def test_unknown_region_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.create_record(m.Organisation, {"name": "x", "uscc": uscc_for("91", "320583", 56), "kind": "enterprise",
                                                "region_id": "329999"}, actor=world.admin)
    assert "region" in exc.value.message_dict


def test_valid_until_before_valid_from_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.update_record(world.standard_p, {"valid_from": dt.date(2026, 1, 1), "valid_until": dt.date(2025, 1, 1)},
                               actor=world.admin)
    assert "valid_until" in exc.value.message_dict
    world.standard_p.refresh_from_db()
    assert world.standard_p.valid_until == dt.date(2028, 1, 1)


def test_duplicate_serial_per_manufacturer_and_model_is_refused(world):
    data = {"owner": world.ent_ks, "category": world.scale, "manufacturer": "凯丰衡器", "model": "ACS-15",
            "serial_number": "KS-0001", "usage": "trade", "region_id": "320583"}
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            services.create_record(m.Instrument, data, actor=world.admin)
        assert "cannot be registered again" in str(exc.value)
    data["model"] = "ACS-30"  # the same serial under another model is a different instrument
    services.create_record(m.Instrument, data, actor=world.admin)


def test_mandatory_verification_follows_category_and_usage(world):
    assert world.instrument_ks.mandatory is True  # price scale used for trade
    other = services.update_record(world.instrument_ks, {"usage": "other"}, actor=world.admin)
    assert other.mandatory is False
    gauge = services.update_record(world.instrument_ks, {"category": world.gauge, "usage": "safety"}, actor=world.admin)
    assert gauge.mandatory is True


def test_retiring_needs_a_reason(world):
    with pytest.raises(ValidationError) as exc:
        services.update_record(world.instrument_ks, {"status": "retired"}, actor=world.admin)
    assert "status_reason" in exc.value.message_dict
    services.update_record(world.instrument_ks, {"status": "retired", "status_reason": "损坏报废",
                                                 "status_date": dt.date(2026, 11, 1)}, actor=world.admin)


def test_range_needs_its_unit_and_order(world):
    with pytest.raises(ValidationError) as exc:
        services.update_record(world.instrument_ks, {"range_unit": ""}, actor=world.admin)
    assert "range_unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.update_record(world.instrument_ks, {"range_min": Decimal("20")}, actor=world.admin)
    assert "range_max" in exc.value.message_dict


def test_standard_needs_uncertainty_class_or_mpe_and_k(world):
    with pytest.raises(ValidationError) as exc:
        services.update_record(world.standard_p, {"coverage_factor": None}, actor=world.admin)
    assert "coverage_factor" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.update_record(world.standard_p, {"uncertainty": None, "uncertainty_unit": "", "coverage_factor": None},
                               actor=world.admin)
    assert "uncertainty" in exc.value.message_dict


def test_reference_material_number_is_normalised_and_graded(world):
    assert world.rm_p.gbw_number == "GBW(E)130001" and world.rm_p.grade == "secondary"
    assert world.rm_nj.grade == "primary"
    with pytest.raises(ValidationError) as exc:
        services.update_record(world.rm_p, {"gbw_number": "GBW(E)1300"}, actor=world.admin)
    assert "gbw_number" in exc.value.message_dict


def test_metrologist_qualification(world):
    p = world.person_p
    assert p.qualified_for("JJG 539-2016", dt.date(2026, 1, 1))
    assert p.qualified_for("jjg539", dt.date(2026, 1, 1))
    assert not p.qualified_for("JJG 443", dt.date(2026, 1, 1))
    assert not p.qualified_for("JJG 539", dt.date(2031, 1, 1))  # certificate lapsed


def test_protected_delete_keeps_the_legal_history(world):
    with pytest.raises(ProtectedError):
        services.delete_record(world.ent_ks, actor=world.admin)
    assert m.Organisation.objects.filter(pk=world.ent_ks.pk).exists()


def test_enterprise_cannot_create_organisations(world):
    with pytest.raises(PermissionDenied):
        services.create_record(m.Organisation, {"name": "x", "uscc": uscc_for("91", "320583", 57), "kind": "enterprise",
                                                "region_id": "320583"}, actor=world.users["enterprise"])


def test_county_bureau_cannot_create_outside_its_county(world):
    with pytest.raises(services.ScopeError):
        services.create_record(m.Organisation, {"name": "x", "uscc": uscc_for("91", "320102", 58), "kind": "enterprise",
                                                "region_id": "320102"}, actor=world.users["kunshan"])
    assert not m.Organisation.objects.filter(name="x").exists()


def test_category_edit_is_for_the_province(world):
    with pytest.raises(PermissionDenied):
        services.update_record(world.scale, {"period_months": 6}, actor=world.users["suzhou"])
    services.update_record(world.scale, {"comments": "checked"}, actor=world.users["province"])


def test_verification_mode_needs_mandatory_supervision(world):
    with pytest.raises(ValidationError) as exc:
        services.create_record(m.InstrumentCategory, {"code": "x", "name": "x", "domain": "mechanics",
                                                      "supervision_mode": "P", "verification_mode": "periodic"},
                               actor=world.users["province"])
    assert "supervision_mode" in exc.value.message_dict
