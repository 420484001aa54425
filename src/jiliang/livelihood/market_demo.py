"""Markets of the demo province (DemoStep order 55, after supervision's histories).

The registry's demo makes organisations of kind market in every county, each with its price scales (instruments
owned by the operator, with supervision's verification histories). This step gives each operator its Market, the
traders' stalls with the scales on them, one or two public fair scales, and the five-unifications checklist with
varying completeness: about two markets in five fully five-unified with evidence, the rest partly or not at all,
some items marked met without complete evidence. Kunshan's bureau has confirmed the evidence of its fully unified
markets. The demo login ``demo-market`` is the operator of the first market in Kunshan.

The shares are the demo's own choices, not figures of any province. The step draws from its own random generator
(seeded with :data:`SEED`), so later demo steps get the same numbers whether it runs or not.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from jiliang.core import audit
from jiliang.core.demo import DEMO_PASSWORD
from jiliang.core.models import Region
from jiliang.core.roles import Role
from jiliang.registry.models import LAPSED_STATUSES, Instrument, Organisation, OrganisationKind

from .market_services import SCALE_CATEGORIES
from .models import Market, MarketScale, Stall, Unification, UnificationCheck

SEED = 55
DEMO_REGION = "320583"  # Kunshan: the demo's county of every role
GOODS = ["蔬菜", "水产", "猪肉", "牛羊肉", "禽蛋", "水果", "豆制品", "粮油", "干货", "熟食", "调味品", "副食品"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
EVIDENCE = {
    Unification.CONFIGURATION: ("{op}", "市场统一采购电子计价秤，型号一致，采购合同及发票存档。"),
    Unification.MANAGEMENT: ("{op}", "计量器具台账一摊一秤登记，专人管理，每月巡查。"),
    Unification.VERIFICATION: ("{county}计量检定所", "每年统一申请周期检定，检定证书及检定合格标志齐全。"),
    Unification.REPAIR: ("{county}衡器维修站", "签订统一维修协议，维修后重新检定。"),
    Unification.ROTATION: ("{op}", "按使用年限制定轮换计划，到期统一更换。"),
}


def build(ctx: dict, rng, scale: int, progress) -> None:
    rng = random.Random(SEED)  # its own generator: the shared one is left as it was
    today = timezone.localdate()
    operators = list(Organisation.objects.filter(kind=OrganisationKind.MARKET).order_by("region_id", "pk"))
    if not operators:
        return
    scales: dict[int, list[int]] = {}
    for pk, owner in (Instrument.objects.filter(owner__kind=OrganisationKind.MARKET,
                                                category__code__in=SCALE_CATEGORIES)
                      .exclude(status__in=LAPSED_STATUSES).order_by("pk").values_list("pk", "owner_id")):
        scales.setdefault(owner, []).append(pk)
    markets = Market.objects.bulk_create([
        Market(operator=o, name=o.name, region_id=o.region_id, address=o.address or "",
               opened_on=dt.date(rng.randint(1995, 2018), rng.randint(1, 12), 1)) for o in operators])
    User = get_user_model()
    kunshan_bureau = User.objects.filter(username="demo-kunshan").first()
    names = dict(Region.objects.values_list("code", "name"))
    stalls, placed, checks = [], [], []
    for n, market in enumerate(markets):
        own = scales.get(market.operator_id, [])
        n_fair = min(len(own), rng.choice((1, 1, 2))) if own else 0
        on_stalls = own[n_fair:]
        count = max(4, len(on_stalls) + rng.randint(1, 4))
        row = [Stall(market=market, number=f"{'ABCD'[i // 30]}-{i % 30 + 1:02d}",
                     trader=f"{rng.choice(SURNAMES)}{rng.choice('记氏家')}{rng.choice(GOODS)}",
                     goods=rng.choice(GOODS)) for i in range(min(count, 120))]
        stalls.append((market, row, own[:n_fair], on_stalls))
        checks.extend(_checklist(rng, market, today, kunshan_bureau, names))
        progress(n + 1, len(markets))
    Stall.objects.bulk_create([s for _m, row, _f, _o in stalls for s in row])
    for market, row, fair, on_stalls in stalls:
        registered = market.opened_on if market.opened_on and market.opened_on > dt.date(2015, 1, 1) \
            else dt.date(2015, 1, 1)
        placed += [MarketScale(instrument_id=pk, market=market, fair_scale=True, registered_on=registered)
                   for pk in fair]
        placed += [MarketScale(instrument_id=pk, market=market, stall=row[i % len(row)], registered_on=registered)
                   for i, pk in enumerate(on_stalls)]
    MarketScale.objects.bulk_create(placed, batch_size=2000)
    UnificationCheck.objects.bulk_create(checks, batch_size=2000)
    first = next((m for m in markets if m.region_id == DEMO_REGION), None)
    if first is not None and not User.objects.filter(username="demo-market").exists():
        user = User(username="demo-market", full_name=first.operator.name, role=Role.ENTERPRISE,
                    region_id=DEMO_REGION, organisation=first.operator)
        user.set_password(DEMO_PASSWORD)
        user.save()
    audit.record(None, "action", object_type="livelihood.demo", object_id="markets", object_repr="demo markets",
                 message=f"demo markets: {len(markets)} markets, {sum(len(r) for _m, r, _f, _o in stalls)} stalls, "
                         f"{len(placed)} scales registered, {len(checks)} five-unification items")
    ctx["markets"] = markets


def _checklist(rng, market: Market, today: dt.date, bureau, names: dict) -> list[UnificationCheck]:
    """Fully unified (40 %), partly (35 %: three or four items, one of them without its date), or barely (25 %)."""
    draw = rng.random()
    met = 5 if draw < 0.40 else rng.choice((3, 4)) if draw < 0.75 else rng.choice((0, 1, 2))
    items = list(Unification.values)
    chosen = set(rng.sample(items, met))
    county = names.get(market.region_id, "")
    incomplete = rng.choice(sorted(chosen)) if 0 < met < 5 else None
    out = []
    for item in items:
        if item not in chosen and rng.random() < 0.5:
            continue  # nothing entered for this item
        who, text = EVIDENCE[item]
        ok = item in chosen
        confirmed = ok and met == 5 and bureau is not None and market.region_id == DEMO_REGION
        out.append(UnificationCheck(
            market=market, item=item, met=ok, responsible=who.format(op=market.operator.name, county=county) if ok else "",
            detail=text if ok else "", evidence_date=None if item == incomplete else today - dt.timedelta(
                days=rng.randint(20, 300)) if ok else None,
            checked_by=bureau if confirmed else None, checked_on=today if confirmed else None))
    return out
