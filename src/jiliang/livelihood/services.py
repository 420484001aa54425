"""Business actions of livelihood metering, each in a transaction, scope-checked and audited.

Household meters: :func:`register_household_meter` is the one-meter path (form, API); the bulk import
(meter_import.py) applies the same rules (service_life.rule_for) to hundreds of thousands of rows at once.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core import services as core
from jiliang.core.scoping import VIEW
from jiliang.registry.models import (
    Instrument,
    InstrumentCategory,
    InstrumentStatus,
    Organisation,
    OrganisationKind,
    Usage,
)

from . import service_life
from .models import FirstResult, HouseholdMeter, MeterKind

UNITS = {MeterKind.WATER: "m³", MeterKind.GAS: "m³", MeterKind.ELECTRICITY: "kWh"}


def rule_or_error(kind: str, *, size=None, q3=None, gas_kind: str = "", accuracy_class: str = "") -> service_life.Rule:
    """service_life.rule_for, its refusal as a ValidationError on the field that decides it."""
    try:
        return service_life.rule_for(kind, size=size, q3=q3, gas_kind=gas_kind, accuracy_class=accuracy_class)
    except service_life.NoRule as exc:
        raise ValidationError({exc.field: exc.translated(_)}) from exc


def normal_size(kind: str, size) -> str:
    if kind == MeterKind.WATER:
        dn = service_life.parse_dn(size)
        return f"DN{dn}" if dn is not None else ""
    if kind == MeterKind.GAS:
        return service_life.normal_gas_size(size)
    return str(size or "").strip()


def check_utility(utility: Organisation, actor) -> None:
    """The meter's utility must be a utility the actor may act for (a utility's staff: only itself)."""
    if utility.kind != OrganisationKind.UTILITY:
        raise ValidationError({"utility": _("%(org)s is not registered as a utility.") % {"org": utility}})
    if not Organisation.objects.restrict(actor, VIEW).filter(pk=utility.pk).exists():
        raise PermissionDenied(_("You cannot register meters for that utility."))


@transaction.atomic
def register_household_meter(*, utility: Organisation, kind: str, manufacturer: str, serial_number: str,
                             region, model: str = "", instrument_code: str = "", code_scheme: str = "",
                             size="", q3=None, gas_kind: str = "", accuracy_class: str = "", address: str = "",
                             account_area: str = "", installed_on: dt.date | None = None, batch=None, area=None,
                             first_verified_on: dt.date | None = None, first_result: str = "",
                             first_errors: dict | None = None, institution: Organisation | None = None, actor,
                             today: dt.date | None = None) -> HouseholdMeter:
    """Register one household meter: the registry instrument (category from its regulation row, trade usage,
    owned by the utility) and its livelihood profile, with the rotation deadline where it was first verified; a
    first verification with its ``institution`` is recorded as supervision's event, as the bulk import does."""
    today = today or dt.date.today()
    check_utility(utility, actor)
    rule = rule_or_error(kind, size=size, q3=q3, gas_kind=gas_kind, accuracy_class=accuracy_class)
    errors = {}
    if installed_on and installed_on > today:
        errors["installed_on"] = _("%(day)s is in the future.") % {"day": installed_on}
    if first_verified_on and first_verified_on > today:
        errors["first_verified_on"] = _("%(day)s is in the future.") % {"day": first_verified_on}
    if installed_on and first_verified_on and installed_on < first_verified_on:
        errors["installed_on"] = _("A meter is first verified before it is installed (verified on %(day)s).") % {
            "day": first_verified_on}
    if first_result not in FirstResult.values:
        errors["first_result"] = _("Write pass or fail.")
    if first_result and not first_verified_on:
        errors["first_verified_on"] = _("A result needs the date of the first verification.")
    if batch is not None and batch.utility_id != utility.pk:
        errors["batch"] = _("The batch belongs to another utility.")
    if errors:
        raise ValidationError(errors)
    category = InstrumentCategory.objects.get(code=rule.category)
    values = {"owner": utility, "category": category, "manufacturer": manufacturer, "model": model or "-",
              "serial_number": serial_number, "accuracy_class": accuracy_class, "range_unit": "",
              "usage": Usage.TRADE, "region_id": getattr(region, "pk", region), "address": address, "installation_date": installed_on,
              "status": InstrumentStatus.IN_SERVICE if installed_on else InstrumentStatus.REGISTERED}
    if instrument_code:
        values["instrument_code"] = instrument_code
        if code_scheme:
            values["code_scheme"] = code_scheme
    instrument = core.create_record(Instrument, values, actor=actor, message="household meter")
    meter = HouseholdMeter(
        instrument=instrument, utility=utility, region_id=instrument.region_id, kind=kind, size=normal_size(kind, size),
        gas_kind=gas_kind if kind == MeterKind.GAS else "", accuracy_class=accuracy_class, rule=rule.category,
        service_life_years=rule.years, batch=batch, area=area, account_area=account_area, installed_on=installed_on,
        first_verified_on=first_verified_on, first_result=first_result, first_errors=first_errors or {},
        rotation_due=rule.rotation_due(first_verified_on) if first_verified_on else None)
    meter.full_clean()
    meter.save()
    audit.record(meter, "create", actor=actor, after=audit.snapshot(meter), message="household meter")
    if first_result and institution is not None:
        from jiliang.supervision import state

        from .meter_import import first_events

        for event in first_events([(instrument, meter, institution)], actor=actor, tag="registered"):
            event.save()
        state.refresh([instrument.pk], today=today)
    return meter
