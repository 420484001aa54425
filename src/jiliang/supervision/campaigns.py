"""Spot-check campaigns (监督抽查, 双随机): define, draw, check the draw again, close. Each act in one transaction,
audited; the draw itself is the pure :mod:`.draws` (docs/supervision-campaigns.md).

Numbering: ``<organising bureau's GB/T 2260 code>-<year>-S<sequence, 3 digits>``, e.g. ``320000-2026-S001``.

Who may do what: a bureau (provincial, city, county) defines campaigns over its own region; the organising bureau
and the bureaus above it (and superusers) draw and close them. Who sees what is in :mod:`.campaign_scope`.

The population of a campaign is the registry's instruments in service (not suspended, retired or deregistered) in
its scope: regions (empty: the bureau's whole region), categories, owner kinds, usages, mandatory verification only;
or, when the campaign draws owners, the owners of those instruments. Every member carries its county: the
county-level region (district, county, county-level city) its region lies in (the owner's own region for owners).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
import time
import zlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.models import Region, RegionLevel
from jiliang.core.regions import PROVINCE_CODE, subtree_codes
from jiliang.core.roles import BUREAU_ROLES, REGIONAL_ROLES
from jiliang.core.scoping import is_unrestricted, user_role
from jiliang.registry.models import (
    LAPSED_STATUSES,
    Instrument,
    InstrumentCategory,
    Organisation,
    OrganisationKind,
    Usage,
)

from . import draws
from .models import (
    Campaign,
    CampaignInspector,
    CampaignStatus,
    CampaignTarget,
    CampaignTargetKind,
    TargetStatus,
)

COUNTY_LEVELS = (RegionLevel.DISTRICT, RegionLevel.COUNTY_LEVEL_CITY, RegionLevel.COUNTY)
SEED_MAX = 64


def county_map() -> dict[str, str]:
    """Every region code → the county-level region it lies in (a province or city maps to itself)."""
    rows = {code: (parent, level) for code, parent, level in Region.objects.values_list("code", "parent_id", "level")}
    out = {}
    for code in rows:
        node = code
        while node is not None and rows[node][1] not in COUNTY_LEVELS:
            node = rows[node][0]
        out[code] = node or code
    return out


def bureau_region_of(user) -> str:
    """The region a bureau user acts for (a superuser without a region: the province)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied(_("Sign in first."))
    if user_role(user) in BUREAU_ROLES and user.region_id:
        return user.region_id
    if user.is_superuser:
        return user.region_id or PROVINCE_CODE
    raise PermissionDenied(_("Only a market supervision bureau runs spot-check campaigns."))


