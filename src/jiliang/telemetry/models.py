"""Telemetry models: metering points of key energy-consuming enterprises, their readings, rollups, anomalies.

Readings are append-only and keyed by (metering point, time) so the table can be partitioned by month
(PostgreSQL declarative partitioning, see ``partitions.py``) and later distributed by point. They never go
through forms, ``full_clean()`` or signals: ``ingest.py`` validates them as plain values and stores them in
bulk, with one :class:`IngestBatch` and one audit entry per batch (STYLE.md practice 12).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiliang.core.models import RegistryModel
from jiliang.core.roles import Role
from jiliang.core.scoping import RestrictedManager, ScopeSpec

KEY_ENERGY_DESIGNATION = "key-energy-consumer"
UTILITY_KIND = "utility"  # registry.OrganisationKind.UTILITY: sends household meters' readings (livelihood app)
HOUSEHOLD_INTERVAL_S = 86400  # a household meter reads once a day (livelihood-iot.md)
POINT_WRITERS = frozenset(Role) - {Role.INSTITUTE}
NOBODY = frozenset()


class EnergyType(models.TextChoices):
    """Energy types of the national online monitoring system's metering points (issue #5)."""

    ELECTRICITY = "electricity", _("electricity")
    NATURAL_GAS = "natural_gas", _("natural gas")
    COAL = "coal", _("coal")
    STEAM = "steam", _("steam")
    HEAT = "heat", _("heat")
    WATER = "water", _("water")
    DIESEL = "diesel", _("diesel")
    GASOLINE = "gasoline", _("gasoline")
    OTHER = "other", _("other")


class PointRole(models.TextChoices):
    """Where a point sits in the GB 17167 hierarchy (4.3: 进出用能单位, 进出主要次级用能单位, 主要用能设备)."""

    ENTERPRISE_IN = "enterprise_in", _("enterprise, energy in")
    ENTERPRISE_OUT = "enterprise_out", _("enterprise, energy out")
    SECONDARY_UNIT = "secondary_unit", _("main secondary unit")
    MAJOR_EQUIPMENT = "major_equipment", _("major energy-using equipment")
    # A utility's household meter (民用三表) reporting at a low rate: never counted in the key energy consumers'
    # figures (livelihood app).
    HOUSEHOLD = "household", _("household meter of a utility")


#: Events a reading may carry (JSON ``events``, CJ/T 188 status bits, DL/T 645 event counters): each raises the
#: anomaly of the same name on the reading's point (docs/livelihood-iot.md).
EVENT_KINDS = ("valve_closed", "battery_low", "magnetic_tamper", "cover_opened")


def sends_readings(org) -> bool:
    """Whether ``org`` sends readings to the ingest: a key energy-consuming enterprise, or a utility (its household
    meters' points)."""
    return org.kind == UTILITY_KIND or org.designations.filter(code=KEY_ENERGY_DESIGNATION).exists()


class Protocol(models.TextChoices):
    NONE = "", _("none (readings as JSON or CSV)")
    DLT645 = "dlt645", _("DL/T 645-2007")
    CJT188 = "cjt188", _("CJ/T 188-2004")


class TelemetryModel(models.Model):
    """A scoped, non-registry record (batches, readings, rollups, anomalies): restricted manager and the
    audit filing helpers of :class:`RegistryModel`, without description and comments."""

    objects = RestrictedManager()
    scope = ScopeSpec()

    class Meta:
        abstract = True

    audit_region_code = RegistryModel.audit_region_code
    audit_organisation_id = RegistryModel.audit_organisation_id
    _follow = RegistryModel._follow


