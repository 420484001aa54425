"""Core models: regions (GB/T 2260), users with a role, the hash-chained audit trail, and abstract bases."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role
from .scoping import RestrictedManager, ScopeSpec


class TimestampedModel(models.Model):
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        abstract = True


class RegistryModel(TimestampedModel):
    """A primary record of the registry: scoped, audited, with free-text description and comments."""

    description = models.CharField(_("description"), max_length=200, blank=True)
    comments = models.TextField(_("comments"), blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec()

    class Meta:
        abstract = True

    def audit_region_code(self) -> str | None:
        """The region under which this record's audit entries are filed (scoped like the record)."""
        return self._follow(self.scope.region)

    def audit_organisation_id(self) -> int | None:
        """The organisation under which this record's audit entries are filed."""
        return self._follow(self.scope.organisation)

    def _follow(self, path: str | None):
        if not path:
            return None
        if path == "pk":
            return self.pk
        *hops, last = path.split("__")
        value = self
        for hop in hops:
            value = getattr(value, hop, None)
            if value is None:
                return None
        return getattr(value, f"{last}_id", None)


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    PREFECTURE = "prefecture", _("prefecture-level city")
    DISTRICT = "district", _("district")
    COUNTY_LEVEL_CITY = "county-level-city", _("county-level city")
    COUNTY = "county", _("county")


class Region(models.Model):
    """An administrative division by its GB/T 2260 code (province → prefecture-level city → county level).

    Current codes come from the 民政部 list as of 2024-12-31; codes retired since 2010 are kept as
    historical regions pointing at their successor, so that old records can be migrated.
    """

    code = models.CharField(_("code"), max_length=6, primary_key=True, help_text=_("GB/T 2260 six-digit code"))
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_current = models.BooleanField(_("current"), default=True)
    successor = models.ForeignKey(
        "self", verbose_name=_("successor"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    retired_year = models.PositiveSmallIntegerField(_("retired in"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(region="code", shared=True, write_roles=frozenset())

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        if self.parent_id and self.level not in (RegionLevel.PROVINCE, RegionLevel.PREFECTURE):
            if self.name_en and self.parent.name_en and self.display_name == self.name_en:
                return f"{self.name_en}, {self.parent.name_en}"
            return f"{self.parent.name} {self.name}"
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language (English where the data has it)."""
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def clean(self) -> None:
        if not (len(self.code) == 6 and self.code.isdigit()):
            raise ValidationError({"code": _("A region code has six digits (GB/T 2260).")})

    @property
    def is_county_level(self) -> bool:
        return self.level in (RegionLevel.DISTRICT, RegionLevel.COUNTY_LEVEL_CITY, RegionLevel.COUNTY)


class User(AbstractUser):
    """A person who signs in. The role and its region or organisation fix what they may see and do."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=[(r.value, r.value) for r in Role], blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="users",
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        from .roles import REGIONAL_ROLES

        if self.role in REGIONAL_ROLES and not self.region_id:
            raise ValidationError({"region": _("A city or county bureau user needs a region.")})
        if self.role in (Role.INSTITUTE, Role.ENTERPRISE) and not self.organisation_id:
            raise ValidationError({"organisation": _("An institute or enterprise user needs an organisation.")})


class AuditAction(models.TextChoices):
    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")
    ACTION = "action", _("action")


class AuditChannel(models.TextChoices):
    WEB = "web", _("web")
    API = "api", _("API")
    MQTT = "mqtt", _("MQTT")
    TASK = "task", _("task")
    COMMAND = "command", _("command")


class AuditEntry(models.Model):
    """One change to a record of legal effect: who, when, from where, what changed.

    Entries form a keyed hash chain: ``hash = HMAC-SHA256(JILIANG_AUDIT_KEY, prev_hash ‖ canonical JSON of this
    entry)`` (version 2; version 1, before the key, was plain SHA-256), so any altered, inserted or deleted row
    breaks the chain from that row on, and without the key, which is kept outside the database, nobody can
    re-hash the rest (``jiliang verify-audit`` finds it; docs/audit.md).
    """

    # Indexes are few on purpose: bulk imports append tens of thousands of entries in one go.
    timestamp = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=AuditChannel.choices)
    request_id = models.CharField(_("request id"), max_length=36, blank=True)
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    region_code = models.CharField(_("region"), max_length=6, blank=True, db_index=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    version = models.PositiveSmallIntegerField(
        _("hash version"), default=2, help_text=_("1: SHA-256 chain (legacy entries); 2: HMAC-SHA256 keyed chain"))

    objects = RestrictedManager()
    scope = ScopeSpec(region="region_code", organisation="organisation_id", write_roles=frozenset())

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id", "id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_action_display()} {self.object_repr or self.object_id}"


class AuditHead(models.Model):
    """The single row holding the chain's last hash; locked while an entry is appended.

    ``mac`` authenticates (last entry, last hash, legacy boundary) with the audit key, so the end of the
    chain cannot be cut off and the keyed entries cannot be rewritten as legacy ones without the key.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    last_entry_id = models.BigIntegerField(null=True)
    legacy_last_id = models.BigIntegerField(
        null=True, help_text="the last entry hashed with plain SHA-256 (version 1), before the chain was keyed")
    mac = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit head → #{self.last_entry_id}"


class ImportStatus(models.TextChoices):
    CHECKED = "checked", _("checked, waiting for a decision")
    APPLYING = "applying", _("importing")
    APPLIED = "applied", _("imported")
    CANCELLED = "cancelled", _("cancelled")
    FAILED = "failed", _("failed")


class ImportBatch(models.Model):
    """An uploaded file, its row-by-row check report, and what was done with it."""

    kind = models.CharField(_("kind"), max_length=30)
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("file name"), max_length=200)
    data = models.BinaryField(_("file"))
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.CHECKED)
    report = models.JSONField(_("report"), default=dict)
    result = models.JSONField(_("result"), default=dict)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"


class RateCounter(models.Model):
    """How often one client (an address, an account) hit one limited endpoint in one time window.

    Kept in the database so that every worker process shares the count (core/ratelimit.py); expired rows
    are purged as new windows open.
    """

    key = models.CharField(max_length=80)
    window_start = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="ratecounter_key_window")]

    def __str__(self) -> str:
        return f"{self.key} @{self.window_start}: {self.count}"


class TokenScope(models.TextChoices):
    FULL = "full", _("everything your account may do")
    INGEST = "ingest", _("only send meter readings (POST /api/telemetry/readings)")


class ApiToken(models.Model):
    """An API token: only the SHA-256 of its key is stored (the key is shown once, at creation).

    A token acts for its user, within the user's role and scope, narrowed by its own scope (an ingest
    token may only post readings: a meter gateway's token cannot change the organisation), until it
    expires or is revoked.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key begins with"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=10, choices=TokenScope.choices, default=TokenScope.FULL)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def audit_region_code(self) -> str | None:
        return self.user.region_id

    def audit_organisation_id(self) -> int | None:
        return self.user.organisation_id

from .jobs.models import Job, JobState, ScheduleSlot  # noqa: E402, F401  (models of core.jobs, app label core)
