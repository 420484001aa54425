"""Supervision of mandatory verification: filings, verification events, each instrument's current state, the
counters the dashboard reads, reminders, notices, on-site findings and the province's settings.

The rules are pure (lifecycle.py, rates.py); services.py changes these records, counters.py keeps the counters in
step. Every record here is scoped like the instrument it concerns: a county sees its county, an enterprise itself,
an institution the events it reported.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiliang.core.models import ImportBatch, Region, RestrictedManager, TimestampedModel
from jiliang.core.roles import Role
from jiliang.core.scoping import ScopeSpec
from jiliang.registry.models import Instrument, InstrumentCategory, Organisation, OrganisationKind, Usage

from . import lifecycle

NO_GENERIC_WRITES = frozenset()  # changed through services.py only
INSTRUMENT_SCOPE = ScopeSpec(region="instrument__region", organisation="instrument__owner",
                             write_roles=NO_GENERIC_WRITES)


class Status(models.TextChoices):
    """An instrument's status (lifecycle.py; DOMAIN.md)."""

    VALID = lifecycle.VALID, _("valid")
    DUE_SOON = lifecycle.DUE_SOON, _("due soon")
    OVERDUE = lifecycle.OVERDUE, _("overdue")
    FAILED = lifecycle.FAILED, pgettext_lazy("verification status", "failed")
    NEVER_VERIFIED = lifecycle.NEVER_VERIFIED, _("never verified")
    LIFE_ENDED = lifecycle.LIFE_ENDED, _("service life ended")
    NOT_COUNTED = lifecycle.NOT_COUNTED, _("not counted")


class Result(models.TextChoices):
    PASS = lifecycle.PASS, _("pass")
    FAIL = lifecycle.FAIL, _("fail")


class VerificationKind(models.TextChoices):
    FIRST = "first", _("first verification")  # 首次检定
    PERIODIC = "periodic", _("periodic verification")  # 后续检定：周期检定
    AFTER_REPAIR = "after_repair", _("verification after repair")  # 修理后检定
    ON_USE = "on_use", _("in-service inspection")  # 使用中检查


class EventSource(models.TextChoices):
    CERTIFICATE = "certificate", _("certificate issued through jiliang")
    REPORTED = "reported", _("record reported by the institution")


class FilingState(models.TextChoices):
    UNFILED = "unfiled", _("not filed")
    SUBMITTED = "submitted", _("filed, awaiting the bureau")
    ACCEPTED = "accepted", _("filing accepted")
    RETURNED = "returned", _("filing returned")


