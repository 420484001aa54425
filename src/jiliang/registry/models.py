"""Registry models: who owns which instruments, who keeps which standards and reference materials, where."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiliang.core.bulk import existing
from jiliang.core.models import Region, RegistryModel
from jiliang.core.roles import BUREAU_ROLES, Role
from jiliang.core.scoping import RestrictedManager, RestrictedQuerySet, ScopeSpec

from . import codes
from .identity import IdentityError, normalise_gbw, validate_uscc

ALL_ROLES = frozenset(Role)
BUREAUS = frozenset(BUREAU_ROLES)
SUPERUSER_ONLY = frozenset()  # superusers pass every role check; nobody else


def referrers(obj: models.Model, limit: int = 20) -> list[models.Model]:
    """Records of any app that refer to ``obj`` (whatever their ``on_delete``), at most ``limit``. Rows that are
    only derived from the record and rebuilt from it (a model with ``derived_state = True``, e.g. supervision's
    per-instrument state) are not records of their own and do not count."""
    found: list[models.Model] = []
    for rel in obj._meta.related_objects:
        if len(found) >= limit:
            break
        if getattr(rel.related_model, "derived_state", False):
            continue
        found.extend(rel.related_model._base_manager.filter(**{rel.field.name: obj})[:limit - len(found)])
    return found


class UnreferencedDeleteMixin:
    """A record of the registry under law: deleted only while nothing at all refers to it.

    Deregistration (注销) is the ordinary end of such a record; deleting is for a superuser correcting an
    entry made in error, and must not null or cascade into other records (users, people, work orders).
    """

    def delete(self, *args, **kwargs):
        found = referrers(self)
        if found:
            raise ProtectedError(
                f"{self._meta.verbose_name} {self.pk} is referred to by other records; deregister it instead",
                found)
        return super().delete(*args, **kwargs)


class MeasurementDomain(models.TextChoices):
    """The ten measurement domains (十大计量), with medicine kept apart as is common."""

    LENGTH = "length", _("length")
    THERMAL = "thermal", _("thermal")
    MECHANICS = "mechanics", _("mechanics")
    ELECTROMAGNETISM = "electromagnetism", _("electromagnetism")
    RADIO = "radio", _("radio")
    TIME_FREQUENCY = "time_frequency", _("time and frequency")
    OPTICS = "optics", _("optics")
    ACOUSTICS = "acoustics", _("acoustics")
    IONISING_RADIATION = "ionising_radiation", _("ionising radiation")
    CHEMISTRY = "chemistry", _("chemistry")
    MEDICAL = "medical", _("medical")


class OrganisationKind(models.TextChoices):
    BUREAU = "bureau", _("market supervision bureau")
    INSTITUTE = "institute", _("metrology institute")
    AUTHORISED = "authorised", _("authorised institution")
    ENTERPRISE = "enterprise", _("enterprise")
    MARKET = "market", _("market")
    HOSPITAL = "hospital", _("hospital or clinic")
    FUEL_STATION = "fuel_station", _("fuel station")
    UTILITY = "utility", _("utility (water, power or gas)")
    OPTICIAN = "optician", _("optician")
    SCHOOL = "school", _("school")
    OTHER = "other", _("other")


# Kinds whose users work as a metrology institute (keep standards, verify instruments).
INSTITUTE_KINDS = frozenset({OrganisationKind.INSTITUTE, OrganisationKind.AUTHORISED})


class MMSStatus(models.TextChoices):
    """Measurement management system (GB/T 19022) status of an organisation."""

    NONE = "none", _("none")
    ESTABLISHED = "established", _("established")
    CERTIFIED = "certified", _("certified")


class Designation(models.Model):
    """A designation an organisation can hold (KPIs 5, 6 and 9 count them)."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)

    objects = RestrictedManager()
    scope = ScopeSpec(shared=True, write_roles=frozenset())

    class Meta:
        ordering = ["code"]
        verbose_name = _("designation")
        verbose_name_plural = _("designations")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "").startswith("en") else self.name