def may_manage(user, campaign: Campaign) -> bool:
    """The organising bureau, the bureaus above it and superusers draw and close a campaign."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if is_unrestricted(user):
        return True
    return (user_role(user) in REGIONAL_ROLES and user.region_id is not None
            and campaign.bureau_region_id in subtree_codes(user.region_id))


def _require_manager(user, campaign: Campaign) -> None:
    if not may_manage(user, campaign):
        raise PermissionDenied(_("Only the organising bureau or a bureau above it may do this."))


def next_number(region_code: str, year: int) -> str:
    prefix = f"{region_code}-{year}-S"
    last = (Campaign.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    seq = int(last.rsplit("S", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:03d}"


@dataclass
class CampaignSpec:
    """What a bureau asks for (the form and the API fill it)."""

    title: str
    period_start: dt.date
    period_end: dt.date
    sample_size: int
    target_kind: str = CampaignTargetKind.INSTRUMENTS
    min_per_county: int = 0
    exclude_own_county: bool = False
    mandatory_only: bool = True
    regions: list[str] = field(default_factory=list)
    categories: list[int] = field(default_factory=list)
    owner_kinds: list[str] = field(default_factory=list)
    usages: list[str] = field(default_factory=list)
    inspectors: list[tuple[int, str | None]] = field(default_factory=list)  # (user id, county code or None)


def _check_inspectors(spec: CampaignSpec, bureau: str, errors: dict) -> list[tuple[object, str]]:
    from django.contrib.auth import get_user_model

    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[uid for uid, _c in spec.inspectors])}
    within = set(subtree_codes(bureau))
    regions = {r.code: r for r in Region.objects.filter(code__in=[c for _u, c in spec.inspectors if c])}
    out, bad, seen = [], [], set()
    for uid, county in spec.inspectors:
        user = users.get(uid)
        if user is None:
            bad.append(_("user %(id)s does not exist") % {"id": uid})
            continue
        if uid in seen:
            bad.append(_("%(user)s is named twice") % {"user": user})
            continue
        seen.add(uid)
        if user_role(user) not in BUREAU_ROLES or not user.is_active or user.region_id not in within:
            bad.append(_("%(user)s is not a bureau user within the organising bureau's region") % {"user": user})
            continue
        county = county or user.region_id
        region = regions.get(county) or Region.objects.filter(code=county).first()
        if region is None or not region.is_county_level:
            bad.append(_("%(user)s: %(code)s is not a county-level region; say which county the inspector works in")
                       % {"user": user, "code": county})
            continue
        if county not in subtree_codes(user.region_id):
            bad.append(_("%(user)s works for %(region)s, not in %(code)s")
                       % {"user": user, "region": user.region_id, "code": county})
            continue
        out.append((user, county))
    if bad:
        errors["inspectors"] = bad
    return out


def create_campaign(*, actor, spec: CampaignSpec) -> Campaign:
    """A draft campaign of ``actor``'s bureau with its scope and inspectors (drawn later by :func:`draw`)."""
    bureau = bureau_region_of(actor)
    within = set(subtree_codes(bureau))
    errors: dict[str, list[str]] = {}
    if not spec.title.strip():
        errors["title"] = [_("Give the campaign a title.")]
    outside = [c for c in spec.regions if c not in within]
    if outside:
        errors["regions"] = [_("Outside the bureau's region: %(codes)s.") % {"codes": ", ".join(outside)}]
    known = set(InstrumentCategory.objects.filter(pk__in=spec.categories).values_list("pk", flat=True))
    if missing := [str(c) for c in spec.categories if c not in known]:
        errors["categories"] = [_("Unknown categories: %(ids)s.") % {"ids": ", ".join(missing)}]
    if bad := [k for k in spec.owner_kinds if k not in OrganisationKind.values]:
        errors["owner_kinds"] = [_("Unknown owner kinds: %(k)s.") % {"k": ", ".join(bad)}]
    if bad := [u for u in spec.usages if u not in Usage.values]:
        errors["usages"] = [_("Unknown usages: %(u)s.") % {"u": ", ".join(bad)}]
    if spec.target_kind not in CampaignTargetKind.values:
        errors["target_kind"] = [_("Draw owners or instruments.")]
    if spec.period_end < spec.period_start:
        errors["period_end"] = [_("The campaign ends before it starts.")]
    if spec.sample_size < 1:
        errors["sample_size"] = [_("The sample size must be at least 1.")]
    if spec.min_per_county < 0:
        errors["min_per_county"] = [_("The minimum per county cannot be negative.")]
    elif spec.min_per_county > spec.sample_size:
        errors["min_per_county"] = [_("The minimum per county cannot exceed the sample size.")]
    inspectors = _check_inspectors(spec, bureau, errors)
    if not spec.inspectors:
        errors["inspectors"] = [_("Name at least one inspector.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=bureau).first()  # one number at a time per bureau
        campaign = Campaign.objects.create(
            number=next_number(bureau, spec.period_start.year), title=spec.title.strip(), bureau_region_id=bureau,
            created_by=actor, owner_kinds=sorted(set(spec.owner_kinds)), usages=sorted(set(spec.usages)),
            mandatory_only=spec.mandatory_only, period_start=spec.period_start, period_end=spec.period_end,
            target_kind=spec.target_kind, sample_size=spec.sample_size, min_per_county=spec.min_per_county,
            exclude_own_county=spec.exclude_own_county)
        campaign.regions.set(sorted(set(spec.regions)))
        campaign.categories.set(sorted(set(spec.categories)))
        CampaignInspector.objects.bulk_create(
            [CampaignInspector(campaign=campaign, user=u, county_id=c) for u, c in inspectors])
        audit.record(campaign, "create", actor=actor, after=_scope_record(campaign),
                     message=_("Spot-check campaign defined"))
    return campaign


def _scope_record(c: Campaign) -> dict:
    return {"number": c.number, "title": c.title, "regions": sorted(c.regions.values_list("pk", flat=True)),
            "categories": sorted(c.categories.values_list("pk", flat=True)), "owner_kinds": c.owner_kinds,
            "usages": c.usages, "mandatory_only": c.mandatory_only, "period": [c.period_start.isoformat(),
                                                                                c.period_end.isoformat()],
            "target_kind": c.target_kind, "sample_size": c.sample_size, "min_per_county": c.min_per_county,
            "exclude_own_county": c.exclude_own_county,
            "inspectors": list(c.inspectors.order_by("user_id").values_list("user_id", "county_id"))}


def scope_regions(campaign: Campaign) -> list[str]:
    roots = list(campaign.regions.values_list("pk", flat=True)) or [campaign.bureau_region_id]
    return sorted({code for root in roots for code in subtree_codes(root)})


def instruments_in_scope(campaign: Campaign):
    roots = list(campaign.regions.values_list("pk", flat=True)) or [campaign.bureau_region_id]
    qs = Instrument.objects.exclude(status__in=LAPSED_STATUSES)
    if PROVINCE_CODE not in roots:  # the whole province: no region filter, a scan in id order needs no sort
        qs = qs.filter(region__in=scope_regions(campaign))
    categories = list(campaign.categories.values_list("pk", flat=True))
    if categories:
        qs = qs.filter(category__in=categories)
    if campaign.owner_kinds:
        qs = qs.filter(owner__kind__in=campaign.owner_kinds)
    if campaign.usages:
        qs = qs.filter(usage__in=campaign.usages)
    if campaign.mandatory_only:
        qs = qs.filter(mandatory=True)
    return qs


def population(campaign: Campaign) -> list[tuple[int, str]]:
    """The campaign's population now: (id, county) sorted by id (module docstring)."""
    counties = county_map()
    instruments = instruments_in_scope(campaign)
    if campaign.target_kind == CampaignTargetKind.OWNERS:
        rows = (Organisation.objects.filter(pk__in=instruments.values("owner_id"))
                .order_by("pk").values_list("pk", "region_id"))
    else:
        rows = instruments.order_by("pk").values_list("pk", "region_id")
    sql, params = rows.query.sql_with_params()  # a plain cursor: a million rows without the ORM's per-row work
    out: list[tuple[int, str]] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(50_000):
            out.extend([(pk, counties.get(region, region)) for pk, region in batch])
    return out


def new_seed() -> str:
    """A fresh seed: 128 bits from the operating system's generator, as 32 hexadecimal digits."""
    return secrets.token_hex(16)


def draw(campaign: Campaign, *, actor, seed: str | None = None, timings: dict | None = None) -> Campaign:
    """Draw the targets and assign the inspectors; records the seed and the population snapshot (all or nothing).
    ``timings``, when given, receives the seconds each phase took (the benchmark reads them)."""
    clock = time.perf_counter
    timings = {} if timings is None else timings
    _require_manager(actor, campaign)
    seed = (seed or "").strip() or new_seed()
    if len(seed) > SEED_MAX:
        raise ValidationError({"seed": [_("The seed has at most %(n)d characters.") % {"n": SEED_MAX}]})
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.DRAFT:
            raise ValidationError({"status": [_("Campaign %(number)s has already been drawn.")
                                              % {"number": campaign.number}]})
        t = clock()
        members = population(campaign)
        inspectors = list(campaign.inspectors.order_by("user_id").values_list("user_id", "county_id"))
        timings["population query"] = clock() - t
        t = clock()
        try:
            sample = draws.draw_sample(members, seed, campaign.sample_size, campaign.min_per_county)
            assigned = draws.assign_inspectors(sample.counties, inspectors, seed, campaign.exclude_own_county)
        except draws.DrawError as exc:
            raise ValidationError({exc.field: [_translated(exc, campaign, len(members))]}) from exc
        timings["draw and assignment"] = clock() - t
        t = clock()
        packed = draws.pack_population(members)
        owners = campaign.target_kind == CampaignTargetKind.OWNERS
        CampaignTarget.objects.bulk_create([
            CampaignTarget(campaign=campaign, position=pos, county_id=county, inspector_id=inspector,
                           status=TargetStatus.PENDING,
                           **({"organisation_id": pk} if owners else {"instrument_id": pk}))
            for pos, (pk, county, inspector) in enumerate(zip(sample.ids, sample.counties, assigned, strict=True),
                                                          start=1)])
        campaign.seed = seed
        campaign.population_size = len(members)
        campaign.population_sha256 = draws.population_hash(packed)
        campaign.population_snapshot = zlib.compress(packed, 1)
        timings["snapshot and targets"] = clock() - t
        t = clock()
        campaign.drawn_at = timezone.now()
        campaign.drawn_by = actor
        campaign.status = CampaignStatus.DRAWN
        campaign.save(update_fields=["seed", "population_size", "population_sha256", "population_snapshot",
                                     "drawn_at", "drawn_by", "status", "last_updated"])
        audit.record(campaign, "action", actor=actor, before={"status": CampaignStatus.DRAFT},
                     after={"status": CampaignStatus.DRAWN, "seed": seed, "population_size": len(members),
                            "population_sha256": campaign.population_sha256, "targets": len(sample.ids),
                            "short_counties": sample.short_counties},
                     message=_("Campaign targets drawn"))
        timings["campaign row and audit"] = clock() - t
    return campaign


def _translated(exc: draws.DrawError, campaign: Campaign, size: int) -> str:
    """The pure module's message in the user's language (the cases the form and API meet)."""
    text = str(exc)
    if exc.field == "population" and size == 0:
        return _("The population is empty: no instrument or owner is in the campaign's scope.")
    if text.startswith("The sample of"):
        return _("The sample of %(n)d is larger than the population of %(size)d.") % {
            "n": campaign.sample_size, "size": size}
    if text.startswith("A sample of"):
        return _("A sample of %(n)d cannot hold %(m)d from each of the %(k)d counties: it needs at least "
                 "%(needed)d.") % {"n": campaign.sample_size, "m": campaign.min_per_county,
                                   "k": exc.params["counties"], "needed": exc.params["needed"]}
    if text.startswith("No inspector may check county"):
        return _("No inspector may check county %(county)s: every inspector of the campaign works there and "
                 "inspectors never check their own county.") % {"county": exc.params["county"]}
    if text.startswith("Name at least one inspector"):
        return _("Name at least one inspector.")
    return text


def snapshot_members(campaign: Campaign) -> tuple[bytes, list[tuple[int, str]]]:
    """The stored snapshot's bytes (uncompressed) and members."""
    packed = zlib.decompress(bytes(campaign.population_snapshot))
    return packed, draws.unpack_population(packed)


@dataclass(frozen=True)
class DrawCheck:
    ok: bool
    problems: list[str]
    population_size: int
    population_sha256: str


def verify_draw(campaign: Campaign) -> DrawCheck:
    """Draw again from the stored snapshot and seed and compare with the stored targets and inspectors."""
    if campaign.status == CampaignStatus.DRAFT or not campaign.population_snapshot:
        return DrawCheck(False, [_("The campaign has not been drawn.")], 0, "")
    problems = []
    try:
        packed, members = snapshot_members(campaign)
    except (zlib.error, ValueError, UnicodeDecodeError):
        return DrawCheck(False, [_("The stored population snapshot cannot be read.")], 0, "")
    digest = draws.population_hash(packed)
    if digest != campaign.population_sha256:
        problems.append(_("The snapshot's SHA-256 %(got)s differs from the recorded %(want)s.")
                        % {"got": digest, "want": campaign.population_sha256})
    if len(members) != campaign.population_size:
        problems.append(_("The snapshot holds %(got)d members; the record says %(want)s.")
                        % {"got": len(members), "want": campaign.population_size})
    try:
        sample = draws.draw_sample(members, campaign.seed, campaign.sample_size, campaign.min_per_county)
        inspectors = list(campaign.inspectors.order_by("user_id").values_list("user_id", "county_id"))
        assigned = draws.assign_inspectors(sample.counties, inspectors, campaign.seed, campaign.exclude_own_county)
    except draws.DrawError as exc:
        return DrawCheck(False, [*problems, str(exc)], len(members), digest)
    key = "organisation_id" if campaign.target_kind == CampaignTargetKind.OWNERS else "instrument_id"
    stored = list(campaign.targets.order_by("position").values_list("position", key, "county_id", "inspector_id"))
    expected = [(pos, pk, county, inspector) for pos, (pk, county, inspector)
                in enumerate(zip(sample.ids, sample.counties, assigned, strict=True), start=1)]
    if len(stored) != len(expected):
        problems.append(_("%(got)d targets are stored; the draw gives %(want)d.")
                        % {"got": len(stored), "want": len(expected)})
    for got, want in zip(stored, expected, strict=False):
        if got != want:
            problems.append(_("Target %(pos)d: stored %(got)s, drawn again %(want)s.")
                            % {"pos": want[0], "got": "/".join(map(str, got[1:])),
                               "want": "/".join(map(str, want[1:]))})
    return DrawCheck(not problems, problems, len(members), digest)


def population_csv(campaign: Campaign) -> bytes:
    """The stored population as CSV (UTF-8): ``id,county`` in id order, the header naming the target kind."""
    _packed, members = snapshot_members(campaign)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f"{'owner' if campaign.target_kind == CampaignTargetKind.OWNERS else 'instrument'}_id",
                     "county"])
    writer.writerows(members)
    return out.getvalue().encode()


def close_campaign(campaign: Campaign, *, actor) -> Campaign:
    """Close a drawn campaign: its results are final and no more findings are expected against it."""
    _require_manager(actor, campaign)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.DRAWN:
            raise ValidationError({"status": [_("Only a drawn campaign can be closed.")]})
        campaign.status = CampaignStatus.CLOSED
        campaign.save(update_fields=["status", "last_updated"])
        audit.record(campaign, "action", actor=actor, before={"status": CampaignStatus.DRAWN},
                     after={"status": CampaignStatus.CLOSED}, message=_("Campaign closed"))
    return campaign