class MeteringPoint(RegistryModel):
    """A metering point (能源计量点) of a key energy-consuming enterprise: what it meters, with which meter,
    where it sits in the GB 17167 hierarchy, how often it reports and how a frame finds it."""

    enterprise = models.ForeignKey("registry.Organisation", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="metering_points")
    code = models.CharField(_("code"), max_length=64, help_text=_("unique within the enterprise; readings name it"))
    name = models.CharField(_("name"), max_length=200)
    energy_type = models.CharField(_("energy type"), max_length=20, choices=EnergyType.choices)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("unit of the register, e.g. kWh, m³, t, GJ"))
    meter = models.ForeignKey("registry.Instrument", verbose_name=_("meter"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="metering_points")
    multiplier = models.DecimalField(_("multiplier"), max_digits=14, decimal_places=4, default=1,
                                     help_text=_("CT × PT ratio: consumption = register difference × multiplier"))
    register_capacity = models.DecimalField(
        _("register capacity"), max_digits=20, decimal_places=4, null=True, blank=True,
        help_text=_("the register rolls over to zero at this value, e.g. 1000000 for XXXXXX.XX"))
    role = models.CharField(_("role"), max_length=20, choices=PointRole.choices)
    parent = models.ForeignKey("self", verbose_name=_("parent point"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="children")
    interval_seconds = models.PositiveIntegerField(_("collection interval (s)"), default=900,
                                                   help_text=_("900 s (15 min) by default; 1800 or 3600 allowed"))
    protocol = models.CharField(_("protocol"), max_length=10, choices=Protocol.choices, blank=True)
    meter_address = models.CharField(_("meter address"), max_length=14, blank=True,
                                     help_text=_("12 digits (DL/T 645) or 14 digits (CJ/T 188) as printed"))
    rated_capacity = models.DecimalField(
        _("rated capacity"), max_digits=20, decimal_places=4, null=True, blank=True,
        help_text=_("physical limit per hour in the point's unit after the multiplier (kW for kWh, m³/h for m³)"))
    accuracy_class = models.CharField(_("accuracy class"), max_length=10, blank=True,
                                      help_text=_("used when the meter record has none, e.g. 0.5S, 1, 2"))
    coefficient_variant = models.CharField(_("coefficient variant"), max_length=40, blank=True,
                                           help_text=_("GB/T 2589 variant where sources conflict, e.g. gas_field"))
    required_for_online = models.BooleanField(_("required for online"), default=True)
    active = models.BooleanField(_("active"), default=True)

    scope = ScopeSpec(region="enterprise__region", organisation="enterprise", write_roles=POINT_WRITERS)

    class Meta:
        ordering = ["enterprise__name", "code"]
        verbose_name = _("metering point")
        verbose_name_plural = _("metering points")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "code"], name="point_unique_code_per_enterprise"),
            models.UniqueConstraint(fields=["enterprise", "protocol", "meter_address"],
                                    condition=~models.Q(meter_address=""), name="point_unique_meter_address"),
        ]
        indexes = [models.Index(fields=["protocol", "meter_address"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.multiplier is not None and self.multiplier <= 0:
            errors["multiplier"] = _("The multiplier must be positive.")
        if self.register_capacity is not None and self.register_capacity <= 0:
            errors["register_capacity"] = _("The register capacity must be positive.")
        household = self.role == PointRole.HOUSEHOLD
        if self.interval_seconds and self.interval_seconds not in (60, 300, 900, 1800, 3600) and not (
                household and self.interval_seconds == HOUSEHOLD_INTERVAL_S):
            errors["interval_seconds"] = _("The interval is 900 s, relaxable to 1800 or 3600 s (or 60/300 s); "
                                           "86400 s for household meters only.")
        if self.meter_address:
            want = {"dlt645": 12, "cjt188": 14}.get(self.protocol)
            if want is None:
                errors["protocol"] = _("A meter address needs its protocol.")
            elif len(self.meter_address) != want or not self.meter_address.isdigit():
                errors["meter_address"] = _("A %(protocol)s address has %(n)d digits.") % {
                    "protocol": self.get_protocol_display(), "n": want}
        if self.parent_id:
            if self.parent_id == self.pk:
                errors["parent"] = _("A point cannot be its own parent.")
            elif self.parent.enterprise_id != self.enterprise_id:
                errors["parent"] = _("The parent point belongs to another enterprise.")
        if self.meter_id and self.enterprise_id and self.meter.owner_id != self.enterprise_id:
            errors["meter"] = _("The meter is owned by another organisation.")
        if self.enterprise_id and household:
            if self.enterprise.kind != UTILITY_KIND:
                errors["enterprise"] = _("Only a utility has points for household meters.")
        elif self.enterprise_id and not self.enterprise.designations.filter(code=KEY_ENERGY_DESIGNATION).exists():
            errors["enterprise"] = _("Only a key energy-consuming enterprise has metering points.")
        if errors:
            raise ValidationError(errors)

    @property
    def effective_accuracy_class(self) -> str:
        if self.meter_id and self.meter.accuracy_class:
            return self.meter.accuracy_class
        return self.accuracy_class


class PointState(models.Model):
    """The last reading of a point, kept in the ingest transaction: the online rate reads it, and ingest uses
    it to tell new readings (after ``last_ts``) from ones that need a duplicate check."""

    point = models.OneToOneField(MeteringPoint, primary_key=True, on_delete=models.CASCADE, related_name="state")
    # No index on last_ts: ingest rewrites it for every point every interval, and an unindexed column keeps
    # those updates HOT (heap-only); the online rate reads every point anyway.
    last_ts = models.DateTimeField(_("last reading time"), null=True)
    last_value = models.DecimalField(_("last value"), max_digits=20, decimal_places=6, null=True)
    last_received = models.DateTimeField(_("last received"), null=True)
    stuck_count = models.PositiveIntegerField(_("consecutive unchanged readings"), default=0)

    objects = RestrictedManager()
    scope = ScopeSpec(region="point__enterprise__region", organisation="point__enterprise", write_roles=NOBODY)

    class Meta:
        verbose_name = _("point state")

    def __str__(self) -> str:
        return f"{self.point_id} @ {self.last_ts}"


class Channel(models.TextChoices):
    HTTP = "http", _("HTTP")
    MQTT = "mqtt", _("MQTT")
    FILE = "file", _("file import")
    DEMO = "demo", _("demo")


class IngestBatch(TelemetryModel):
    """One HTTP body, MQTT message or file chunk: who sent it, over which channel, what came of each row.

    ``rejections`` lists ``{"position", "point", "reason", "detail"}`` for every rejected row (capped, with
    ``rejections_truncated`` set), so a sender learns exactly what was wrong and where.
    """

    received_at = models.DateTimeField(_("received"), db_index=True)
    sender = models.ForeignKey("core.User", verbose_name=_("sender"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    enterprise = models.ForeignKey("registry.Organisation", verbose_name=_("enterprise"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="ingest_batches")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    reference = models.CharField(_("reference"), max_length=200, blank=True,
                                 help_text=_("topic, file name or request id"))
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    duplicate = models.PositiveIntegerField(_("duplicates"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    conflict = models.PositiveIntegerField(_("conflicts"), default=0)
    rejections = models.JSONField(_("rejections"), default=list, blank=True)
    rejections_truncated = models.BooleanField(_("rejections truncated"), default=False)

    scope = ScopeSpec(region="enterprise__region", organisation="enterprise", write_roles=NOBODY)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("ingest batch")
        verbose_name_plural = _("ingest batches")
        indexes = [models.Index(fields=["enterprise", "received_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.channel} {self.reference}"[:200]


class Reading(TelemetryModel):
    """One register value of a point at a time: append-only, key (point, ts).

    On PostgreSQL the table is partitioned by month on ``ts`` (migration 0002); elsewhere it is a plain table.
    """

    pk = models.CompositePrimaryKey("point", "ts")
    point = models.ForeignKey(MeteringPoint, verbose_name=_("metering point"), on_delete=models.PROTECT,
                              related_name="+", db_index=False)  # the primary key (point, ts) indexes it
    ts = models.DateTimeField(_("time"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    received_at = models.DateTimeField(_("received"))
    source = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    batch = models.ForeignKey(IngestBatch, verbose_name=_("batch"), on_delete=models.DO_NOTHING, db_constraint=False,
                              db_index=False, related_name="+")

    scope = ScopeSpec(region="point__enterprise__region", organisation="point__enterprise", write_roles=NOBODY)

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")

    def __str__(self) -> str:
        return f"{self.point_id} {self.ts:%Y-%m-%d %H:%M} {self.value}"


class ReadingConflict(TelemetryModel):
    """A reading for a (point, ts) that is already stored with a different value: kept for review, never
    written over the stored reading."""

    point = models.ForeignKey(MeteringPoint, verbose_name=_("metering point"), on_delete=models.CASCADE,
                              related_name="conflicts")
    ts = models.DateTimeField(_("time"))
    stored_value = models.DecimalField(_("stored value"), max_digits=20, decimal_places=6)
    received_value = models.DecimalField(_("received value"), max_digits=20, decimal_places=6)
    received_at = models.DateTimeField(_("received"))
    source = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    batch = models.ForeignKey(IngestBatch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="conflicts")
    reviewed = models.BooleanField(_("reviewed"), default=False)

    scope = ScopeSpec(region="point__enterprise__region", organisation="point__enterprise", write_roles=NOBODY)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("reading conflict")
        verbose_name_plural = _("reading conflicts")
        indexes = [models.Index(fields=["point", "ts"])]

    def __str__(self) -> str:
        return f"{self.point_id} {self.ts:%Y-%m-%d %H:%M}: {self.stored_value} ≠ {self.received_value}"


class Period(models.TextChoices):
    HOUR = "hour", _("hour")
    DAY = "day", _("day")
    MONTH = "month", _("month")


class PointRollup(TelemetryModel):
    """Consumption of one point in one hour, day or month (Asia/Shanghai), kept incrementally by ingest.

    ``consumption`` is in the point's unit after multiplier and rollover; ``u`` its standard uncertainty from
    the meter's MPE (systematic within one meter, so summed linearly over intervals, JCGM 100 5.2.2 with
    r = 1); ``tce_*`` are GB/T 2589 equivalent-value and equal-price-value tonnes of standard coal.
    A delta is filed under the period that contains the end of its interval (readings at 00:00 close the
    previous day). ``readings`` counts the readings that ended in the period (completeness), ``misaligned``
    those among them whose time is off the point's collection grid by more than
    ``JILIANG_TELEMETRY_ALIGNMENT_TOLERANCE_S`` (timestamp alignment, a data-quality measure of the national
    online monitoring system).
    """

    point = models.ForeignKey(MeteringPoint, verbose_name=_("metering point"), on_delete=models.CASCADE,
                              related_name="rollups", db_index=False)  # point_rollup_key starts with point
    period = models.CharField(_("period"), max_length=5, choices=Period.choices)
    start = models.DateTimeField(_("start"))
    consumption = models.DecimalField(_("consumption"), max_digits=24, decimal_places=6, default=0)
    u = models.DecimalField(_("standard uncertainty"), max_digits=24, decimal_places=6, default=0)
    tce_equivalent = models.DecimalField(_("tce (equivalent value)"), max_digits=24, decimal_places=9, default=0)
    tce_equal_price = models.DecimalField(_("tce (equal-price value)"), max_digits=24, decimal_places=9, default=0)
    readings = models.PositiveIntegerField(_("readings"), default=0)
    misaligned = models.PositiveIntegerField(_("misaligned readings"), default=0)

    scope = ScopeSpec(region="point__enterprise__region", organisation="point__enterprise", write_roles=NOBODY)

    class Meta:
        verbose_name = _("point rollup")
        constraints = [models.UniqueConstraint(fields=["point", "period", "start"], name="point_rollup_key")]

    def __str__(self) -> str:
        return f"{self.point_id} {self.period} {self.start:%Y-%m-%d %H:%M}"


class EnterpriseRollup(TelemetryModel):
    """Consumption of an enterprise per energy type and hour, day or month: the points of role
    'enterprise, energy in' minus 'energy out' (GB 17167 4.3), kept incrementally with the point rollups.

    ``u_sq`` / ``u_tce_sq`` are variances (native unit², tce²): meters are independent, so the variances of
    the points add (JCGM 100 5.1.2 with uncorrelated inputs).
    """

    enterprise = models.ForeignKey("registry.Organisation", verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="energy_rollups")
    energy_type = models.CharField(_("energy type"), max_length=20, choices=EnergyType.choices)
    unit = models.CharField(_("unit"), max_length=20)
    period = models.CharField(_("period"), max_length=5, choices=Period.choices)
    start = models.DateTimeField(_("start"))
    consumption = models.DecimalField(_("consumption"), max_digits=24, decimal_places=6, default=0)
    u_sq = models.FloatField(_("variance of consumption"), default=0)
    tce_equivalent = models.DecimalField(_("tce (equivalent value)"), max_digits=24, decimal_places=9, default=0)
    tce_equal_price = models.DecimalField(_("tce (equal-price value)"), max_digits=24, decimal_places=9, default=0)
    u_tce_sq = models.FloatField(_("variance of tce"), default=0)
    readings = models.PositiveIntegerField(_("readings"), default=0)

    scope = ScopeSpec(region="enterprise__region", organisation="enterprise", write_roles=NOBODY)

    class Meta:
        verbose_name = _("enterprise rollup")
        constraints = [models.UniqueConstraint(fields=["enterprise", "energy_type", "unit", "period", "start"],
                                               name="enterprise_rollup_key")]
        indexes = [models.Index(fields=["period", "start"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.energy_type} {self.period} {self.start:%Y-%m-%d}"


class AnomalyKind(models.TextChoices):
    REVERSE_FLOW = "reverse_flow", _("reverse flow")
    METER_RESET = "meter_reset", _("meter reset")
    ROLLOVER = "rollover", _("register rollover")
    STUCK = "stuck", _("stuck register")
    SPIKE = "spike", _("spike beyond rated capacity")
    GAP = "gap", _("gap in readings")
    FUTURE = "future", _("timestamps in the future")
    CONFLICT = "conflict", _("conflicting duplicate")
    IMBALANCE = "imbalance", _("parent and children out of balance")
    VERIFICATION = "verification", _("meter verification lapsed")
    # Events a smart household meter reports (CJ/T 188 status bits, DL/T 645 event records).
    VALVE_CLOSED = "valve_closed", _("valve closed")
    BATTERY_LOW = "battery_low", _("battery low")
    MAGNETIC_TAMPER = "magnetic_tamper", _("magnetic tampering")
    COVER_OPENED = "cover_opened", _("cover opened")


class AnomalyState(models.TextChoices):
    OPEN = "open", _("open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    RESOLVED = "resolved", _("resolved")


class Anomaly(TelemetryModel):
    """Something wrong with a point's data, with its evidence. One open anomaly per point and kind: repeats
    add to ``occurrences`` and ``evidence['last']`` instead of flooding the list."""

    point = models.ForeignKey(MeteringPoint, verbose_name=_("metering point"), on_delete=models.CASCADE,
                              related_name="anomalies")
    enterprise = models.ForeignKey("registry.Organisation", verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="energy_anomalies")
    kind = models.CharField(_("kind"), max_length=20, choices=AnomalyKind.choices)
    state = models.CharField(_("state"), max_length=20, choices=AnomalyState.choices, default=AnomalyState.OPEN)
    owner = models.ForeignKey("core.User", verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    occurrences = models.PositiveIntegerField(_("occurrences"), default=1)
    evidence = models.JSONField(_("evidence"), default=dict)
    note = models.TextField(_("note"), blank=True)

    scope = ScopeSpec(region="enterprise__region", organisation="enterprise", write_roles=POINT_WRITERS)

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("anomaly")
        verbose_name_plural = _("anomalies")
        indexes = [models.Index(fields=["point", "kind", "state"]), models.Index(fields=["state", "last_seen"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.point_id}"


class SnapshotBasis(models.TextChoices):
    LIVE = "live", _("last readings")
    ROLLUP = "rollup", _("hourly rollups (backfill)")


class OnlineSnapshot(TelemetryModel):
    """How many key energy-consuming enterprises of one region were online at one time: the online rate
    (KPI 9) over time. A province's or a city's rate at a time is the sum of its regions' rows.

    ``region`` is the enterprises' own region (a county-level region, or a city for an enterprise registered
    at city level). Rows are written for every region with key enterprises, online or not, by
    ``quality.record_online_snapshot`` (basis ``live``: each point's last reading against its interval plus the
    tolerance; ``jiliang telemetry-snapshot`` every 15 minutes) and by ``quality.backfill_online_snapshots``
    (basis ``rollup``: an enterprise counts as online at the end of an hour when each of its required points
    has readings in the hour's rollup).
    """

    taken_at = models.DateTimeField(_("taken at"))
    region = models.ForeignKey("core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    enterprises = models.PositiveIntegerField(_("key enterprises"))
    online = models.PositiveIntegerField(_("online"))
    basis = models.CharField(_("basis"), max_length=10, choices=SnapshotBasis.choices, default=SnapshotBasis.LIVE)

    scope = ScopeSpec(region="region", write_roles=NOBODY)

    class Meta:
        ordering = ["taken_at", "region"]
        verbose_name = _("online snapshot")
        verbose_name_plural = _("online snapshots")
        constraints = [models.UniqueConstraint(fields=["taken_at", "region"], name="online_snapshot_key")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.taken_at:%Y-%m-%d %H:%M}: {self.online}/{self.enterprises}"


class RollupIncrement(models.Model):
    """A rollup increment waiting to be folded into the rollups (``JILIANG_TELEMETRY_ROLLUPS = "deferred"``).

    Ingest computes it under the point's state lock, exactly as it would add it inline (``rollups.py``), and
    stores it in the same transaction as the readings; ``jiliang telemetry-rollups`` (or an idle
    ``ingest-mqtt``) folds a batch of them into the rollups and deletes them in one transaction, so an
    increment is counted once whatever crashes when. ``sign`` and ``tce_unit`` are the point's share of the
    enterprise total and its tce per unit at the time of the reading.
    """

    point = models.ForeignKey(MeteringPoint, on_delete=models.CASCADE, related_name="+", db_constraint=False,
                              db_index=False)
    at = models.DateTimeField()
    consumption = models.DecimalField(max_digits=30, decimal_places=12)
    u = models.FloatField()
    tce_equivalent = models.DecimalField(max_digits=30, decimal_places=15)
    tce_equal_price = models.DecimalField(max_digits=30, decimal_places=15)
    readings = models.IntegerField()
    misaligned = models.IntegerField()
    enterprise = models.ForeignKey("registry.Organisation", on_delete=models.CASCADE, related_name="+",
                                   db_constraint=False, db_index=False)
    energy_type = models.CharField(max_length=20)
    unit = models.CharField(max_length=20)
    sign = models.SmallIntegerField()
    tce_unit = models.FloatField()

    objects = RestrictedManager()
    scope = ScopeSpec(region="enterprise__region", organisation="enterprise", write_roles=NOBODY)

    class Meta:
        verbose_name = _("rollup increment")
        verbose_name_plural = _("rollup increments")

    def __str__(self) -> str:
        return f"{self.point_id} {self.at:%Y-%m-%d %H:%M}"


class Confidence(models.TextChoices):
    """How well a number is sourced (shared/reference: H two or more independent sources, M one credible
    source, L one weak source, memory or inference)."""

    H = "H", _("H: two or more independent sources")
    M = "M", _("M: one credible source")
    L = "L", _("L: weak source or unverified")


class EqualPriceElectricity(models.Model):
    """The equal-price (等价值) coefficient of electricity for one year, in kgce/kWh.

    GB/T 2589 fixes no number for it: it is the year's national average coal consumption of thermal power
    supply (当年全国火电供电标准煤耗), published yearly by the China Electricity Council. The provincial bureau
    keeps one row per year; the rollups convert a reading's electricity with the row of the reading's local
    year, or, for a year without a row, with the latest earlier year (the value carries forward until the
    year's figure is published). Changing a row restates that year's equal-price tce
    (:func:`jiliang.telemetry.services.restate_equal_price`).
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    kgce_per_kwh = models.DecimalField(_("kgce per kWh"), max_digits=6, decimal_places=4)
    source = models.CharField(_("source"), max_length=500)
    confidence = models.CharField(_("confidence"), max_length=1, choices=Confidence.choices)
    note = models.TextField(_("note"), blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(shared=True, write_roles=frozenset({Role.PROVINCIAL_BUREAU}))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("equal-price coefficient of electricity")
        verbose_name_plural = _("equal-price coefficients of electricity")

    def __str__(self) -> str:
        return f"{self.year}: {self.kgce_per_kwh}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .energy.coefficients import EQUAL_PRICE_ELECTRICITY_RANGE

        errors = {}
        if self.year is not None and not 1990 <= self.year <= 2100:
            errors["year"] = _("Enter a calendar year between 1990 and 2100.")
        low, high = EQUAL_PRICE_ELECTRICITY_RANGE
        if self.kgce_per_kwh is not None and not low < self.kgce_per_kwh < high:
            errors["kgce_per_kwh"] = _(
                "%(value)s kgce/kWh is not a coal consumption of power supply: it must lie above the equivalent "
                "value %(low)s kgce/kWh (a plant at 100 %% efficiency) and below %(high)s kgce/kWh.") % {
                "value": self.kgce_per_kwh, "low": low, "high": high}
        if errors:
            raise ValidationError(errors)
