"""Spot-check campaign of the demo province: the provincial bureau's campaign over four counties of Suzhou (常熟,
张家港, 昆山, 太仓), drawn with a public seed, inspectors never in their own county, and findings on part of the
targets (most conforming; the shares are the demo's own choice, nothing here is a rule).

Runs after supervision's histories (the instruments' states exist). Two county inspectors are added to the demo
accounts (demo-changshu, demo-zhangjiagang) so that nobody checks their own county.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from jiliang.core.demo import DEMO_PASSWORD
from jiliang.core.roles import Role
from jiliang.registry.models import LAPSED_STATUSES, Instrument, Organisation

from . import campaigns, onsite
from .models import CampaignTarget, FindingKind

COUNTIES = ["320581", "320582", "320583", "320585"]
SEED = "jiliang-demo-2026-spot-check"
CHECKED_SHARE = 0.7
KINDS = [(FindingKind.CONFORMING, 0.8), (FindingKind.OVERDUE, 0.08), (FindingKind.SEAL_BROKEN, 0.05),
         (FindingKind.UNVERIFIED, 0.04), (FindingKind.WRONG_USAGE, 0.03)]
INSPECTORS = [("demo-changshu", "常熟市局 检查员", "320581"), ("demo-zhangjiagang", "张家港市局 检查员", "320582")]


def build(ctx: dict, rng, scale: int, progress) -> None:
    User = get_user_model()
    province = User.objects.filter(username="demo-province").first()
    kunshan = User.objects.filter(username="demo-kunshan").first()
    if province is None or kunshan is None:
        return
    inspectors = [kunshan]
    for username, name, county in INSPECTORS:
        bureau = Organisation.objects.filter(kind="bureau", region_id=county).first()
        user = User(username=username, full_name=name, role=Role.COUNTY_BUREAU, region_id=county,
                    organisation=bureau)
        user.set_password(DEMO_PASSWORD)
        user.save()
        inspectors.append(user)
    size = (Instrument.objects.filter(region__in=COUNTIES, mandatory=True)
            .exclude(status__in=LAPSED_STATUSES).count())
    if size < 8:
        return
    today = timezone.localdate()
    n = min(40, size // 2)
    spec = campaigns.CampaignSpec(
        title="2026年苏州市县强制检定计量器具监督抽查", period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=60), sample_size=n, min_per_county=min(5, n // len(COUNTIES)),
        exclude_own_county=True, regions=COUNTIES, inspectors=[(u.pk, u.region_id) for u in inspectors])
    campaign = campaigns.create_campaign(actor=province, spec=spec)
    campaigns.draw(campaign, actor=province, seed=SEED)
    kinds, weights = zip(*KINDS, strict=True)
    for target in (CampaignTarget.objects.filter(campaign=campaign).select_related("instrument", "inspector")
                   .order_by("position")):
        if rng.random() >= CHECKED_SHARE:
            continue
        kind = rng.choices(kinds, weights)[0]
        # through the inspector's own service: linked to the target, which is marked checked
        onsite.record_finding(actor=target.inspector, instrument=target.instrument,
                              found_on=today - dt.timedelta(days=rng.randint(0, 25)), kind=kind,
                              measure="" if kind == FindingKind.CONFORMING else "责令停止使用，限期申请检定")
    ctx["campaign"] = campaign
    progress(1, 1)
