"""Livelihood metering (民生计量): markets, free verification and household meters.

* **Markets** (集贸市场): the operator registers its traders' stalls and the scales on them centrally, and the
  public fair scales (公平秤) (Zhejiang 条例 Art. 29). Each market keeps the five unifications (五统一: 统一配置、
  统一管理、统一检定、统一维修、统一轮换, plan 专栏10) as a checklist with evidence.
* **Free verification** (计量惠民): a verification event done free of charge under a programme the provincial
  bureau names (markets, rural clinics, others), with the fee waived (Zhejiang Art. 22; plan 专栏10).
* **Household meters** (民用三表): each is an instrument of the registry (so it has its code, its status and its
  public page) with a profile here: kind, size, batch, place, first verification and rotation deadline
  (service_life.py). Utilities register them in bulk; batches keep their first-verification statistics
  (batch_stats.py); transformer areas (台区) group electricity meters for error estimation (area_errors.py).

Every record is scoped like the organisation it belongs to: the market's operator or the utility, and the region.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Region, RegistryModel, RestrictedManager, TimestampedModel
from jiliang.core.roles import BUREAU_ROLES, Role
from jiliang.core.scoping import ScopeSpec
from jiliang.registry.models import Instrument, Organisation

from . import service_life

NO_GENERIC_WRITES = frozenset()  # changed through services only
OPERATOR_WRITES = frozenset({*BUREAU_ROLES, Role.ENTERPRISE})


# ---------------------------------------------------------------- markets


class Market(RegistryModel):
    """A market (集贸市场) run by an operator organisation, in a region."""

    operator = models.ForeignKey(Organisation, verbose_name=_("operator"), on_delete=models.PROTECT,
                                 related_name="markets")
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=300, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    scope = ScopeSpec(region="region", organisation="operator", write_roles=OPERATOR_WRITES,
                      add_roles=OPERATOR_WRITES, delete_roles=frozenset())

    class Meta:
        ordering = ["region", "name"]
        verbose_name = _("market")
        verbose_name_plural = _("markets")
        constraints = [models.UniqueConstraint(fields=["operator", "name"], name="market_unique_name_per_operator")]

    def __str__(self) -> str:
        return self.name


class Stall(RegistryModel):
    """A trader's stall (摊位) in a market."""

    market = models.ForeignKey(Market, verbose_name=_("market"), on_delete=models.CASCADE, related_name="stalls")
    number = models.CharField(_("stall number"), max_length=30)
    trader = models.CharField(_("trader"), max_length=100, help_text=_("name of the stall holder or their shop"))
    trader_uscc = models.CharField(_("trader's unified social credit code"), max_length=18, blank=True)
    goods = models.CharField(_("goods sold"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    scope = ScopeSpec(region="market__region", organisation="market__operator", write_roles=OPERATOR_WRITES,
                      add_roles=OPERATOR_WRITES, delete_roles=OPERATOR_WRITES)

    class Meta:
        ordering = ["market", "number"]
        verbose_name = _("stall")
        verbose_name_plural = _("stalls")
        constraints = [models.UniqueConstraint(fields=["market", "number"], name="stall_unique_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.trader}"


class MarketScale(TimestampedModel):
    """A scale registered in a market: on one stall, or a public fair scale (公平秤) of the market.

    The instrument is the primary key, so one scale is never registered to two stalls."""

    instrument = models.OneToOneField(Instrument, verbose_name=_("instrument"), primary_key=True,
                                      on_delete=models.CASCADE, related_name="market_scale")
    market = models.ForeignKey(Market, verbose_name=_("market"), on_delete=models.CASCADE, related_name="scales")
    stall = models.ForeignKey(Stall, verbose_name=_("stall"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="scales")
    fair_scale = models.BooleanField(_("public fair scale"), default=False)
    registered_on = models.DateField(_("registered on"))

    objects = RestrictedManager()
    scope = ScopeSpec(region="market__region", organisation="market__operator", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["market", "stall__number"]
        verbose_name = _("market scale")
        verbose_name_plural = _("market scales")
        constraints = [
            models.CheckConstraint(condition=models.Q(fair_scale=True, stall__isnull=True)
                                   | models.Q(fair_scale=False, stall__isnull=False),
                                   name="market_scale_stall_or_fair"),
        ]

    def __str__(self) -> str:
        return f"{self.market} · {self.stall or _('fair scale')}"

    def clean(self) -> None:
        if self.fair_scale and self.stall_id:
            raise ValidationError({"stall": _("A public fair scale belongs to the market, not to a stall.")})
        if not self.fair_scale and not self.stall_id:
            raise ValidationError({"stall": _("Name the stall the scale is used on, or mark it a fair scale.")})
        if self.stall_id and self.market_id and self.stall.market_id != self.market_id:
            raise ValidationError({"stall": _("The stall is in another market.")})

    def audit_region_code(self) -> str | None:
        return self.market.region_id

    def audit_organisation_id(self) -> int | None:
        return self.market.operator_id


class Unification(models.TextChoices):
    """The five unifications of market scales (五统一, plan 专栏10)."""

    CONFIGURATION = "configuration", _("unified supply")
    MANAGEMENT = "management", _("unified management")
    VERIFICATION = "verification", _("unified verification")
    REPAIR = "repair", _("unified repair")
    ROTATION = "rotation", _("unified rotation")


class UnificationCheck(TimestampedModel):
    """One of a market's five unifications, met or not, with its evidence: who supplies, who maintains, the batch
    verification date, the rotation plan, and a document."""

    market = models.ForeignKey(Market, verbose_name=_("market"), on_delete=models.CASCADE,
                               related_name="unifications")
    item = models.CharField(_("item"), max_length=20, choices=Unification.choices)
    met = models.BooleanField(_("met"), default=False)
    responsible = models.CharField(_("responsible party"), max_length=200, blank=True,
                                   help_text=_("who supplies, manages, verifies, repairs or rotates the scales"))
    detail = models.TextField(_("evidence"), blank=True)
    evidence_date = models.DateField(_("date of the evidence"), null=True, blank=True,
                                     help_text=_("e.g. the batch verification date, the date of the rotation plan"))
    document = models.FileField(_("document"), upload_to="livelihood/unifications/%Y/", blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    checked_on = models.DateField(_("checked on"), null=True, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="market__region", organisation="market__operator", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["market", "item"]
        verbose_name = _("five-unifications item")
        verbose_name_plural = _("five-unifications items")
        constraints = [models.UniqueConstraint(fields=["market", "item"], name="unification_once_per_market")]

    def __str__(self) -> str:
        return f"{self.market} · {self.get_item_display()}"

    def audit_region_code(self) -> str | None:
        return self.market.region_id

    def audit_organisation_id(self) -> int | None:
        return self.market.operator_id


# ---------------------------------------------------------------- free verification


class ProgrammeKind(models.TextChoices):
    MARKET = "market", _("markets")
    RURAL_CLINIC = "rural_clinic", _("rural clinics")
    OTHER = "other", _("other")


class FreeProgramme(RegistryModel):
    """A free-verification programme (计量惠民) the provincial bureau names: whose verifications are free."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ProgrammeKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", help_text=_("empty: the whole province"))
    basis = models.CharField(_("basis"), max_length=300, blank=True,
                             help_text=_("the document that funds the programme"))
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    categories = models.ManyToManyField(
        "registry.InstrumentCategory", verbose_name=_("categories"), blank=True, related_name="+",
        help_text=_("empty: every category (free_scope.py); a programme of kind other names categories or owners"))
    owners = models.ManyToManyField(
        Organisation, verbose_name=_("named owners"), blank=True, related_name="free_programmes",
        help_text=_("empty: every owner the kind's rule covers; otherwise only these"))

    scope = ScopeSpec(shared=True, write_roles=frozenset({Role.PROVINCIAL_BUREAU}))

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("free-verification programme")
        verbose_name_plural = _("free-verification programmes")

    def __str__(self) -> str:
        return self.name


class FreeVerification(TimestampedModel):
    """A verification event done free of charge under a programme, with the fee waived (yuan)."""

    event = models.OneToOneField("supervision.VerificationEvent", verbose_name=_("verification event"),
                                 primary_key=True, on_delete=models.CASCADE, related_name="free_verification")
    programme = models.ForeignKey(FreeProgramme, verbose_name=_("programme"), on_delete=models.PROTECT,
                                  related_name="verifications")
    fee_waived = models.DecimalField(_("fee waived (yuan)"), max_digits=10, decimal_places=2, null=True,
                                     blank=True, validators=[MinValueValidator(0)],
                                     help_text=_("empty: not known yet (attached from a reported record, no fee "
                                                 "in the schedule)"))
    fee_basis = models.CharField(_("fee basis"), max_length=200, blank=True,
                                 help_text=_("the fee schedule item the waived fee comes from"))
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("marked by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    objects = RestrictedManager()
    scope = ScopeSpec(region="event__instrument__region", organisation="event__instrument__owner",
                      write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-event"]
        verbose_name = _("free verification")
        verbose_name_plural = _("free verifications")

    def __str__(self) -> str:
        return f"{self.event} · {self.programme}"

    def audit_region_code(self) -> str | None:
        return self.event.instrument.region_id

    def audit_organisation_id(self) -> int | None:
        return self.event.instrument.owner_id


class FeeScheduleItem(TimestampedModel):
    """The verification fee of one instrument category as the provincial bureau keeps it, used as the fee waived
    when a free verification is marked without one. The amounts are the bureau's to enter (from the province's
    fee document); jiliang ships none."""

    category = models.OneToOneField("registry.InstrumentCategory", verbose_name=_("category"),
                                    on_delete=models.PROTECT, related_name="+")
    fee = models.DecimalField(_("fee per unit (yuan)"), max_digits=10, decimal_places=2,
                              validators=[MinValueValidator(0)])
    basis = models.CharField(_("basis"), max_length=300, help_text=_("the fee document and its item"))

    objects = RestrictedManager()
    scope = ScopeSpec(shared=True, write_roles=frozenset({Role.PROVINCIAL_BUREAU}))

    class Meta:
        ordering = ["category"]
        verbose_name = _("verification fee")
        verbose_name_plural = _("verification fee schedule")

    def __str__(self) -> str:
        return f"{self.category} {self.fee}"


# ---------------------------------------------------------------- household meters


class MeterKind(models.TextChoices):
    WATER = service_life.WATER, _("water meter")
    GAS = service_life.GAS, _("gas meter")
    ELECTRICITY = service_life.ELECTRICITY, _("electricity meter")


class GasKind(models.TextChoices):
    NATURAL = service_life.NATURAL, _("natural gas")
    MANUFACTURED = service_life.MANUFACTURED, _("manufactured gas")
    LPG = service_life.LPG, _("liquefied petroleum gas")
    NONE = "", _("not a gas meter")


class MeterBatch(TimestampedModel):
    """A batch of household meters first-verified together, with the batch statistics (batch_stats.py)."""

    utility = models.ForeignKey(Organisation, verbose_name=_("utility"), on_delete=models.PROTECT,
                                related_name="meter_batches")
    number = models.CharField(_("batch number"), max_length=60)
    kind = models.CharField(_("meter kind"), max_length=12, choices=MeterKind.choices)
    manufacturer = models.CharField(_("manufacturer"), max_length=200)
    model = models.CharField(_("model"), max_length=100, blank=True)
    declared_count = models.PositiveIntegerField(_("meters in the batch"))
    institution = models.ForeignKey(Organisation, verbose_name=_("verifying institution"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    verified_on = models.DateField(_("first verified on"), null=True, blank=True)
    flows = models.JSONField(_("test flows"), default=list, blank=True,
                             help_text=_("labels of the test flows or load points, e.g. Q1, Q2, Q3"))
    statistics = models.JSONField(_("batch statistics"), default=dict, blank=True)
    biased = models.BooleanField(_("mean error significantly non-zero"), default=False)
    passed = models.PositiveIntegerField(_("passed"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)

    objects = RestrictedManager()
    scope = ScopeSpec(region="utility__region", organisation="utility", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-verified_on", "-id"]
        verbose_name = _("meter batch")
        verbose_name_plural = _("meter batches")
        constraints = [models.UniqueConstraint(fields=["utility", "number"], name="meter_batch_unique_number")]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_kind_display()})"

    def audit_region_code(self) -> str | None:
        return self.utility.region_id

    def audit_organisation_id(self) -> int | None:
        return self.utility_id


class TransformerArea(TimestampedModel):
    """A transformer area (台区): the electricity meters behind one distribution transformer and the area's own
    meter (台区总表), whose energies should balance up to line losses (area_errors.py)."""

    utility = models.ForeignKey(Organisation, verbose_name=_("utility"), on_delete=models.PROTECT,
                                related_name="transformer_areas")
    code = models.CharField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    area_meter = models.OneToOneField(Instrument, verbose_name=_("area meter"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="transformer_area")

    objects = RestrictedManager()
    scope = ScopeSpec(region="region", organisation="utility", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["utility", "code"]
        verbose_name = _("transformer area")
        verbose_name_plural = _("transformer areas")
        constraints = [models.UniqueConstraint(fields=["utility", "code"], name="transformer_area_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def audit_region_code(self) -> str | None:
        return self.region_id

    def audit_organisation_id(self) -> int | None:
        return self.utility_id


class FirstResult(models.TextChoices):
    PASS = "pass", _("passed")
    FAIL = "fail", _("failed")
    NONE = "", _("not yet verified")


class HouseholdMeter(models.Model):
    """A household water, gas or electricity meter (民用三表): the registry instrument's livelihood profile.

    ``region`` and ``utility`` repeat the instrument's region and owner so the rotation lists (by utility or
    county and quarter) read one table by index. ``rotation_due`` is the last day of the service life counted
    from the first verification (service_life.Rule.rotation_due)."""

    instrument = models.OneToOneField(Instrument, verbose_name=_("instrument"), primary_key=True,
                                      on_delete=models.CASCADE, related_name="household_meter")
    # (db_index=False: household_utility_due and household_region_due lead with these; see registry.Instrument)
    utility = models.ForeignKey(Organisation, verbose_name=_("utility"), on_delete=models.PROTECT,
                                related_name="household_meters", db_index=False)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    kind = models.CharField(_("meter kind"), max_length=12, choices=MeterKind.choices)
    size = models.CharField(_("size"), max_length=10, blank=True, help_text=_("DN of a water meter, G of a gas meter"))
    gas_kind = models.CharField(_("gas kind"), max_length=12, choices=GasKind.choices, blank=True)
    accuracy_class = models.CharField(_("accuracy class"), max_length=10, blank=True)
    rule = models.CharField(_("regulation row"), max_length=60,
                            help_text=_("the catalogue entry whose service life applies"))
    service_life_years = models.PositiveSmallIntegerField(_("service life (years)"),
                                                          validators=[MinValueValidator(1), MaxValueValidator(30)])
    batch = models.ForeignKey(MeterBatch, verbose_name=_("batch"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="meters")
    area = models.ForeignKey(TransformerArea, verbose_name=_("transformer area"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="meters")
    account_area = models.CharField(_("account area"), max_length=200, blank=True,
                                    help_text=_("the utility's area or account reference; no personal data"))
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    first_verified_on = models.DateField(_("first verified on"), null=True, blank=True)
    first_result = models.CharField(_("first verification"), max_length=4, choices=FirstResult.choices, blank=True)
    first_errors = models.JSONField(_("errors at the test flows (%)"), default=dict, blank=True)
    rotation_due = models.DateField(_("rotate by"), null=True, blank=True)
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    replaced_by = models.OneToOneField("self", verbose_name=_("replaced by"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="replaces")

    objects = RestrictedManager()
    scope = ScopeSpec(region="region", organisation="utility", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["rotation_due", "instrument"]
        verbose_name = _("household meter")
        verbose_name_plural = _("household meters")
        indexes = [
            models.Index(fields=["utility", "rotation_due"], name="household_utility_due"),
            models.Index(fields=["region", "rotation_due"], name="household_region_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.instrument_id}"

    def audit_region_code(self) -> str | None:
        return self.region_id

    def audit_organisation_id(self) -> int | None:
        return self.utility_id


class RotationPublication(TimestampedModel):
    """A county bureau's decision to publish a quarter's rotation list (到期轮换清单) on its public page."""

    region = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn = models.BooleanField(_("withdrawn"), default=False)

    objects = RestrictedManager()
    scope = ScopeSpec(region="region", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-year", "-quarter", "region"]
        verbose_name = _("published rotation list")
        verbose_name_plural = _("published rotation lists")
        constraints = [models.UniqueConstraint(fields=["region", "year", "quarter"], name="rotation_publication_once")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}Q{self.quarter}"

    def audit_region_code(self) -> str | None:
        return self.region_id


class AreaEstimate(TimestampedModel):
    """One run of the transformer-area error estimation (area_errors.py): the days used, the model, and per meter
    the estimated relative error with its standard uncertainty and whether it exceeds the meter's MPE."""

    area = models.ForeignKey(TransformerArea, verbose_name=_("transformer area"), on_delete=models.CASCADE,
                             related_name="estimates")
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    days = models.PositiveIntegerField(_("days used"))
    method = models.CharField(_("method"), max_length=200)
    line_loss = models.JSONField(_("line loss estimate"), default=dict, blank=True)
    results = models.JSONField(_("per-meter results"), default=list, blank=True)
    flagged = models.PositiveIntegerField(_("meters flagged"), default=0)
    residual_sd = models.FloatField(_("residual standard deviation"), null=True, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="area__region", organisation="area__utility", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("transformer-area error estimate")
        verbose_name_plural = _("transformer-area error estimates")

    def __str__(self) -> str:
        return f"{self.area} {self.first_day}–{self.last_day}"

    def audit_region_code(self) -> str | None:
        return self.area.region_id

    def audit_organisation_id(self) -> int | None:
        return self.area.utility_id