class SupervisionSettings(models.Model):
    """The province's settings: one row (pk 1), edited by the provincial administrator.

    The reminder lead time is configuration, not law (reference/supervision-integrity-licensing.md §3.2). The
    working-day limits of institutions come from the province's own rule (e.g. Zhejiang 条例 Art. 20: 7 working
    days in the laboratory, 10 on site); blank where the province has none.
    """

    lead_days = models.PositiveSmallIntegerField(
        _("due-soon lead time (days)"), default=lifecycle.DEFAULT_LEAD_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)])
    laboratory_working_days = models.PositiveSmallIntegerField(
        _("working days allowed in the laboratory"), null=True, blank=True,
        help_text=_("from receipt of the instrument to the result, e.g. 7 (Zhejiang 条例 Art. 20)"))
    on_site_working_days = models.PositiveSmallIntegerField(
        _("working days allowed on site"), null=True, blank=True,
        help_text=_("from the application to the result, e.g. 10 (Zhejiang 条例 Art. 20)"))
    deadline_source = models.CharField(_("source of the limits"), max_length=300, blank=True)
    key_categories = models.ManyToManyField(
        InstrumentCategory, verbose_name=_("key supervised categories"), blank=True, related_name="+",
        help_text=_("empty: every category under mandatory verification"))
    key_usages = models.JSONField(
        _("key supervised usages"), default=list, blank=True,
        help_text=_("empty: trade settlement, safety, medical and health, environmental monitoring"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    objects = RestrictedManager()
    scope = ScopeSpec(shared=True, write_roles=frozenset({Role.PROVINCIAL_BUREAU}))

    class Meta:
        verbose_name = _("supervision settings")
        verbose_name_plural = _("supervision settings")

    def __str__(self) -> str:
        return str(_("supervision settings"))

    def clean(self) -> None:
        bad = [u for u in self.key_usages or [] if u not in Usage.values]
        if bad:
            raise ValidationError({"key_usages": _("Unknown usage: %(u)s.") % {"u": ", ".join(bad)}})

    @classmethod
    def current(cls) -> SupervisionSettings:
        return cls.objects.get_or_create(pk=1)[0]


class VerificationEvent(TimestampedModel):
    """A concluded verification of one instrument: a certificate or notice issued through jiliang, or a record an
    institution reported. One per (institution, number); never overwritten (a contradicting report is a
    :class:`RecordConflict`). A revoked certificate voids its event."""

    # (db_index=False: Meta.indexes lead with both; see registry.Instrument)
    institution = models.ForeignKey(Organisation, verbose_name=_("institution"), on_delete=models.PROTECT,
                                    related_name="+", db_index=False)
    number = models.CharField(_("certificate or notice number"), max_length=100)
    instrument = models.ForeignKey(Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT,
                                   related_name="verification_events", db_index=False)
    source = models.CharField(_("source"), max_length=20, choices=EventSource.choices)
    certificate = models.OneToOneField("verification.Certificate", verbose_name=_("certificate"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="supervision_event")
    kind = models.CharField(_("verification kind"), max_length=20, choices=VerificationKind.choices)
    verified_on = models.DateField(_("verified on"))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    next_due = models.DateField(_("next due"), null=True, blank=True,
                                help_text=_("the last day of validity, within the regulation's maximum period"))
    certificate_valid_until = models.DateField(_("certificate valid until"), null=True, blank=True)
    free_of_charge = models.BooleanField(_("free of charge"), default=False)
    void = models.BooleanField(_("void"), default=False)
    void_reason = models.CharField(_("why void"), max_length=300, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    batch = models.ForeignKey(ImportBatch, verbose_name=_("import"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    received = models.JSONField(_("as received"), default=dict, blank=True)

    objects = RestrictedManager()
    scope = INSTRUMENT_SCOPE

    class Meta:
        ordering = ["-verified_on", "-id"]
        verbose_name = _("verification event")
        verbose_name_plural = _("verification events")
        constraints = [models.UniqueConstraint(fields=["institution", "number"], name="supervision_event_unique")]
        indexes = [models.Index(fields=["instrument", "verified_on"]),
                   models.Index(fields=["institution", "verified_on"])]

    def __str__(self) -> str:
        return self.number

    def audit_region_code(self) -> str | None:
        return self.instrument.region_id if self.instrument_id else None

    def audit_organisation_id(self) -> int | None:
        return self.instrument.owner_id if self.instrument_id else None

    def as_lifecycle(self) -> lifecycle.Event:
        return lifecycle.Event(self.pk, self.verified_on, self.result, self.next_due)


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("open")
    RESOLVED = "resolved", _("resolved")


class RecordConflict(TimestampedModel):
    """A reported record that contradicts the stored event of the same (institution, number): kept for review."""

    event = models.ForeignKey(VerificationEvent, verbose_name=_("stored event"), on_delete=models.CASCADE,
                              related_name="conflicts")
    received = models.JSONField(_("as received"))
    differences = models.JSONField(_("differences"), default=dict)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=ConflictStatus.choices,
                              default=ConflictStatus.OPEN)
    resolution = models.CharField(_("resolution"), max_length=500, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="event__instrument__region", organisation="event__instrument__owner",
                      write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("record conflict")
        verbose_name_plural = _("record conflicts")

    def __str__(self) -> str:
        return f"{self.event.number} ({self.get_status_display()})"

    def audit_region_code(self) -> str | None:
        return self.event.audit_region_code()

    def audit_organisation_id(self) -> int | None:
        return self.event.audit_organisation_id()


class InstrumentState(models.Model):
    """The supervision state of one instrument, kept current by services.refresh_instrument (on each event and
    registry change) and by the daily job (for the calendar: valid → due soon → overdue). The dimensions of the
    dashboard are copied here so that the counters can be moved without reading the registry."""

    instrument = models.OneToOneField(Instrument, verbose_name=_("instrument"), primary_key=True,
                                      on_delete=models.CASCADE, related_name="supervision")
    # (db_index=False on region and owner: Meta.indexes lead with both; see registry.Instrument)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    owner = models.ForeignKey(Organisation, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    category = models.ForeignKey(InstrumentCategory, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="+")
    usage = models.CharField(_("usage"), max_length=20, choices=Usage.choices)
    owner_kind = models.CharField(_("owner kind"), max_length=20, choices=OrganisationKind.choices)
    key_supervised = models.BooleanField(_("key supervised"), default=False)
    mode = models.CharField(_("verification mode"), max_length=20, blank=True)
    base = models.CharField(_("status before the calendar"), max_length=20, choices=Status.choices)
    status = models.CharField(_("verification status"), max_length=20, choices=Status.choices)
    status_on = models.DateField(_("status as of"))
    next_due = models.DateField(_("next due"), null=True, blank=True)
    counted_until = models.DateField(_("counted until"), null=True, blank=True)
    last_event = models.ForeignKey(VerificationEvent, verbose_name=_("latest verification"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    filing_state = models.CharField(_("filing"), max_length=20, choices=FilingState.choices,
                                    default=FilingState.UNFILED)
    designated_institution = models.ForeignKey(Organisation, verbose_name=_("designated institution"), null=True,
                                               blank=True, on_delete=models.SET_NULL, related_name="+")
    event_counts = models.JSONField(default=dict, blank=True,
                                    help_text="what this instrument adds to EventCount: {'yyyymm:result': n}")

    derived_state = True  # rebuilt from the registry and the events: no reason to refuse deleting an instrument

    objects = RestrictedManager()
    scope = ScopeSpec(region="region", organisation="owner", write_roles=NO_GENERIC_WRITES)

    class Meta:
        verbose_name = _("supervision state")
        verbose_name_plural = _("supervision states")
        indexes = [models.Index(fields=["region", "status", "next_due"]),
                   models.Index(fields=["status", "next_due"]),
                   models.Index(fields=["base", "next_due"]),
                   models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"{self.instrument_id}: {self.get_status_display()}"


class DueOccurrence(models.Model):
    """A date by which an instrument had to be verified, and when it was (lifecycle.occurrences)."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+",
                                   db_index=False)  # (Meta.indexes: instrument, due)
    due = models.DateField(_("due"))
    met_on = models.DateField(_("verified on"), null=True, blank=True)
    first = models.BooleanField(_("first verification"), default=False)

    derived_state = True

    objects = RestrictedManager()
    scope = INSTRUMENT_SCOPE

    class Meta:
        verbose_name = _("due occurrence")
        verbose_name_plural = _("due occurrences")
        indexes = [models.Index(fields=["instrument", "due"]), models.Index(fields=["due"])]

    def __str__(self) -> str:
        return f"{self.instrument_id} due {self.due}"


class _Dimensions(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(InstrumentCategory, on_delete=models.PROTECT, related_name="+")
    usage = models.CharField(max_length=20)
    owner_kind = models.CharField(max_length=20)
    key_supervised = models.BooleanField()
    n = models.BigIntegerField(default=0)

    DIMENSIONS = ("region_id", "category_id", "usage", "owner_kind", "key_supervised")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.region_id}/{self.category_id}/{self.usage}: {self.n}"


class StatusCount(_Dimensions):
    """How many instruments are in each status, per county, category, usage, owner kind and key flag."""

    status = models.CharField(max_length=20)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["region", "category", "usage", "owner_kind", "key_supervised", "status"],
            name="supervision_statuscount_key")]


class DueCount(_Dimensions):
    """How many due occurrences fell due in ``due_month`` and were met in ``met_month`` (0: not yet), on time or
    not (rates.DueCount)."""

    due_month = models.IntegerField()
    met_month = models.IntegerField()
    on_time = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["region", "category", "usage", "owner_kind", "key_supervised", "due_month", "met_month",
                    "on_time"], name="supervision_duecount_key")]
        # A rate reads the months of its period only (counters.due_counts): an index-only scan of those months
        # (with ``n`` in the index) instead of every month of the table, which grows with the history and the
        # instruments (the kpi live page's rates, bench/kpi_live.py: 130 → 25 ms each at a million instruments).
        indexes = [models.Index(fields=["due_month", "key_supervised", "region", "category", "usage", "owner_kind",
                                        "met_month", "on_time"], include=["n"], name="supervision_duecount_period")]


class EventCount(_Dimensions):
    """How many verification events of each result were dated in ``month`` (rates.EventCount)."""

    month = models.IntegerField()
    result = models.CharField(max_length=10)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["region", "category", "usage", "owner_kind", "key_supervised", "month", "result"],
            name="supervision_eventcount_key")]
        indexes = [models.Index(fields=["month", "key_supervised", "region", "category", "usage", "owner_kind",
                                        "result"], include=["n"], name="supervision_eventcount_period")]  # (as above)


class Filing(TimestampedModel):
    """An owner's filing (登记造册、备案) of its compulsory-verification instruments with its county bureau
    (1987 measures Art. 5): one or many instruments, each accepted or returned with a reason."""

    owner = models.ForeignKey(Organisation, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="supervision_filings")
    bureau_region = models.ForeignKey(Region, verbose_name=_("filed with (county)"), on_delete=models.PROTECT,
                                      related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="bureau_region", organisation="owner", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("filing")
        verbose_name_plural = _("filings")

    def __str__(self) -> str:
        return f"{self.owner} · {self.created:%Y-%m-%d}" if self.created else str(self.owner)

    def audit_region_code(self) -> str | None:
        return self.bureau_region_id

    def audit_organisation_id(self) -> int | None:
        return self.owner_id


class FilingEntry(TimestampedModel):
    """One instrument of a filing and the bureau's decision on it."""

    filing = models.ForeignKey(Filing, verbose_name=_("filing"), on_delete=models.CASCADE, related_name="entries")
    instrument = models.ForeignKey(Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT,
                                   related_name="filing_entries")
    state = models.CharField(_("state"), max_length=20, choices=FilingState.choices, default=FilingState.SUBMITTED)
    reason = models.CharField(_("reason for return"), max_length=500, blank=True)
    designated_institution = models.ForeignKey(Organisation, verbose_name=_("designated institution"), null=True,
                                               blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = RestrictedManager()
    scope = INSTRUMENT_SCOPE

    class Meta:
        ordering = ["-id"]
        verbose_name = _("filing entry")
        verbose_name_plural = _("filing entries")
        indexes = [models.Index(fields=["instrument", "id"]), models.Index(fields=["state", "id"])]

    def __str__(self) -> str:
        return f"{self.instrument} · {self.get_state_display()}"

    def audit_region_code(self) -> str | None:
        return self.instrument.region_id if self.instrument_id else None

    def audit_organisation_id(self) -> int | None:
        return self.instrument.owner_id if self.instrument_id else None


class InstitutionDesignation(TimestampedModel):
    """The verifying institution a county bureau designates for an owner's instruments of a category (or, with
    no category, for all of them) (1987 measures Art. 5; 细则 Art. 11)."""

    owner = models.ForeignKey(Organisation, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(InstrumentCategory, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    institution = models.ForeignKey(Organisation, verbose_name=_("institution"), on_delete=models.PROTECT,
                                    related_name="+")
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("designated by"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = RestrictedManager()
    scope = ScopeSpec(region="owner__region", organisation="owner", write_roles=NO_GENERIC_WRITES)

    class Meta:
        verbose_name = _("designated institution")
        verbose_name_plural = _("designated institutions")
        constraints = [
            models.UniqueConstraint(fields=["owner", "category"], name="supervision_designation_unique",
                                    condition=models.Q(category__isnull=False)),
            models.UniqueConstraint(fields=["owner"], name="supervision_designation_unique_all",
                                    condition=models.Q(category__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.owner} → {self.institution}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("due soon")
    OVERDUE = "overdue", _("overdue")


class Reminder(models.Model):
    """A reminder sent once per instrument, kind and due date (Zhejiang 条例 Art. 18: remind users of instruments
    near the end of their period)."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    due = models.DateField(_("due"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    emailed_to = models.CharField(_("e-mailed to"), max_length=300, blank=True)

    objects = RestrictedManager()
    scope = INSTRUMENT_SCOPE

    class Meta:
        ordering = ["-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [models.UniqueConstraint(fields=["instrument", "kind", "due"], name="supervision_reminder_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.instrument_id} · {self.due}"


class NoticeStatus(models.TextChoices):
    OPEN = "open", _("open")
    COMPLIED = "complied", _("complied")
    LAPSED = "lapsed", _("deadline passed")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Notice(TimestampedModel):
    """A numbered notice to verify within a deadline (限期检定通知书) a county bureau issues to an owner."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    bureau_region = models.ForeignKey(Region, verbose_name=_("issuing bureau (region)"), on_delete=models.PROTECT,
                                      related_name="+")
    owner = models.ForeignKey(Organisation, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="supervision_notices")
    instruments = models.ManyToManyField(Instrument, verbose_name=_("instruments"), related_name="supervision_notices")
    issued_on = models.DateField(_("issued on"))
    deadline = models.DateField(_("verify by"))
    basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.OPEN)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    read_at = models.DateTimeField(_("read by the owner at"), null=True, blank=True)
    pdf = models.BinaryField(_("PDF"), blank=True, default=b"")

    objects = RestrictedManager()
    scope = ScopeSpec(region="owner__region", organisation="owner", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notice to verify")
        verbose_name_plural = _("notices to verify")

    def __str__(self) -> str:
        return self.number

    def audit_region_code(self) -> str | None:
        return self.owner.region_id if self.owner_id else None

    def audit_organisation_id(self) -> int | None:
        return self.owner_id


class FindingKind(models.TextChoices):
    CONFORMING = "conforming", _("conforming")
    SEAL_BROKEN = "seal_broken", _("seal broken")
    UNVERIFIED = "unverified", _("never verified")
    OVERDUE = "overdue", _("overdue")
    FAILED_IN_USE = "failed_in_use", _("failed but in use")
    WRONG_USAGE = "wrong_usage", _("wrong usage")
    OTHER = "other", _("other")


class Finding(TimestampedModel):
    """What an inspector found on site about one instrument, and the measure ordered."""

    instrument = models.ForeignKey(Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT,
                                   related_name="supervision_findings")
    found_on = models.DateField(_("date"))
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspector"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("finding"), max_length=20, choices=FindingKind.choices)
    detail = models.TextField(_("details"), blank=True)
    measure = models.CharField(_("measure ordered"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    notice = models.ForeignKey(Notice, verbose_name=_("notice"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="findings")
    campaign = models.ForeignKey("Campaign", verbose_name=_("campaign"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="findings")
    target = models.ForeignKey("CampaignTarget", verbose_name=_("campaign target"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="findings")

    objects = RestrictedManager()
    scope = INSTRUMENT_SCOPE

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = _("on-site finding")
        verbose_name_plural = _("on-site findings")

    def __str__(self) -> str:
        return f"{self.instrument} · {self.get_kind_display()} · {self.found_on}"

    def audit_region_code(self) -> str | None:
        return self.instrument.region_id if self.instrument_id else None

    def audit_organisation_id(self) -> int | None:
        return self.instrument.owner_id if self.instrument_id else None


class FindingPhoto(models.Model):
    """One photo taken with a finding (JPEG or PNG, checked by its magic bytes; see notices.photo_type)."""

    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="photos")
    data = models.BinaryField(_("photo"))
    content_type = models.CharField(_("photo type"), max_length=40)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("finding photo")
        verbose_name_plural = _("finding photos")

    def __str__(self) -> str:
        return f"{self.finding_id} · {self.content_type}"


class CampaignTargetKind(models.TextChoices):
    OWNERS = "owners", _("owners")
    INSTRUMENTS = "instruments", _("instruments")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    DRAWN = "drawn", _("drawn")
    CLOSED = "closed", _("closed")


class Campaign(TimestampedModel):
    """A spot-check campaign (监督抽查, 双随机): its scope, the sample drawn from it and the inspectors.

    The draw is reproducible: the seed and the population (the sorted ids, packed and hashed) are kept, so anyone
    can draw again and get the same targets (campaigns.py)."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    bureau_region = models.ForeignKey(Region, verbose_name=_("organising bureau (region)"), on_delete=models.PROTECT,
                                      related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    regions = models.ManyToManyField(Region, verbose_name=_("regions"), blank=True, related_name="+",
                                     help_text=_("Empty: the bureau's whole region"))
    categories = models.ManyToManyField(InstrumentCategory, verbose_name=_("categories"), blank=True, related_name="+",
                                        help_text=_("Empty: every category"))
    owner_kinds = models.JSONField(_("owner kinds"), default=list, blank=True)
    usages = models.JSONField(_("usages"), default=list, blank=True)
    mandatory_only = models.BooleanField(_("mandatory verification only"), default=True)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    target_kind = models.CharField(_("draw"), max_length=12, choices=CampaignTargetKind.choices,
                                   default=CampaignTargetKind.INSTRUMENTS)
    sample_size = models.PositiveIntegerField(_("sample size"))
    min_per_county = models.PositiveIntegerField(_("at least per county"), default=0)
    exclude_own_county = models.BooleanField(_("inspectors never check their own county"), default=False)
    seed = models.CharField(_("seed"), max_length=64, blank=True)
    population_size = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_sha256 = models.CharField(_("population SHA-256"), max_length=64, blank=True)
    population_snapshot = models.BinaryField(_("population snapshot"), blank=True, default=b"")
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drawn by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)

    objects = RestrictedManager()
    scope = ScopeSpec(region="bureau_region", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("spot-check campaign")
        verbose_name_plural = _("spot-check campaigns")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The campaign ends before it starts.")})

    def audit_region_code(self) -> str | None:
        return self.bureau_region_id


class CampaignInspector(models.Model):
    """An inspector who may be assigned targets of a campaign, with the county they work in."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="inspectors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT,
                             related_name="+")
    county = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = _("campaign inspector")
        verbose_name_plural = _("campaign inspectors")
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="supervision_campaign_inspector_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.user}"


class TargetStatus(models.TextChoices):
    PENDING = "pending", _("to check")
    CHECKED = "checked", _("checked")
    UNREACHABLE = "unreachable", _("could not be checked")


class CampaignTarget(models.Model):
    """One owner or instrument drawn for a campaign, in draw order, with the inspector assigned."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="targets")
    position = models.PositiveIntegerField(_("draw order"))
    organisation = models.ForeignKey(Organisation, verbose_name=_("owner"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    instrument = models.ForeignKey(Instrument, verbose_name=_("instrument"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspector"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=TargetStatus.choices, default=TargetStatus.PENDING)

    class Meta:
        ordering = ["campaign", "position"]
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        constraints = [models.UniqueConstraint(fields=["campaign", "position"], name="supervision_target_position")]

    def __str__(self) -> str:
        return f"{self.campaign_id} #{self.position}"


class ComplaintKind(models.TextChoices):
    SHORT_MEASURE = "short_measure", _("short weight or measure")
    NOT_VERIFIED = "not_verified", _("not verified or overdue")
    TAMPERED = "tampered", _("seal broken or tampered with")
    OTHER = "other", _("other")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("not accepted")
    CLOSED = "closed", _("closed")


class Complaint(TimestampedModel):
    """A complaint from the public about one instrument, made on its public page (/i/<code>), for the county
    bureau of the instrument's location, which decides within 7 working days whether to accept it (SAMR Order 20,
    Art. 14; shared/reference/supervision-integrity-licensing.md §3.3)."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    instrument = models.ForeignKey(Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT,
                                   related_name="complaints")
    region = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("about"), max_length=20, choices=ComplaintKind.choices)
    text = models.TextField(_("what happened"), max_length=2000)
    contact = models.CharField(_("contact (optional)"), max_length=100, blank=True)
    decide_by = models.DateField(_("decide by"))
    status = models.CharField(_("status"), max_length=10, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.RECEIVED)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="region", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.number

    def audit_region_code(self) -> str | None:
        return self.region_id
