"""The plan's indicators as data (docs/kpi.md).

* :class:`Plan` (a development plan: issuer, period, document number) has :class:`Indicator` rows, each with its
  code, names, definition, unit, direction, source (computed by a registered :class:`~jiliang.core.extending.
  IndicatorSource`, or entered with evidence) and :class:`Target` rows by region and year.
* :class:`EnteredValue`: a value a bureau enters, with its evidence (document number, date, attachment).
* :class:`Snapshot`: the value of an indicator for a region at a month's end, written once and never changed
  (an evaluation reads the snapshot of its date, so later changes to the data do not rewrite history).
* :class:`PlanDocument`: the small registry of regulations and technical specifications issued (indicator 1).
* :class:`EvaluationReport`: a mid-term, final or any-date evaluation, internal or public.

Plans, targets and entered values are the provincial bureau's (a city bureau enters its own city's values);
everyone with a bureau role reads the plan and the targets of their own region and of the province.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiliang.core.models import Region, RestrictedManager, TimestampedModel
from jiliang.core.roles import Role
from jiliang.core.scoping import ScopeSpec

NO_GENERIC_WRITES = frozenset()  # changed through kpi.services only
PROVINCE_WRITES = frozenset({Role.PROVINCIAL_BUREAU})


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class SourceKind(models.TextChoices):
    COMPUTED = "computed", _("computed")
    ENTERED = "entered", _("entered")


class Plan(TimestampedModel):
    """A development plan with quantitative indicators (e.g. 《江苏省计量发展规划（2014－2020年）》)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+",
                               help_text=_("the region the plan governs"))
    starts_on = models.DateField(_("period from"))
    ends_on = models.DateField(_("period to"))
    source = models.TextField(_("source"), blank=True, help_text=_("where the plan's text was read"))
    mid_term_on = models.DateField(_("mid-term evaluation date"), null=True, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(shared=True, write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if self.name_en and (get_language() or "").startswith("en") else self.name


class Indicator(models.Model):
    """One quantitative indicator of a plan (专栏1 item, or another target of the text)."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=20)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    group = models.CharField(_("group"), max_length=60, blank=True,
                             help_text=_("where the plan states it, e.g. 专栏1 or §十四"))
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300)
    definition = models.TextField(_("definition"))
    definition_en = models.TextField(_("English definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=20,
                            # xgettext:no-python-format
                            help_text=_("% for a share, otherwise what is counted"))
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.AT_LEAST)
    source_kind = models.CharField(_("source"), max_length=10, choices=SourceKind.choices)
    source_key = models.CharField(_("computed by"), max_length=80, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    entered_note = models.CharField(_("why entered"), max_length=300, blank=True,
                                    help_text=_("for an entered indicator: why it is not computed"))
    entered_note_en = models.CharField(_("why entered (English)"), max_length=300, blank=True)
    city_assessment = models.BooleanField(_("in city government assessment"), default=False)
    public = models.BooleanField(_("public"), default=True, help_text=_("shown in the public report"))

    objects = RestrictedManager()
    scope = ScopeSpec(shared=True, write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["plan", "position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="kpi_indicator_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "").startswith("en") else self.name

    @property
    def display_definition(self) -> str:
        from django.utils.translation import get_language

        return self.definition_en if self.definition_en and (get_language() or "").startswith("en") else self.definition

    @property
    def display_entered_note(self) -> str:
        from django.utils.translation import get_language

        en = (get_language() or "").startswith("en")
        return self.entered_note_en if self.entered_note_en and en else self.entered_note

    @property
    def is_share(self) -> bool:
        return self.unit == "%"


class Target(models.Model):
    """The value an indicator should reach in a region by the end of a year, and the baseline it starts from."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE,
                                  related_name="targets")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(pgettext_lazy("kpi", "target"), max_digits=14, decimal_places=4)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=4, null=True, blank=True)
    baseline_on = models.DateField(_("baseline date"), null=True, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="region", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["indicator", "region", "year"]
        verbose_name = pgettext_lazy("kpi", "target")
        verbose_name_plural = pgettext_lazy("kpi", "targets")
        constraints = [models.UniqueConstraint(fields=["indicator", "region", "year"], name="kpi_target_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.region_id} {self.year}: {self.value}"


def evidence_path(instance, filename: str) -> str:
    return f"kpi/evidence/{instance.indicator.plan.code}/{instance.indicator.code}/{filename}"


class EnteredValue(TimestampedModel):
    """A value of an entered indicator for a region on a date, with its evidence (a document the bureau can show)."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT,
                                  related_name="entered_values")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("as of"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    document_number = models.CharField(_("evidence document number"), max_length=100)
    document_date = models.DateField(_("evidence document date"))
    attachment = models.FileField(_("evidence"), upload_to=evidence_path, max_length=300)
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT,
                                   related_name="+")

    objects = RestrictedManager()
    scope = ScopeSpec(region="region", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["indicator", "region", "-on", "-pk"]
        verbose_name = _("entered value")
        verbose_name_plural = _("entered values")
        indexes = [models.Index(fields=["indicator", "region", "on"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.region_id} {self.on}: {self.value}"


class SnapshotState(models.TextChoices):
    OK = "ok", _("value")
    EMPTY = "empty", _("nothing to count")
    FAILED = "failed", pgettext_lazy("indicator status", "failed")
    MISSING = "missing", _("not entered")


class Snapshot(models.Model):
    """The value of an indicator for a region at the end of a day (a month's end), kept as it was computed or
    entered then. Written once: :meth:`save` refuses to change a stored snapshot."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT,
                                  related_name="snapshots")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("as of"))
    state = models.CharField(_("state"), max_length=10, choices=SnapshotState.choices)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6, null=True, blank=True,
                                help_text=_("in the indicator's unit (a share in %)"))
    numerator = models.DecimalField(_("numerator"), max_digits=20, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(_("denominator"), max_digits=20, decimal_places=4, null=True, blank=True)
    source_kind = models.CharField(_("source"), max_length=10, choices=SourceKind.choices)
    definition = models.CharField(_("definition"), max_length=300, blank=True)
    version = models.CharField(_("definition version"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    reason = models.CharField(_("reason of failure"), max_length=500, blank=True)
    evidence = models.ForeignKey(EnteredValue, verbose_name=_("entered value"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    taken_at = models.DateTimeField(_("taken at"), auto_now_add=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="region", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["indicator", "region", "on"]
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        constraints = [models.UniqueConstraint(fields=["indicator", "region", "on"], name="kpi_snapshot_unique")]
        indexes = [models.Index(fields=["on", "region"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.region_id} {self.on}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("A snapshot is kept as it was taken and cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A snapshot is kept as it was taken and cannot be deleted."))


class DocumentKind(models.TextChoices):
    """What indicator 1 counts (专栏1 item 1)."""

    REGULATION = "regulation", _("local regulation")
    MEASURES = "measures", _("government measures")
    NORMATIVE = "normative", _("normative document")
    TECHNICAL_SPEC = "technical_spec", _("local metrology technical specification")


class PlanDocument(TimestampedModel):
    """A regulation, measures, normative document or local technical specification issued (indicator 1)."""

    number = models.CharField(_("document number"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    issuer = models.CharField(_("issuer"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    revision = models.BooleanField(_("revision"), default=False, help_text=_("a revision of an earlier text"))
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+",
                               help_text=_("the region where it applies"))
    file = models.FileField(_("file"), upload_to="kpi/documents/", max_length=300, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(shared=True, write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        constraints = [models.UniqueConstraint(fields=["number"], name="kpi_document_unique_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ReportKind(models.TextChoices):
    MID_TERM = "mid_term", _("mid-term evaluation")
    FINAL = "final", _("final evaluation")
    OTHER = "other", _("evaluation at a date")


class EvaluationReport(TimestampedModel):
    """An evaluation of a plan as of a date, as PDF and Excel, internal or public (without internal data)."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    on = models.DateField(_("as of"))
    public = models.BooleanField(_("public version"), default=False)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField(_("PDF"), upload_to="kpi/reports/", max_length=300, blank=True)
    xlsx = models.FileField(_("Excel"), upload_to="kpi/reports/", max_length=300, blank=True)
    job = models.ForeignKey("core.Job", verbose_name=_("job"), on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    published_on = models.DateField(_("published on"), null=True, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="region", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-on", "-pk"]
        verbose_name = _("evaluation report")
        verbose_name_plural = _("evaluation reports")

    def __str__(self) -> str:
        return f"{self.plan} {self.get_kind_display()} {self.on}"
