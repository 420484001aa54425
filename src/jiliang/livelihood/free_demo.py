"""Free verification in the demo province: two programmes (集贸市场计量器具免费检定, 乡镇卫生院医疗计量器具免费检定),
a fee schedule for their categories, and a share of the demo's verifications of market scales and of county
hospitals' sphygmomanometers and thermometers marked free.

Every amount and share here is SYNTHETIC, chosen for the demo: the fee schedule's rows say so in their basis, and
no fee is taken from a real fee document. Runs after supervision's histories (its verification events)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from jiliang.registry.models import Instrument, InstrumentCategory
from jiliang.supervision.models import VerificationEvent

from . import free_scope
from .models import FeeScheduleItem, FreeProgramme, FreeVerification, ProgrammeKind

SYNTHETIC = "演示数据：合成金额，不是任何收费标准 (demo data: a synthetic amount, not a fee schedule)"
FEES = {"nawi-price-scale": Decimal("10.00"), "sphygmomanometer": Decimal("15.00"),
        "clinical-thermometer-electronic": Decimal("5.00")}  # synthetic
FREE_SHARE = 0.8  # of the covered verifications since the programme started (synthetic)
PROGRAMMES = [
    ("demo-market", "集贸市场计量器具免费检定", "Free verification of market instruments", ProgrammeKind.MARKET,
     ["nawi-price-scale"]),
    ("demo-rural-clinic", "乡镇卫生院医疗计量器具免费检定", "Free verification of rural clinics' medical instruments",
     ProgrammeKind.RURAL_CLINIC, ["sphygmomanometer", "clinical-thermometer-electronic"]),
]
BATCH = 2000


def build(ctx: dict, rng, scale: int, progress) -> None:
    today = timezone.localdate()
    start = dt.date(today.year - 2, 1, 1)
    categories = {c.code: c for c in InstrumentCategory.objects.filter(code__in=FEES)}
    for code, fee in FEES.items():
        if code in categories:
            FeeScheduleItem.objects.get_or_create(category=categories[code], defaults={"fee": fee, "basis": SYNTHETIC})
    made = 0
    progress(0, len(PROGRAMMES))
    for i, (code, name, name_en, kind, cats) in enumerate(PROGRAMMES, start=1):
        programme, _created = FreeProgramme.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "kind": kind, "starts_on": start,
            "basis": "演示项目 (demo programme)", "description": "演示数据 (demo data)"})
        programme.categories.set([categories[c] for c in cats if c in categories])
        covered = Instrument.objects.filter(free_scope.instruments_q(programme)).values("pk")
        events = list(VerificationEvent.objects.filter(instrument_id__in=covered, void=False, verified_on__gte=start,
                                                       free_verification__isnull=True)
                      .select_related("instrument").order_by("pk"))
        fees = {categories[c].pk: FEES[c] for c in cats if c in categories}
        chosen = [e for e in events if rng.random() < FREE_SHARE]
        rows = [FreeVerification(event=e, programme=programme, fee_waived=fees.get(e.instrument.category_id),
                                 fee_basis=SYNTHETIC[:200]) for e in chosen]
        FreeVerification.objects.bulk_create(rows, batch_size=BATCH)
        ids = [e.pk for e in chosen]
        for k in range(0, len(ids), BATCH):
            VerificationEvent.objects.filter(pk__in=ids[k:k + BATCH]).update(free_of_charge=True)
        made += len(rows)
        progress(i, len(PROGRAMMES))
    ctx["free_verifications"] = made
