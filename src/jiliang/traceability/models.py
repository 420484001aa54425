"""The calibration graph (量传溯源) and what is derived from it.

* **Nodes** are the registry's instruments, measurement standards and reference materials, and external nodes
  (:class:`ExternalNode`: NIM and other national institutes, laboratories accredited by CNAS or in the CIPM MRA)
  named with their accreditation and scope. National primary standards and accepted external nodes are roots.
* **Links** (:class:`Link`) are the edges "calibrated or verified by", one per record that says so: a certificate
  whose measurement named the standards used (verification), a standard's calibration (StandardCalibration,
  DCC imports among them), or an imported record. Each link is dated, with its validity, the certificate, the
  parameter, the range and the expanded uncertainty of the calibrating node. Links are derived data, rebuilt from
  their sources (graph.py); they keep node ids as plain integers so the province's graph (millions of links) is read
  in one pass for batch checks and by a recursive CTE.
* **Impact cases** (:class:`ImpactCase`): a standard found out of tolerance or a certificate revoked, with every
  record reached through it since its last good calibration (:class:`AffectedRecord`) and the decisions on them.
* **Coverage targets** (:class:`CoverageTarget`): plan indicator 2's target per region and year, as data.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Region, RegistryModel, RestrictedManager, TimestampedModel
from jiliang.core.roles import Role
from jiliang.core.scoping import ScopeSpec

NO_GENERIC_WRITES = frozenset()  # changed through services only


class NodeKind(models.TextChoices):
    INSTRUMENT = "instrument", _("instrument")
    STANDARD = "standard", _("measurement standard")
    REFERENCE_MATERIAL = "rm", _("reference material")
    EXTERNAL = "external", _("external laboratory or institute")


class ExternalKind(models.TextChoices):
    NATIONAL_INSTITUTE = "national_institute", _("national metrology institute")
    CNAS_LAB = "cnas_lab", _("laboratory accredited by CNAS")
    MRA_LAB = "mra_lab", _("laboratory in the CIPM MRA")
    OTHER = "other", _("other laboratory")


class ExternalNode(RegistryModel):
    """A calibrating laboratory outside the province's registry: a national institute (NIM is the root of most
    chains) or an accredited laboratory, with its accreditation and scope. Only accepted nodes end a chain."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    aliases = models.TextField(_("other names"), blank=True,
                               help_text=_("one per line: names calibration records use for this laboratory"))
    kind = models.CharField(_("kind"), max_length=20, choices=ExternalKind.choices)
    country = models.CharField(_("country"), max_length=2, default="CN", help_text=_("ISO 3166 code"))
    accreditation_body = models.CharField(_("accreditation body"), max_length=100, blank=True)
    accreditation_no = models.CharField(_("accreditation number"), max_length=100, blank=True)
    accreditation_valid_until = models.DateField(_("accreditation valid until"), null=True, blank=True)
    scope_text = models.TextField(_("accredited scope"), blank=True,
                                  help_text=_("parameters, ranges and calibration and measurement capabilities"))
    accepted = models.BooleanField(_("accepted as a root"), default=False,
                                   help_text=_("a chain that reaches this node ends here, traceable"))

    scope = ScopeSpec(shared=True, write_roles=frozenset({Role.PROVINCIAL_BUREAU}))

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("external laboratory")
        verbose_name_plural = _("external laboratories")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind in (ExternalKind.CNAS_LAB, ExternalKind.MRA_LAB):
            missing = {f: _("An accredited laboratory needs its %(what)s.") % {"what": self._meta.get_field(f).verbose_name}
                       for f in ("accreditation_body", "accreditation_no", "scope_text") if not getattr(self, f)}
            if missing:
                raise ValidationError(missing)
        if self.accepted and self.kind == ExternalKind.OTHER:
            raise ValidationError({"accepted": _("Only a national institute or an accredited laboratory ends a chain.")})


class LinkSource(models.TextChoices):
    CERTIFICATE = "certificate", _("certificate (standards used)")
    CALIBRATION = "calibration", _("calibration of a standard")
    IMPORTED = "imported", _("imported record")