class Organisation(UnreferencedDeleteMixin, RegistryModel):
    """An organisation of the metrology system, identified by its unified social credit code."""

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True,
        help_text=_("18 characters, GB 32100; the last one is a check character"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    designations = models.ManyToManyField(Designation, verbose_name=_("designations"), blank=True,
                                          related_name="organisations")
    mms_status = models.CharField(_("measurement management system"), max_length=20, choices=MMSStatus.choices,
                                  default=MMSStatus.NONE, help_text=_("GB/T 19022 status"))
    mms_certificate = models.CharField(_("MMS certificate number"), max_length=100, blank=True)
    mms_valid_until = models.DateField(_("MMS certificate valid until"), null=True, blank=True)
    deregistered_on = models.DateField(_("deregistered on"), null=True, blank=True, editable=False)
    deregistration_reason = models.CharField(_("reason for deregistration"), max_length=300, blank=True,
                                             editable=False)

    # One answer, wherever the registered one is (core.identities).
    identity_fields = ("uscc",)
    identity_taken_message = _("This unified social credit code cannot be registered again. If the organisation is "
                               "yours, contact your market supervision bureau.")

    # The regulatory record (where it is supervised, what it is, what it holds) is the bureaus' to write.
    scope = ScopeSpec(region="region", organisation="pk", write_roles=ALL_ROLES, add_roles=BUREAUS,
                      delete_roles=SUPERUSER_ONLY,
                      authority_fields=frozenset({"region", "kind", "designations", "mms_status", "mms_certificate",
                                                  "mms_valid_until", "deregistered_on", "deregistration_reason"}))

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["region", "kind"])]

    def __str__(self) -> str:
        return self.name

    def prepare_for_save(self) -> None:
        try:  # the identity is compared as registered (core.identities); clean() reports an invalid code
            self.uscc = validate_uscc(self.uscc)
        except IdentityError:
            pass

    def clean(self) -> None:
        try:
            self.uscc = validate_uscc(self.uscc)
        except IdentityError as exc:
            raise ValidationError({"uscc": exc.translated(gettext)}) from exc
        if self.mms_status == MMSStatus.CERTIFIED and not self.mms_certificate:
            raise ValidationError({"mms_certificate": _("A certified measurement management system needs its certificate number.")})
        if self.deregistered_on and not self.deregistration_reason.strip():
            raise ValidationError({"deregistration_reason": _("Say why the organisation is deregistered.")})

    @property
    def is_deregistered(self) -> bool:
        return self.deregistered_on is not None

    @property
    def is_institute(self) -> bool:
        return self.kind in INSTITUTE_KINDS


class MetrologistLevel(models.TextChoices):
    LEVEL_1 = "1", _("registered metrologist, level 1")
    LEVEL_2 = "2", _("registered metrologist, level 2")


