"""Verification and calibration records: work orders, results, certificates, signing keys, our standards' calibrations.

A work order (委托单) is an owner's request to an institute; it carries one item per instrument. The
institute measures each item (:class:`MeasurementResult` with :class:`TestPointResult` rows), a second
person checks (核验), a third approves (批准), and one certificate per item is issued (JJF 1069-2012
6.3: three signatures; JJG 1002 / JJF 1071 forms of 检定证书, 检定结果通知书, 校准证书). Every change goes
through :mod:`jiliang.verification.services`, never ``save()`` from a view.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiliang.core.formatting import outcome_label
from jiliang.core.models import TimestampedModel
from jiliang.core.scoping import RestrictedManager, RestrictedQuerySet, ScopeSpec
from jiliang.registry.models import Instrument, MeasurementStandard, Organisation, Person

# Workflow records change only through services (write_roles empty: the generic edit pages and the
# generic API write paths refuse everyone but superusers; the services check roles themselves).
NO_GENERIC_WRITES = frozenset()


class WorkKind(models.TextChoices):
    VERIFICATION = "verification", _("verification")
    CALIBRATION = "calibration", _("calibration")


class WorkLocation(models.TextChoices):
    LABORATORY = "laboratory", _("in the laboratory")
    ON_SITE = "on_site", _("on site")


class WorkStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    ACCEPTED = "accepted", _("accepted")
    SCHEDULED = "scheduled", _("scheduled")
    MEASURED = "measured", _("measured")
    CHECKED = "checked", _("checked")
    APPROVED = "approved", _("approved")
    ISSUED = "issued", _("certificates issued")
    DECLINED = "declined", _("declined")
    CANCELLED = "cancelled", _("cancelled")


OPEN_STATUSES = (WorkStatus.REQUESTED, WorkStatus.ACCEPTED, WorkStatus.SCHEDULED, WorkStatus.MEASURED,
                 WorkStatus.CHECKED, WorkStatus.APPROVED)


class DecisionRuleChoice(models.TextChoices):
    """ILAC-G8:09/2019 4.2.1 (simple, w = 0) and 4.2.2 (guarded, w = U)."""

    SIMPLE = "simple", _("simple acceptance (w = 0)")
    GUARDED = "guarded", _("guarded acceptance (w = U)")


class WorkOrder(TimestampedModel):
    """An owner's request for verification or calibration of its instruments by one institute."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    owner = models.ForeignKey(Organisation, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="work_orders")
    institute = models.ForeignKey(Organisation, verbose_name=_("institute"), on_delete=models.PROTECT,
                                  related_name="institute_work_orders")
    kind = models.CharField(_("kind"), max_length=20, choices=WorkKind.choices)
    location = models.CharField(_("where"), max_length=20, choices=WorkLocation.choices,
                                default=WorkLocation.LABORATORY)
    status = models.CharField(_("status"), max_length=20, choices=WorkStatus.choices, default=WorkStatus.REQUESTED,
                              db_index=True)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True,
                                     help_text=_("why the order was declined or cancelled"))
    requested_by = models.ForeignKey("core.User", verbose_name=_("requested by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    note = models.TextField(_("note"), blank=True)
    scheduled_date = models.DateField(_("scheduled date"), null=True, blank=True)
    technician = models.ForeignKey(Person, verbose_name=_("technician"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    checker = models.ForeignKey(Person, verbose_name=_("checker"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(Person, verbose_name=_("approver"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    measured_at = models.DateTimeField(_("measured at"), null=True, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="owner__region", organisation="owner", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [models.Index(fields=["institute", "status", "id"]), models.Index(fields=["owner", "id"])]

    def __str__(self) -> str:
        return self.number

    def audit_region_code(self) -> str | None:
        return self.owner.region_id if self.owner_id else None

    def audit_organisation_id(self) -> int | None:
        return self.owner_id

    @property
    def turnaround_days(self) -> float | None:
        """Days from the request to the issue of the certificates (or to now while open)."""
        if not self.requested_at:
            return None
        end = self.issued_at or self.closed_at
        if end is None:
            return None
        return round((end - self.requested_at).total_seconds() / 86400, 1)


class WorkOrderItem(models.Model):
    """One instrument of a work order, with the regulation edition (rules/data id) it is verified against."""

    work_order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE,
                                   related_name="items")
    instrument = models.ForeignKey(Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT,
                                   related_name="verification_items")
    regulation = models.CharField(_("regulation"), max_length=40, blank=True,
                                  help_text=_("rules data id, e.g. JJG539-2016; blank for a calibration by a method"))
    method = models.CharField(_("calibration method"), max_length=100, blank=True,
                              help_text=_("calibration specification, e.g. JJF 1847-2020"))
    stage = models.CharField(_("stage"), max_length=20, default="initial",
                             choices=[("initial", _("initial verification")),
                                      ("subsequent", _("subsequent verification")),
                                      ("in_service", _("in-service inspection"))])
    decision_rule = models.CharField(_("decision rule"), max_length=20, choices=DecisionRuleChoice.choices,
                                     default=DecisionRuleChoice.SIMPLE)
    attributes = models.JSONField(_("instrument attributes"), default=dict, blank=True,
                                  help_text=_("e.g. {\"class\": \"III\"}"))
    parameters = models.JSONField(_("instrument parameters"), default=dict, blank=True,
                                  help_text=_("e.g. {\"e\": {\"value\": \"5\", \"unit\": \"\\\\gram\"}}"))

    objects = RestrictedManager()
    scope = ScopeSpec(region="work_order__owner__region", organisation="work_order__owner",
                      write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["work_order_id", "id"]
        verbose_name = _("work order item")
        verbose_name_plural = _("work order items")

    def __str__(self) -> str:
        return f"{self.work_order.number} · {self.instrument}"

    @property
    def qualification_key(self) -> str:
        """What a signer must be qualified for: the regulation number, else the calibration method."""
        if self.regulation:
            from .rules import load_regulation

            return load_regulation(self.regulation).number
        return self.method


class MeasurementResult(TimestampedModel):
    """The measurement of one item: date, conditions, standards used and the decision of its points."""

    item = models.OneToOneField(WorkOrderItem, verbose_name=_("item"), on_delete=models.CASCADE,
                                related_name="result")
    measured_on = models.DateField(_("measured on"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=6, decimal_places=2, null=True, blank=True)
    humidity = models.DecimalField(_("relative humidity (%)"), max_digits=5, decimal_places=1, null=True, blank=True)
    standards = models.ManyToManyField(MeasurementStandard, verbose_name=_("standards used"),
                                       related_name="used_in_results")
    technician = models.ForeignKey(Person, verbose_name=_("technician"), on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, blank=True,
                               help_text=_("pass, fail or conditional; blank for a calibration without a statement"))
    decision = models.JSONField(_("decision"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="item__work_order__owner__region", organisation="item__work_order__owner",
                      write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("measurement result")
        verbose_name_plural = _("measurement results")

    def __str__(self) -> str:
        return f"{self.item} @ {self.measured_on}"

    @property
    def outcome_label(self) -> str:
        return outcome_label(self.outcome)


class TestPointResult(models.Model):
    """One test point: reference value, indication, error, conditions, and for calibration its uncertainty.

    Units are D-SI strings (``\\gram``, ``\\percent``), as the regulation files and the DCC write them.
    """

    __test__ = False

    result = models.ForeignKey(MeasurementResult, verbose_name=_("result"), on_delete=models.CASCADE,
                               related_name="points")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("test point"), max_length=40)
    quantities = models.JSONField(_("test quantities"), default=dict, blank=True,
                                  help_text=_("e.g. {\"m\": {\"value\": \"5\", \"unit\": \"\\\\kilogram\"}}"))
    attributes = models.JSONField(_("point attributes"), default=dict, blank=True)
    reference_value = models.DecimalField(_("reference value"), max_digits=24, decimal_places=9)
    indication = models.DecimalField(_("indication"), max_digits=24, decimal_places=9)
    unit = models.CharField(_("unit"), max_length=60)
    error = models.DecimalField(_("error"), max_digits=24, decimal_places=9)
    error_unit = models.CharField(_("unit of the error"), max_length=60)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=6, decimal_places=2, null=True, blank=True)
    humidity = models.DecimalField(_("relative humidity (%)"), max_digits=5, decimal_places=1, null=True, blank=True)
    expanded_uncertainty = models.DecimalField(_("expanded uncertainty U"), max_digits=24, decimal_places=9,
                                               null=True, blank=True)
    coverage_factor = models.DecimalField(_("coverage factor k"), max_digits=5, decimal_places=2, null=True,
                                          blank=True)
    budget = models.JSONField(_("uncertainty budget"), null=True, blank=True,
                              help_text=_("the budget of jiliang.uncertainty (Budget.to_dict())"))
    mpe = models.CharField(_("MPE"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, blank=True)

    class Meta:
        ordering = ["result_id", "position", "id"]
        verbose_name = _("test point result")
        verbose_name_plural = _("test point results")

    def __str__(self) -> str:
        return f"{self.label}: {self.error} {self.error_unit}"

    @property
    def outcome_label(self) -> str:
        return outcome_label(self.outcome)


class CertificateKind(models.TextChoices):
    VERIFICATION = "verification", _("verification certificate")  # 检定证书
    NONCONFORMITY = "nonconformity", _("notice of non-conformity")  # 检定结果通知书
    CALIBRATION = "calibration", _("calibration certificate")  # 校准证书


KIND_LETTER = {CertificateKind.VERIFICATION: "V", CertificateKind.NONCONFORMITY: "N",
               CertificateKind.CALIBRATION: "C"}


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("valid")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", _("revoked")
    SUPERSEDED = "superseded", _("superseded")


class SigningKey(TimestampedModel):
    """An institute's Ed25519 key for certificates; the private half is stored wrapped (see signing.py)."""

    institute = models.ForeignKey(Organisation, verbose_name=_("institute"), on_delete=models.PROTECT,
                                  related_name="signing_keys")
    key_id = models.CharField(_("key id"), max_length=32, unique=True,
                              help_text=_("first 16 bytes of SHA-256 of the raw public key, hex"))
    public_key = models.TextField(_("public key (PEM)"))
    private_key_wrapped = models.BinaryField(_("wrapped private key"))
    active = models.BooleanField(_("active"), default=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="institute__region", organisation="institute", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return f"{self.institute} · Ed25519 {self.key_id}"


class CertificateSequence(models.Model):
    """The last certificate sequence number of an institute in a year; locked while a number is taken."""

    institute = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institute", "year"], name="certificate_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.institute_id}/{self.year}: {self.last}"


# A verification's outcome (检定证书 or 检定结果通知书) stands until the instrument's next verification.
VERIFICATION_OUTCOMES = (CertificateKind.VERIFICATION, CertificateKind.NONCONFORMITY)


class CertificateQuerySet(RestrictedQuerySet):
    def with_effective_status(self, today: dt.date | None = None) -> CertificateQuerySet:
        """Annotates ``effective_status_code``: :meth:`Certificate.effective_status` in SQL, for filters and sorting."""
        today = today or timezone.localdate()
        later = Certificate.objects.filter(
            Q(issued_on__gt=OuterRef("issued_on")) | Q(issued_on=OuterRef("issued_on"), pk__gt=OuterRef("pk")),
            instrument_id=OuterRef("instrument_id"), kind__in=VERIFICATION_OUTCOMES,
        ).exclude(status=CertificateStatus.REVOKED)
        return self.annotate(effective_status_code=Case(
            When(~Q(status=CertificateStatus.VALID), then=F("status")),
            When(Q(kind__in=VERIFICATION_OUTCOMES) & Exists(later), then=Value(CertificateStatus.SUPERSEDED.value)),
            When(valid_until__lt=today, then=Value(CertificateStatus.EXPIRED.value)),
            default=Value(CertificateStatus.VALID.value), output_field=models.CharField()))


class CertificateManager(models.Manager.from_queryset(CertificateQuerySet)):
    pass


class Certificate(TimestampedModel):
    """An issued certificate: the signed canonical content, its PDF and its status.

    The number encodes the institute (its GB 11714 organisation code, characters 9-17 of the unified
    social credit code), the year and a sequence that never restarts within the year and is never
    reused, e.g. ``MA1234567-2026-V000042`` (V verification certificate, N notice of non-conformity,
    C calibration certificate).
    """

    number = models.CharField(_("number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CertificateKind.choices)
    item = models.ForeignKey(WorkOrderItem, verbose_name=_("work order item"), on_delete=models.PROTECT,
                             related_name="certificates")
    institute = models.ForeignKey(Organisation, verbose_name=_("institute"), on_delete=models.PROTECT,
                                  related_name="issued_certificates")
    owner = models.ForeignKey(Organisation, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="certificates")
    instrument = models.ForeignKey(Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT,
                                   related_name="certificates")
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until / next due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CertificateStatus.choices,
                              default=CertificateStatus.VALID)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    superseded_by = models.OneToOneField("self", verbose_name=_("superseded by"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="supersedes")
    content = models.JSONField(_("content"))
    signature = models.CharField(_("signature (Ed25519, base64)"), max_length=200)
    signing_key = models.ForeignKey(SigningKey, verbose_name=_("signing key"), on_delete=models.PROTECT,
                                    related_name="certificates")
    pdf = models.BinaryField(_("PDF"), editable=False)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64)
    check_code = models.CharField(
        _("check code"), max_length=16, blank=True, editable=False,
        help_text=_("printed on the certificate; the public check asks for it with the number"))

    objects = CertificateManager()
    scope = ScopeSpec(region="owner__region", organisation="owner", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [models.Index(fields=["institute", "issued_on"]), models.Index(fields=["instrument", "id"])]

    def __str__(self) -> str:
        return self.number

    def audit_region_code(self) -> str | None:
        return self.owner.region_id if self.owner_id else None

    def audit_organisation_id(self) -> int | None:
        return self.owner_id

    def effective_status(self, today: dt.date | None = None) -> str:
        """The one definition of a certificate's status, used by list, filter, API, public check and export.

        Revoked and superseded (by a corrected certificate) stand as recorded. A verification certificate or
        notice of non-conformity is superseded once a later one for the same instrument was issued (and not
        revoked): the instrument's latest verification decides, so a notice no longer reads "valid" after
        the repaired instrument passed. A valid certificate past its date is expired. Dates are Beijing's.
        :meth:`CertificateQuerySet.with_effective_status` is the same rule in SQL; rows annotated by it
        answer from the annotation.
        """
        if today is None and "effective_status_code" in self.__dict__:
            return self.__dict__["effective_status_code"]
        if self.status != CertificateStatus.VALID:
            return self.status
        if self.kind in VERIFICATION_OUTCOMES and self.pk and self.instrument_id and \
                Certificate.objects.filter(pk=self.pk).with_effective_status(today).filter(
                    effective_status_code=CertificateStatus.SUPERSEDED).exists():
            return CertificateStatus.SUPERSEDED
        today = today or timezone.localdate()
        if self.valid_until and self.valid_until < today:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID

    def get_effective_status_display(self) -> str:
        return str(CertificateStatus(self.effective_status()).label)


class CalibrationSource(models.TextChoices):
    INTERNAL = "internal", _("our calibration certificate")
    DCC = "dcc", _("imported Digital Calibration Certificate")
    MANUAL = "manual", _("entered from a paper certificate")


class StandardCalibration(TimestampedModel):
    """A calibration of one of our measurement standards (its link in the traceability chain)."""

    standard = models.ForeignKey(MeasurementStandard, verbose_name=_("standard"), on_delete=models.PROTECT,
                                 related_name="calibrations")
    certificate_no = models.CharField(_("certificate number"), max_length=100)
    laboratory = models.CharField(_("calibrating laboratory"), max_length=200)
    calibrated_on = models.DateField(_("calibrated on"))
    valid_until = models.DateField(_("valid until"))
    source = models.CharField(_("source"), max_length=20, choices=CalibrationSource.choices,
                              default=CalibrationSource.MANUAL)
    traceability = models.CharField(_("traceable to"), max_length=300, blank=True,
                                    help_text=_("e.g. national primary standard of mass (NIM)"))
    results = models.JSONField(_("results"), default=list, blank=True,
                               help_text=_("quantities with value, D-SI unit, U, k, p"))
    dcc_xml = models.TextField(_("DCC XML"), blank=True)
    certificate = models.ForeignKey(Certificate, verbose_name=_("our certificate"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="standard_calibrations")

    objects = RestrictedManager()
    scope = ScopeSpec(region="standard__institute__region", organisation="standard__institute",
                      write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-calibrated_on", "-id"]
        verbose_name = _("standard calibration")
        verbose_name_plural = _("standard calibrations")
        constraints = [models.UniqueConstraint(fields=["standard", "certificate_no"],
                                               name="standard_calibration_unique_certificate")]

    def __str__(self) -> str:
        return f"{self.standard} · {self.certificate_no}"

    def audit_region_code(self) -> str | None:
        return self.standard.institute.region_id

    def audit_organisation_id(self) -> int | None:
        return self.standard.institute_id

    def clean(self) -> None:
        if self.valid_until and self.calibrated_on and self.valid_until < self.calibrated_on:
            raise ValidationError({"valid_until": _("The calibration cannot expire before it was made.")})

    def covers(self, day: dt.date) -> bool:
        return self.calibrated_on <= day <= self.valid_until


class Notification(models.Model):
    """An in-app message to an organisation (the owner) about one of its work orders."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="notifications")
    work_order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(_("message"), max_length=500)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    emailed_to = models.CharField(_("e-mailed to"), max_length=200, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="organisation__region", organisation="organisation", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.message[:80]