class Link(models.Model):
    """An edge of the graph: ``child`` was calibrated or verified by ``parent`` on ``on``, valid until
    ``valid_until``, under ``certificate_no``; ``parameter``, the range and ``uncertainty`` (expanded, with ``k``,
    in ``uncertainty_unit``; '%' for relative) are the calibrating node's for that record.

    ``region`` and ``organisation`` are the child's (an instrument's region and owner, a standard's institute), so
    links are scoped like what they lead to. A parent that could not be resolved is kept as ``parent_name`` with
    ``parent_id`` null: the chain is broken there, and says so."""

    child_kind = models.CharField(_("child kind"), max_length=12, choices=NodeKind.choices)
    child_id = models.BigIntegerField(_("child id"))
    parent_kind = models.CharField(_("parent kind"), max_length=12, choices=NodeKind.choices)
    parent_id = models.BigIntegerField(_("parent id"), null=True, blank=True)
    parent_name = models.CharField(_("parent as named"), max_length=200, blank=True)
    on = models.DateField(_("calibrated or verified on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=LinkSource.choices)
    source_id = models.BigIntegerField(_("source record id"), null=True, blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=100, blank=True)
    parameter = models.CharField(_("parameter"), max_length=100, blank=True)
    range_min = models.DecimalField(_("range from"), max_digits=20, decimal_places=6, null=True, blank=True)
    range_max = models.DecimalField(_("range to"), max_digits=20, decimal_places=6, null=True, blank=True)
    range_unit = models.CharField(_("unit"), max_length=30, blank=True)
    uncertainty = models.DecimalField(_("expanded uncertainty U"), max_digits=20, decimal_places=9, null=True,
                                      blank=True)
    uncertainty_unit = models.CharField(_("unit of U"), max_length=30, blank=True)
    coverage_factor = models.DecimalField(_("coverage factor k"), max_digits=4, decimal_places=2, null=True,
                                          blank=True)
    void = models.BooleanField(_("void"), default=False, help_text=_("the record behind the link was revoked"))
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="+")
    # What the calibrating U is compared with (chain.py): the item's smallest MPE in this record (a verification's
    # decided test points), and the regulation's largest U/MPE ratio where it sets one (else one third, JJF 1094).
    item_mpe = models.DecimalField(_("MPE of the item"), max_digits=24, decimal_places=9, null=True, blank=True)
    item_mpe_unit = models.CharField(_("unit of the MPE"), max_length=30, blank=True)
    item_ratio = models.DecimalField(_("largest U/MPE"), max_digits=6, decimal_places=5, null=True, blank=True)
    item_ratio_source = models.CharField(_("source of the ratio"), max_length=100, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="region", organisation="organisation", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["child_kind", "child_id", "-on"]
        verbose_name = _("traceability link")
        verbose_name_plural = _("traceability links")
        indexes = [
            models.Index(fields=["child_kind", "child_id", "on"], name="link_child"),
            models.Index(fields=["parent_kind", "parent_id", "on"], name="link_parent"),
            models.Index(fields=["source", "source_id"], name="link_source"),
        ]

    def __str__(self) -> str:
        parent = self.parent_id or self.parent_name
        return f"{self.get_child_kind_display()} {self.child_id} ← {self.get_parent_kind_display()} {parent} ({self.on})"

    def audit_region_code(self) -> str | None:
        return self.region_id

    def audit_organisation_id(self) -> int | None:
        return self.organisation_id


class ImpactTrigger(models.TextChoices):
    OUT_OF_TOLERANCE = "out_of_tolerance", _("standard found out of tolerance")
    REVOKED = "revoked", _("certificate revoked")


class ImpactStatus(models.TextChoices):
    OPEN = "open", _("under review")
    CLOSED = "closed", _("decided")


class ImpactCase(TimestampedModel):
    """Reverse traceability (反向溯源): a standard found out of tolerance on ``found_on`` (or a certificate revoked),
    and everything calibrated or verified through it since its last good calibration ``last_good_on``."""

    trigger = models.CharField(_("trigger"), max_length=20, choices=ImpactTrigger.choices)
    standard = models.ForeignKey("registry.MeasurementStandard", verbose_name=_("standard"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="impact_cases")
    certificate = models.ForeignKey("verification.Certificate", verbose_name=_("revoked certificate"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="impact_cases")
    found_on = models.DateField(_("found on"))
    last_good_on = models.DateField(_("last good calibration on"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=ImpactStatus.choices, default=ImpactStatus.OPEN)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("institute"), on_delete=models.PROTECT,
                                     related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    affected_certificates = models.PositiveIntegerField(_("certificates affected"), default=0)
    affected_instruments = models.PositiveIntegerField(_("instruments affected"), default=0)
    affected_standards = models.PositiveIntegerField(_("standards affected"), default=0)

    objects = RestrictedManager()
    scope = ScopeSpec(region="region", organisation="organisation", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = _("reverse-traceability case")
        verbose_name_plural = _("reverse-traceability cases")
        constraints = [models.CheckConstraint(condition=models.Q(standard__isnull=False)
                                              | models.Q(certificate__isnull=False), name="impact_has_a_source")]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} · {self.standard or self.certificate} ({self.found_on})"

    def audit_region_code(self) -> str | None:
        return self.region_id

    def audit_organisation_id(self) -> int | None:
        return self.organisation_id


class Decision(models.TextChoices):
    PENDING = "pending", _("under review")
    UPHELD = "upheld", _("result upheld")
    REISSUED = "reissued", _("re-verified and reissued")
    REVOKED = "revoked", _("revoked")


class AffectedRecord(models.Model):
    """A record reached from an impact case: the node, the link that reached it (``via_link``, with its date and
    certificate), its depth below the source, and the institute's decision."""

    # Opening a case writes every record it reached at once (200,000 beneath a provincial standard), so the table
    # carries only what pays (bench/traceability_impact.py): plain indexes on case, owner and region (the lists and
    # the scoping), partial ones on certificate and decider (null on most rows when written); no database
    # constraints on the references (each would be checked row by row at commit; Django still applies their
    # on_delete). One record per (case, node_kind, node_id, certificate_no) is kept by impact._records, the only
    # writer, in the case's own transaction; a unique index on it cost 1.5 s of the 5 s aim.
    case = models.ForeignKey(ImpactCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="affected",
                             db_index=False, db_constraint=False)
    node_kind = models.CharField(_("kind"), max_length=12, choices=NodeKind.choices)
    node_id = models.BigIntegerField(_("id"))
    # Plain ids, not foreign keys: links are derived data that graph.rebuild() replaces, and a case must keep what
    # reached each record (and so who decides on it) across rebuilds.
    via_link = models.BigIntegerField(_("through link"), null=True, blank=True)
    parent_standard = models.BigIntegerField(_("reached from standard"), null=True, blank=True,
                                             help_text=_("the standard whose calibration or verification it was"))
    certificate = models.ForeignKey("verification.Certificate", verbose_name=_("certificate"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False,
                                    db_index=False)
    certificate_no = models.CharField(_("certificate number"), max_length=100, blank=True)
    on = models.DateField(_("calibrated or verified on"))
    depth = models.PositiveSmallIntegerField(_("depth"))
    owner = models.ForeignKey("registry.Organisation", verbose_name=_("owner"), on_delete=models.CASCADE,
                              related_name="+", db_constraint=False)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+",
                               db_constraint=False, db_index=False)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", db_index=False, db_constraint=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="region", organisation="owner", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["case", "depth", "on", "id"]
        verbose_name = _("affected record")
        verbose_name_plural = _("affected records")
        indexes = [models.Index(fields=["certificate", "decision"], name="affected_certificate",
                                condition=models.Q(certificate__isnull=False)),
                   models.Index(fields=["decided_by"], name="affected_decided_by",
                                condition=models.Q(decided_by__isnull=False)),
                   models.Index(fields=["region"], name="affected_region"),
                   models.Index(fields=["case"], name="affected_case")]  # no LIKE index: scoping uses IN

    def __str__(self) -> str:
        return f"{self.node_kind}:{self.node_id} ({self.certificate_no or self.on})"

    def audit_region_code(self) -> str | None:
        return self.region_id

    def audit_organisation_id(self) -> int | None:
        return self.owner_id


class CoverageTarget(TimestampedModel):
    """Plan indicator 2's target for a region and year: "社会公用计量标准和量值传递体系覆盖率达到98%以上" (专栏1)."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    target_percent = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=2,
                                         validators=[MinValueValidator(0), MaxValueValidator(100)])
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="region", write_roles=frozenset({Role.PROVINCIAL_BUREAU}))

    class Meta:
        ordering = ["region", "year"]
        verbose_name = _("coverage target")
        verbose_name_plural = _("coverage targets")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="coverage_target_once")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}: {self.target_percent} %"


class LapseKind(models.TextChoices):
    ASSESSMENT = "assessment", _("assessment certificate")
    CALIBRATION = "calibration", _("calibration")


class StandardWarning(models.Model):
    """An early warning sent: the owning institute was told once that ``standard``'s assessment certificate or
    latest calibration lapses on ``lapses_on`` (unique: a second daily run sends nothing; a renewed certificate
    lapses on another date and is warned again)."""

    standard = models.ForeignKey("registry.MeasurementStandard", verbose_name=_("standard"), on_delete=models.CASCADE,
                                 related_name="lapse_warnings")
    kind = models.CharField(_("what lapses"), max_length=12, choices=LapseKind.choices)
    lapses_on = models.DateField(_("lapses on"))
    instruments = models.PositiveIntegerField(_("instruments depending"), default=0)
    standards = models.PositiveIntegerField(_("standards depending"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("institute"), on_delete=models.CASCADE,
                                     related_name="+")

    objects = RestrictedManager()
    scope = ScopeSpec(region="region", organisation="organisation", write_roles=NO_GENERIC_WRITES)

    class Meta:
        ordering = ["lapses_on", "id"]
        verbose_name = _("lapse warning")
        verbose_name_plural = _("lapse warnings")
        constraints = [models.UniqueConstraint(fields=["standard", "kind", "lapses_on"], name="lapse_warned_once")]

    def __str__(self) -> str:
        return f"{self.standard_id} {self.kind} {self.lapses_on}"


class CoverageGroup(models.Model):
    """One group of instruments that coverage (plan indicator 2) evaluates as a whole: a category, a region, a
    measuring range and an accuracy class (coverage_rules.Group without its count). ``key`` is those values as one
    text (coverage_counts.key_of), unique, so that writers add a group with ``INSERT … ON CONFLICT`` although the
    range may be empty (NULL, which a unique constraint on the columns would not compare). Kept by
    coverage_counts.py; read by coverage.groups."""

    key = models.CharField(max_length=255, unique=True)
    category = models.ForeignKey("registry.InstrumentCategory", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    range_min = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    range_max = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    range_unit = models.CharField(max_length=30, blank=True)
    accuracy_class = models.CharField(max_length=30, blank=True)

    derived_state = True  # rebuilt from the registry (coverage_counts.recount)

    class Meta:
        indexes = [models.Index(fields=["category", "region"], name="coverage_group_cat_region")]

    def __str__(self) -> str:
        return self.key


class CoverageCount(models.Model):
    """How many instruments of a group are in use (mandatory, in service) by their installation month: ``month`` is
    yyyymm, 0 for an instrument without an installation date (always counted)."""

    group = models.ForeignKey(CoverageGroup, on_delete=models.CASCADE, related_name="counts",
                              db_index=False)  # (the unique key begins with it)
    month = models.IntegerField()
    n = models.BigIntegerField(default=0)

    derived_state = True

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "month"], name="coverage_count_key")]

    def __str__(self) -> str:
        return f"{self.group_id}/{self.month}: {self.n}"


class CoverageMember(models.Model):
    """An instrument counted in CoverageCount: the group and the installation date it is counted under, so that a
    change or a deletion takes out exactly what was added (coverage_counts.py says why a table of its own). An
    instrument not in use has no row."""

    instrument = models.OneToOneField("registry.Instrument", primary_key=True, on_delete=models.CASCADE,
                                      related_name="+")
    # No index and no database constraint on the group: a recount deletes the groups left without counters (so
    # without members) and the check would scan the members for each.
    group = models.ForeignKey(CoverageGroup, on_delete=models.CASCADE, related_name="+", db_index=False,
                              db_constraint=False)
    installed_on = models.DateField(null=True, blank=True)

    derived_state = True

    class Meta:
        # the part of a month up to a date (coverage.groups): an index-only range scan
        indexes = [models.Index(fields=["installed_on", "group"], name="coverage_member_installed")]

    def __str__(self) -> str:
        return f"{self.instrument_id} → {self.group_id}"
