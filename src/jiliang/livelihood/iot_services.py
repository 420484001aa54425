"""Smart household meters on the telemetry ingest: provisioning their metering points.

A smart household meter reports through the one ingest pipeline of telemetry (MQTT ``jiliang/<uscc>/readings``
and ``frames/<kind>``, HTTP ``/api/telemetry/readings``), not through a pipeline of its own. For that it needs a
:class:`~jiliang.telemetry.models.MeteringPoint` of role *household*: owned by the utility (the sender whose
USCC the topic names), metering the meter's registry instrument, read once a day, and, for frames, with the
meter address the frame carries (CJ/T 188 for water and gas, DL/T 645 for electricity). Household points are
never required for the online rate and never enter the key energy consumers' figures (telemetry.quality,
telemetry.rollups: a household point has no share in an enterprise total).

:func:`provision_household_points` takes any iterable of household meters, so other parts of livelihood (the
transformer areas' demo, imports) provision points the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.scoping import VIEW
from jiliang.registry.models import Organisation
from jiliang.telemetry.models import HOUSEHOLD_INTERVAL_S, EnergyType, MeteringPoint, PointRole, Protocol

from .models import GasKind, HouseholdMeter, MeterKind
from .services import UNITS

#: The protocol a smart meter of each kind speaks (protocols-energy-dcc.md §1: DL/T 645 electricity; §2: CJ/T 188
#: water, gas, heat).
PROTOCOL = {MeterKind.WATER: Protocol.CJT188, MeterKind.GAS: Protocol.CJT188, MeterKind.ELECTRICITY: Protocol.DLT645}


def energy_type(meter: HouseholdMeter) -> str:
    if meter.kind == MeterKind.ELECTRICITY:
        return EnergyType.ELECTRICITY
    if meter.kind == MeterKind.WATER:
        return EnergyType.WATER
    return EnergyType.NATURAL_GAS if meter.gas_kind == GasKind.NATURAL else EnergyType.OTHER


def point_code(meter: HouseholdMeter) -> str:
    """The point's code within the utility: the meter's instrument code, else ``HM<instrument id>``."""
    return meter.instrument.instrument_code or f"HM{meter.instrument_id}"


@dataclass
class Provisioned:
    """What :func:`provision_household_points` did: the points created, and each meter left out with the reason."""

    created: list[MeteringPoint] = field(default_factory=list)
    skipped: list[tuple[HouseholdMeter, str, str]] = field(default_factory=list)  # (meter, field, reason)


@transaction.atomic
def provision_household_points(meters, *, actor, addresses: dict[int, str] | None = None,
                               protocols: bool = True) -> Provisioned:
    """Create the household metering point of each meter of ``meters`` that has none yet.

    ``addresses`` maps a meter (its instrument id) to the meter address its frames carry (12 digits DL/T 645,
    14 digits CJ/T 188); a meter without one reports JSON readings under its point code. ``protocols=False``
    leaves the protocol blank (JSON only). A meter that is retired, already has a household point, or whose
    address is malformed or taken is skipped with its reason; the others are created (one audit entry each).
    The actor must see each meter's utility (a utility's staff: only itself; a bureau: the utilities in its
    region).
    """
    meters = list(meters)
    utilities = {m.utility_id for m in meters}
    visible = set(Organisation.objects.restrict(actor, VIEW).filter(pk__in=utilities).values_list("pk", flat=True))
    if utilities - visible:
        raise PermissionDenied(_("You cannot provision points for the meters of that utility."))
    return provision(meters, addresses=addresses, protocols=protocols, actor=actor)


def provision(meters: list[HouseholdMeter], *, addresses: dict[int, str] | None = None, protocols: bool = True,
              actor=None) -> Provisioned:
    """:func:`provision_household_points` without the scope check, for the demo and commands (call it inside a
    transaction)."""
    addresses = addresses or {}
    result = Provisioned()
    if not meters:
        return result
    utilities = {u.pk: u for u in Organisation.objects.filter(pk__in={m.utility_id for m in meters})}
    instruments = [m.instrument_id for m in meters]
    have = set(MeteringPoint.objects.filter(meter_id__in=instruments, role=PointRole.HOUSEHOLD)
               .values_list("meter_id", flat=True))
    taken = set(MeteringPoint.objects.filter(enterprise_id__in=utilities).exclude(meter_address="")
                .values_list("enterprise_id", "protocol", "meter_address"))
    codes = set(MeteringPoint.objects.filter(enterprise_id__in=utilities).values_list("enterprise_id", "code"))
    wanted = Counter((m.utility_id, addresses.get(m.instrument_id, "")) for m in meters)
    for m in meters:
        address = addresses.get(m.instrument_id, "")
        protocol = PROTOCOL[m.kind] if protocols and address else ""
        if m.retired_on:
            result.skipped.append((m, "meter", _("The meter was retired on %(day)s.") % {"day": m.retired_on}))
            continue
        if m.instrument_id in have:
            result.skipped.append((m, "meter", _("The meter already has a household point.")))
            continue
        point = MeteringPoint(
            enterprise=utilities[m.utility_id], code=point_code(m), name=f"{m.get_kind_display()} {point_code(m)}",
            energy_type=energy_type(m), unit=UNITS[m.kind], meter=m.instrument, role=PointRole.HOUSEHOLD,
            interval_seconds=HOUSEHOLD_INTERVAL_S, protocol=protocol, meter_address=address,
            accuracy_class=m.accuracy_class, required_for_online=False)
        try:
            point.clean()
        except ValidationError as exc:
            first, messages = next(iter(exc.message_dict.items()))
            result.skipped.append((m, first, " ".join(messages)))
            continue
        if address and ((m.utility_id, protocol, address) in taken or wanted[(m.utility_id, address)] > 1):
            result.skipped.append((m, "meter_address", _("Meter address %(address)s is given to another meter.")
                                   % {"address": address}))
            continue
        if (m.utility_id, point.code) in codes:
            result.skipped.append((m, "code", _("The utility already has a point %(code)s.") % {"code": point.code}))
            continue
        codes.add((m.utility_id, point.code))
        result.created.append(point)
    MeteringPoint.objects.bulk_create(result.created, batch_size=2000)
    audit.record_many([{"obj": p, "action": "create", "after": audit.snapshot(p), "message": "household point"}
                       for p in result.created], actor=actor)
    return result