class Person(RegistryModel):
    """A person of an organisation, with their registered metrologist (注册计量师) certificate if any."""

    name = models.CharField(_("name"), max_length=100)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="people")
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.OneToOneField("core.User", verbose_name=_("user account"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="person")
    metrologist_certificate = models.CharField(_("metrologist certificate number"), max_length=50, blank=True)
    metrologist_level = models.CharField(_("metrologist level"), max_length=1, choices=MetrologistLevel.choices,
                                         blank=True)
    qualified_items = models.TextField(
        _("qualified items"), blank=True,
        help_text=_("Verification items the certificate covers, one per line (regulation number, e.g. JJG 539)"),
    )
    certificate_valid_from = models.DateField(_("certificate valid from"), null=True, blank=True)
    certificate_valid_until = models.DateField(_("certificate valid until"), null=True, blank=True)

    # The registered metrologist certificate is issued by the bureau; the employer keeps only the staff record.
    scope = ScopeSpec(region="organisation__region", organisation="organisation",
                      authority_fields=frozenset({"metrologist_certificate", "metrologist_level", "qualified_items",
                                                  "certificate_valid_from", "certificate_valid_until"}))

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        _check_validity(self, "certificate_valid_from", "certificate_valid_until")
        if self.metrologist_certificate and not self.metrologist_level:
            raise ValidationError({"metrologist_level": _("Give the level of the metrologist certificate.")})
        # A person signs from their own account, which must be an account of the same organisation.
        if self.user_id and self.organisation_id and self.user.organisation_id != self.organisation_id:
            raise ValidationError({"user": _("The account %(user)s belongs to another organisation than %(person)s.")
                                   % {"user": self.user.username, "person": self.name}})



    def qualified_for(self, regulation: str, on_date) -> bool:
        """Whether the certificate is valid on ``on_date`` and covers ``regulation`` (e.g. 'JJG 539')."""
        if not self.metrologist_certificate or not self.certificate_valid_until:
            return False
        if self.certificate_valid_from and on_date < self.certificate_valid_from:
            return False
        if on_date > self.certificate_valid_until:
            return False
        wanted = _regulation_key(regulation)
        return any(_regulation_key(line) == wanted for line in self.qualified_items.splitlines() if line.strip())


def _regulation_key(text: str) -> str:
    # 'JJG 539-2016', 'JJG539' and 'jjg 539' name the same regulation for qualification purposes.
    head = text.strip().upper().replace(" ", "")
    return head.split("-")[0]


def _check_validity(obj, start: str, end: str) -> None:
    a, b = getattr(obj, start), getattr(obj, end)
    if a and b and b < a:
        raise ValidationError({end: _("The end of validity (%(end)s) is before its start (%(start)s).")
                               % {"end": b, "start": a}})


class SupervisionMode(models.TextChoices):
    """监管方式 of the catalogue (SAMR 2020 No. 42; letters as in 2019 No. 48)."""

    P = "P", _("pattern approval")
    V = "V", _("mandatory verification")
    PV = "P+V", _("pattern approval and mandatory verification")
    NONE = "", _("not under legal control")


class VerificationMode(models.TextChoices):
    """强检方式 (SAMR 2020 No. 42 item 4)."""

    PERIODIC = "periodic", _("periodic verification")
    FIRST_ONLY_ROTATE = "first_only_rotate", _("initial verification only, limited use, rotate at expiry")
    FIRST_ONLY_SCRAP = "first_only_scrap", _("initial verification only, scrap when inaccurate")
    NONE = "", _("not fixed")


class Confidence(models.TextChoices):
    HIGH = "H", _("high: two sources or a primary source")
    MEDIUM = "M", _("medium: one credible source")
    LOW = "L", _("low: weak source or memory")


class InstrumentCategory(RegistryModel):
    """An entry of the catalogue of instruments under legal control (计量器具目录项).

    Shipped rows come from SAMR announcement 2020 No. 42 as far as they could be sourced
    (registry/data/catalogue.csv, each with its source and confidence); the provincial bureau edits
    the catalogue in the UI or loads it from Excel.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    second_level = models.CharField(_("second-level entry"), max_length=200, blank=True)
    domain = models.CharField(_("measurement domain"), max_length=30, choices=MeasurementDomain.choices)
    regulation = models.CharField(_("verification regulation"), max_length=100, blank=True,
                                  help_text=_("e.g. JJG 539-2016"))
    supervision_mode = models.CharField(_("supervision mode"), max_length=3, choices=SupervisionMode.choices,
                                        blank=True)
    verification_mode = models.CharField(_("verification mode"), max_length=20, choices=VerificationMode.choices,
                                         blank=True)
    period_months = models.PositiveSmallIntegerField(_("verification period (months)"), null=True, blank=True)
    service_life_years = models.PositiveSmallIntegerField(_("service life (years)"), null=True, blank=True)
    mandatory_trade = models.BooleanField(_("mandatory for trade settlement"), default=False)
    mandatory_safety = models.BooleanField(_("mandatory for safety protection"), default=False)
    mandatory_medical = models.BooleanField(_("mandatory for medical and health"), default=False)
    mandatory_environment = models.BooleanField(_("mandatory for environmental monitoring"), default=False)
    scope_text = models.TextField(_("scope of mandatory verification"), blank=True)
    source = models.TextField(_("source"), blank=True)
    confidence = models.CharField(_("confidence"), max_length=1, choices=Confidence.choices, default=Confidence.LOW)
    is_active = models.BooleanField(_("active"), default=True)

    scope = ScopeSpec(shared=True, write_roles=frozenset({Role.PROVINCIAL_BUREAU}))

    class Meta:
        ordering = ["domain", "name", "second_level"]
        verbose_name = _("instrument category")
        verbose_name_plural = _("instrument categories")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The entry's name in the active language: the English name where the data has it."""
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return f"{self.name} · {self.second_level}" if self.second_level else self.name

    @property
    def short_name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if self.name_en and (get_language() or "").startswith("en") else self.name

    def clean(self) -> None:
        if self.verification_mode == VerificationMode.FIRST_ONLY_ROTATE and not self.service_life_years:
            raise ValidationError({"service_life_years": _("Rotation at expiry needs a service life in years.")})
        if self.verification_mode and self.supervision_mode not in (SupervisionMode.V, SupervisionMode.PV):
            raise ValidationError({"supervision_mode": _("Only categories under mandatory verification (V or P+V) have a verification mode.")})

    def is_mandatory_for(self, usage: str) -> bool:
        """Mandatory verification applies to the usages the catalogue names (计量法 第九条)."""
        if not self.is_active or self.supervision_mode not in (SupervisionMode.V, SupervisionMode.PV):
            return False
        return {
            Usage.TRADE: self.mandatory_trade,
            Usage.SAFETY: self.mandatory_safety,
            Usage.MEDICAL: self.mandatory_medical,
            Usage.ENVIRONMENT: self.mandatory_environment,
        }.get(usage, False)


class Usage(models.TextChoices):
    TRADE = "trade", _("trade settlement")
    SAFETY = "safety", _("safety protection")
    MEDICAL = "medical", _("medical and health")
    ENVIRONMENT = "environment", _("environmental monitoring")
    OTHER = "other", _("other")


class InstrumentStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    IN_SERVICE = "in_service", _("in service")
    SUSPENDED = "suspended", _("suspended")
    RETIRED = "retired", _("retired")
    DEREGISTERED = "deregistered", _("deregistered")


# Statuses that end an instrument's use and must say why and since when.
LAPSED_STATUSES = frozenset({InstrumentStatus.SUSPENDED, InstrumentStatus.RETIRED, InstrumentStatus.DEREGISTERED})


class CodeScheme(models.TextChoices):
    GBT36377 = codes.GBT36377, "GB/T 36377"
    SGCC = codes.SGCC, _("State Grid asset code")
    LOCAL = codes.LOCAL, _("jiliang code")


class CodeSequence(models.Model):
    """The next sequence number of jiliang's own instrument codes (registry.codes.local_code)."""

    name = models.CharField(primary_key=True, max_length=20)
    next_value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("code sequence")

    def __str__(self) -> str:
        return f"{self.name}: {self.next_value}"

    @classmethod
    def take(cls, count: int, name: str = "instrument") -> list[str]:
        """``count`` new jiliang codes, none already taken by any instrument (whatever its scheme)."""
        found: list[str] = []
        keys = _code_keys()
        with transaction.atomic():
            while len(found) < count:
                want = count - len(found)
                cls.objects.get_or_create(name=name)
                row = cls.objects.select_for_update().get(name=name)
                start = row.next_value
                cls.objects.filter(name=name).update(next_value=F("next_value") + want)
                fresh = codes.local_codes(start, want, keys)
                taken = existing(Instrument._base_manager.all(), "instrument_code", fresh)
                found.extend(c for c in fresh if c not in taken)
        return found


@functools.cache
def _code_keys_for(secret: str) -> tuple[int, ...]:
    return codes.round_keys(secret)


def _code_keys() -> tuple[int, ...]:
    return _code_keys_for(settings.JILIANG_CODE_KEY)


class InstrumentQuerySet(RestrictedQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        self.model.before_bulk_insert(objs)
        return super().bulk_create(objs, *args, **kwargs)


class InstrumentManager(models.Manager.from_queryset(InstrumentQuerySet)):
    pass


class Instrument(UnreferencedDeleteMixin, RegistryModel):
    """A measuring instrument (计量器具) of an owner, where it is used and for what."""

    # (db_index=False here and on region: Meta.indexes lead with each of the three, and scoping uses IN, not LIKE;
    # a second index only doubles what every bulk registration writes)
    owner = models.ForeignKey(Organisation, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="instruments", db_index=False)
    category = models.ForeignKey(InstrumentCategory, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="instruments", db_index=False)
    manufacturer = models.CharField(_("manufacturer"), max_length=200)
    model = models.CharField(_("model"), max_length=100)
    serial_number = models.CharField(_("serial number"), max_length=100)
    pattern_approval_no = models.CharField(_("pattern approval number"), max_length=100, blank=True)
    accuracy_class = models.CharField(_("accuracy class"), max_length=30, blank=True)
    range_min = models.DecimalField(_("range from"), max_digits=20, decimal_places=6, null=True, blank=True)
    range_max = models.DecimalField(_("range to"), max_digits=20, decimal_places=6, null=True, blank=True)
    range_unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("SI symbol, e.g. kg, m³/h, kWh"))
    usage = models.CharField(_("usage"), max_length=20, choices=Usage.choices)
    region = models.ForeignKey(Region, verbose_name=_("location region"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    address = models.CharField(_("location address"), max_length=300, blank=True)
    installation_date = models.DateField(_("installation date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=InstrumentStatus.choices,
                              default=InstrumentStatus.REGISTERED)
    status_reason = models.CharField(_("status reason"), max_length=300, blank=True)
    status_date = models.DateField(_("status date"), null=True, blank=True)
    mandatory = models.BooleanField(_("mandatory verification"), default=False, editable=False,
                                    help_text=_("Derived from the category and the usage"))
    # 一具一码: the maker's or utility's code where it came with one, else jiliang's own (registry.codes).
    instrument_code = models.CharField(_("instrument code"), max_length=40, unique=True, blank=True,
                                       help_text=_("GB/T 36377 or State Grid code as printed on the instrument; "
                                                   "left empty, jiliang issues its own"))
    code_scheme = models.CharField(_("code scheme"), max_length=12, choices=CodeScheme.choices,
                                   default=CodeScheme.LOCAL)

    # One answer, wherever the registered one is (core.identities).
    identity_fields = ("manufacturer", "model", "serial_number")
    identity_taken_message = _("An instrument of this manufacturer, model and serial number cannot be registered "
                               "again. If it is yours, contact your market supervision bureau.")

    # Read access of the owner's own bureau to instruments located elsewhere: see registry.scoping.
    scope = ScopeSpec(region="region", organisation="owner", delete_roles=SUPERUSER_ONLY)
    objects = InstrumentManager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = [
            models.UniqueConstraint(fields=["manufacturer", "model", "serial_number"],
                                    name="instrument_unique_serial_per_model"),
        ]
        indexes = [
            models.Index(fields=["region", "category", "id"]),
            models.Index(fields=["category", "id"]),
            models.Index(fields=["owner", "id"]),
            models.Index(fields=["status", "mandatory"]),
        ]

    def __str__(self) -> str:
        return f"{self.category.short_name if self.category_id else ''} {self.model} #{self.serial_number}".strip()

    def clean(self) -> None:
        if self.range_min is not None and self.range_max is not None and self.range_max < self.range_min:
            raise ValidationError({"range_max": _("The upper end of the range is below its lower end.")})
        if (self.range_min is not None or self.range_max is not None) and not self.range_unit:
            raise ValidationError({"range_unit": _("A measuring range needs its unit.")})
        if self.status in LAPSED_STATUSES and not self.status_reason:
            raise ValidationError({"status_reason": _("Say why the instrument is suspended or retired.")})
        if self.status == InstrumentStatus.DEREGISTERED and not self.status_date:
            raise ValidationError({"status_date": _("Give the date of the deregistration.")})
        if self.region_id and not self.region.is_current:
            raise ValidationError({"region": _("Region %(code)s is not a current GB/T 2260 code.") % {"code": self.region_id}})
        stored = getattr(self, "_stored_code", None)  # stable for life: as read from the database (from_db)
        if self.pk and stored and (codes.compact(self.instrument_code), self.code_scheme) != stored:
            from .instrument_codes import stable_error

            current = Instrument(instrument_code=stored[0], code_scheme=stored[1])
            raise stable_error(current, "instrument_code" if stored[0] != codes.compact(self.instrument_code)
                               else "code_scheme")
        if self.instrument_code:
            try:
                self.instrument_code = codes.validate(self.instrument_code, self.code_scheme)
            except IdentityError as exc:
                raise ValidationError({"instrument_code": exc.translated(gettext)}) from exc

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        if "instrument_code" in obj.__dict__ and "code_scheme" in obj.__dict__:
            obj._stored_code = (obj.instrument_code, obj.code_scheme)
        return obj

    def prepare_for_save(self) -> None:
        """Derive whether verification is mandatory from the category and the usage (计量法 第九条)."""
        self.mandatory = bool(self.category_id) and self.category.is_mandatory_for(self.usage)
        if self.instrument_code and self.code_scheme in codes.SCHEMES:
            try:
                self.instrument_code = codes.validate(self.instrument_code, self.code_scheme)
            except IdentityError:
                pass  # clean() reports it


    def save(self, *args, **kwargs) -> None:
        if not self.instrument_code:
            self.before_bulk_insert([self])
        super().save(*args, **kwargs)

    @staticmethod
    def before_bulk_insert(objs) -> None:
        """Issue jiliang's own code to every instrument about to be written without one (core.bulk calls this)."""
        blank = [o for o in objs if not o.instrument_code]
        for obj, code in zip(blank, CodeSequence.take(len(blank)) if blank else [], strict=True):
            obj.instrument_code, obj.code_scheme = code, CodeScheme.LOCAL

    @property
    def public_url(self) -> str:
        """The public status page a label's QR code points to (JILIANG_PUBLIC_URL + /i/<code>)."""
        return f"{settings.JILIANG_PUBLIC_URL.rstrip('/')}/i/{self.instrument_code}"

    @property
    def measuring_range(self) -> dict | None:
        if self.range_min is None and self.range_max is None:
            return None
        return {"min": self.range_min, "max": self.range_max, "unit": self.range_unit}


class StandardLevel(models.TextChoices):
    NATIONAL_PRIMARY = "national_primary", _("national primary standard")
    PROVINCIAL_HIGHEST = "provincial_highest", _("provincial highest standard")
    SOCIAL_PUBLIC = "social_public", _("social public standard")
    DEPARTMENTAL_HIGHEST = "departmental_highest", _("departmental highest standard")
    ENTERPRISE_HIGHEST = "enterprise_highest", _("enterprise highest standard")


class StandardRating(models.TextChoices):
    NONE = "", _("not rated")
    DOMESTIC_ADVANCED = "domestic_advanced", _("domestic advanced level")
    INTERNATIONAL_ADVANCED = "international_advanced", _("international advanced level")


class StandardStatus(models.TextChoices):
    IN_USE = "in_use", _("in use")
    SUSPENDED = "suspended", _("suspended")
    RETIRED = "retired", _("retired")


class MeasurementStandard(RegistryModel):
    """A measurement standard (计量标准) of an institute, with its assessment certificate (计量标准考核证书)."""

    institute = models.ForeignKey(Organisation, verbose_name=_("institute"), on_delete=models.PROTECT,
                                  related_name="standards")
    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("measurement domain"), max_length=30, choices=MeasurementDomain.choices)
    parameter = models.CharField(_("parameter"), max_length=100)
    range_min = models.DecimalField(_("range from"), max_digits=20, decimal_places=6, null=True, blank=True)
    range_max = models.DecimalField(_("range to"), max_digits=20, decimal_places=6, null=True, blank=True)
    range_unit = models.CharField(_("unit"), max_length=30, blank=True)
    uncertainty = models.DecimalField(_("expanded uncertainty U"), max_digits=20, decimal_places=9, null=True,
                                      blank=True)
    uncertainty_unit = models.CharField(
        _("unit of U"), max_length=30, blank=True,
        # xgettext:no-python-format
        help_text=_("unit of U, or % for a relative uncertainty"),
    )
    coverage_factor = models.DecimalField(_("coverage factor k"), max_digits=4, decimal_places=2, null=True,
                                          blank=True)
    accuracy_class = models.CharField(_("accuracy class"), max_length=30, blank=True)
    mpe = models.CharField(_("maximum permissible error"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=30, choices=StandardLevel.choices)
    certificate_no = models.CharField(_("assessment certificate number"), max_length=100, blank=True)
    valid_from = models.DateField(_("certificate valid from"), null=True, blank=True)
    valid_until = models.DateField(_("certificate valid until"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=30, choices=StandardRating.choices, blank=True)
    # 建标: when the standard passed its first assessment. Renewals change valid_from, never this date, so the plan's
    # count of new standards (indicator 3) reads it.
    first_assessed_on = models.DateField(_("first assessed on"), null=True, blank=True,
                                         help_text=_("the date of the standard's first assessment certificate"))
    status = models.CharField(_("status"), max_length=20, choices=StandardStatus.choices,
                              default=StandardStatus.IN_USE)

    # The assessment certificate (计量标准考核证书), its validity and the rating come from the assessing bureau.
    scope = ScopeSpec(region="institute__region", organisation="institute", write_roles=ALL_ROLES - {Role.ENTERPRISE},
                      authority_fields=frozenset({"certificate_no", "valid_from", "valid_until", "rating",
                                                  "first_assessed_on"}))

    class Meta:
        ordering = ["institute__name", "name"]
        verbose_name = _("measurement standard")
        verbose_name_plural = _("measurement standards")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        _check_validity(self, "valid_from", "valid_until")
        if self.first_assessed_on and self.valid_from and self.first_assessed_on > self.valid_from:
            raise ValidationError({"first_assessed_on": _("The first assessment cannot come after the current "
                                                          "certificate's start.")})
        if self.first_assessed_on and self.first_assessed_on > timezone.localdate():
            raise ValidationError({"first_assessed_on": _("The first assessment date lies in the future.")})
        if self.range_min is not None and self.range_max is not None and self.range_max < self.range_min:
            raise ValidationError({"range_max": _("The upper end of the range is below its lower end.")})
        if self.uncertainty is not None:
            if self.uncertainty < 0:
                raise ValidationError({"uncertainty": _("An uncertainty cannot be negative.")})
            if not self.uncertainty_unit:
                raise ValidationError({"uncertainty_unit": _("An uncertainty needs its unit.")})
            if self.coverage_factor is None:
                raise ValidationError({"coverage_factor": _("An expanded uncertainty needs its coverage factor k.")})
        if self.uncertainty is None and not self.accuracy_class and not self.mpe:
            raise ValidationError({"uncertainty": _("Give the uncertainty, the accuracy class or the MPE of the standard.")})
        if self.institute_id and not self.institute.is_institute and self.level != StandardLevel.ENTERPRISE_HIGHEST:
            raise ValidationError({"level": _("Only an institute keeps standards other than enterprise highest standards.")})



    def is_valid_on(self, day) -> bool:
        return bool(self.valid_until) and (self.valid_from is None or self.valid_from <= day) and day <= self.valid_until


class ReferenceMaterial(RegistryModel):
    """A certified reference material (标准物质) kept by an organisation, by its GBW / GBW(E) number."""

    gbw_number = models.CharField(_("GBW number"), max_length=20)
    grade = models.CharField(_("grade"), max_length=10, editable=False,
                             choices=[("primary", _("primary (GBW)")), ("secondary", _("secondary (GBW(E))"))])
    name = models.CharField(_("name"), max_length=200)
    property = models.CharField(_("certified property"), max_length=200)
    certified_value = models.DecimalField(_("certified value"), max_digits=24, decimal_places=9)
    uncertainty = models.DecimalField(_("expanded uncertainty U"), max_digits=24, decimal_places=9)
    coverage_factor = models.DecimalField(_("coverage factor k"), max_digits=4, decimal_places=2, default=2)
    unit = models.CharField(_("unit"), max_length=30)
    producer = models.CharField(_("producer"), max_length=200)
    holder = models.ForeignKey(Organisation, verbose_name=_("holder"), on_delete=models.PROTECT,
                               related_name="reference_materials")
    lot = models.CharField(_("lot"), max_length=50, blank=True)
    expiry_date = models.DateField(_("expiry date"))

    scope = ScopeSpec(region="holder__region", organisation="holder")

    class Meta:
        ordering = ["gbw_number"]
        verbose_name = _("reference material")
        verbose_name_plural = _("reference materials")
        constraints = [models.UniqueConstraint(fields=["holder", "gbw_number", "lot"], name="rm_unique_per_holder_lot")]

    def __str__(self) -> str:
        return f"{self.gbw_number} {self.name}"

    def clean(self) -> None:
        try:
            self.gbw_number, self.grade = normalise_gbw(self.gbw_number)
        except IdentityError as exc:
            raise ValidationError({"gbw_number": exc.translated(gettext)}) from exc
        if self.uncertainty is not None and self.uncertainty < 0:
            raise ValidationError({"uncertainty": _("An uncertainty cannot be negative.")})
        if self.coverage_factor is not None and self.coverage_factor <= 0:
            raise ValidationError({"coverage_factor": _("The coverage factor must be positive.")})




class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class ChangeProposal(RegistryModel):
    """A holder's proposal to change fields that only the bureau writes (``ScopeSpec.authority_fields``):
    a metrologist's certificate and qualified items, a standard's assessment certificate and rating, an
    organisation's designations. The bureau of the holder's region accepts (the record then changes in the
    bureau's name) or rejects it with a reason; both are in the audit trail."""

    content_type = models.ForeignKey("contenttypes.ContentType", verbose_name=_("record type"),
                                     on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField(_("record id"))
    object_repr = models.CharField(_("record"), max_length=200)
    organisation = models.ForeignKey(Organisation, verbose_name=_("holder"), on_delete=models.PROTECT,
                                     related_name="change_proposals")
    current = models.JSONField(_("values at the time of the proposal"), default=dict)
    proposed = models.JSONField(_("proposed values"), default=dict)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=20, choices=ProposalStatus.choices,
                              default=ProposalStatus.PENDING)
    proposed_by = models.ForeignKey("core.User", verbose_name=_("proposed by"), null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    decided_by = models.ForeignKey("core.User", verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    # Written only through registry.services (propose, accept, reject), never through the generic pages.
    scope = ScopeSpec(region="organisation__region", organisation="organisation", write_roles=frozenset())

    class Meta:
        ordering = ["-id"]
        verbose_name = _("change proposal")
        verbose_name_plural = _("change proposals")
        indexes = [models.Index(fields=["content_type", "object_id"]), models.Index(fields=["status", "id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.object_repr}"

    def target(self):
        return self.content_type.model_class()._base_manager.get(pk=self.object_id)

    def changes(self) -> list[tuple[str, object, object]]:
        """(field label, value at the time, proposed value) for display."""
        model = self.content_type.model_class()
        rows = []
        for name, value in self.proposed.items():
            field = model._meta.get_field(name)
            rows.append((field.verbose_name, _display(field, self.current.get(name)), _display(field, value)))
        return rows


def _display(field, value):
    if value in (None, "", []):
        return "—"
    if field.many_to_many or field.is_relation:
        pks = value if isinstance(value, list) else [value]
        return ", ".join(str(o) for o in field.related_model._base_manager.filter(pk__in=pks)) or "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value
