"""Campaign services: define (field errors), draw (snapshot, targets, audit, all or nothing), verify-draw (and
tampering detected), the population CSV, close; the same sample whatever order rows were inserted in."""

import csv
import hashlib
import io
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from tests.supervision.campaign_fixtures import provincial_campaign, spec

from jiliang.core.models import AuditEntry
from jiliang.supervision import campaigns, draws
from jiliang.supervision.models import Campaign, CampaignStatus, CampaignTarget, TargetStatus


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_define_and_draw(cworld):
    w = cworld
    c = provincial_campaign(w, exclude_own_county=True)
    assert c.number.startswith("320000-") and c.number.endswith("-S001")
    assert c.status == CampaignStatus.DRAWN and c.seed == "fixed-seed"
    assert c.population_size == 31  # Suzhou's three counties (with the world's Kunshan scale); Xuanwu is outside
    packed = zlib.decompress(bytes(c.population_snapshot))
    assert hashlib.sha256(packed).hexdigest() == c.population_sha256
    members = draws.unpack_population(packed)
    assert [i for i, _c in members] == sorted([w.instrument_ks.pk, *(i.pk for k in ("320583", "320581", "320585")
                                                                      for i in w.made[k])])
    targets = list(c.targets.order_by("position"))
    assert [t.position for t in targets] == list(range(1, 13))
    assert all(t.status == TargetStatus.PENDING for t in targets)
    counties = [t.county_id for t in targets]
    assert all(counties.count(k) >= 2 for k in ("320581", "320583", "320585"))
    home = {w.ks.pk: "320583", w.changshu.pk: "320581"}
    assert all(home[t.inspector_id] != t.county_id for t in targets)
    expected = draws.draw_sample(members, "fixed-seed", 12, 2)
    assert [t.instrument_id for t in targets] == expected.ids
    assert AuditEntry.objects.filter(object_type="supervision.campaign", object_id=str(c.pk)).count() == 2


def test_owner_campaign_draws_owners(cworld):
    c = provincial_campaign(cworld, target_kind="owners", sample_size=3, min_per_county=1)
    assert c.population_size == 3
    assert sorted(c.targets.values_list("organisation_id", flat=True)) == sorted(
        cworld.owners[k].pk for k in ("320583", "320581", "320585"))
    assert not c.targets.filter(instrument__isnull=False).exists()


def test_generated_seed_is_recorded(cworld):
    c = provincial_campaign(cworld, seed="")
    assert len(c.seed) == 32 and int(c.seed, 16) >= 0
    assert campaigns.verify_draw(c).ok


def test_field_errors_when_defining(cworld):
    w = cworld
    with pytest.raises(ValidationError) as e:
        campaigns.create_campaign(actor=w.ks, spec=spec(title=" ", regions=["320102"], sample_size=0,
                                                       min_per_county=-1, period_end=spec().period_start.replace(
                                                           year=2000), owner_kinds=["pirate"], categories=[999999],
                                                       inspectors=[(w.xw.pk, None)]))
    errors = e.value.message_dict
    assert set(errors) >= {"title", "regions", "sample_size", "min_per_county", "period_end", "owner_kinds",
                           "categories", "inspectors"}
    assert "320102" in errors["regions"][0]
    assert Campaign.objects.count() == 0
    with pytest.raises(ValidationError) as e:
        campaigns.create_campaign(actor=w.ks, spec=spec(regions=[], inspectors=[]))
    assert "inspector" in e.value.message_dict["inspectors"][0]
    for role in ("institute", "enterprise"):
        with pytest.raises(PermissionDenied):
            campaigns.create_campaign(actor=w.users[role], spec=spec(inspectors=[(w.ks.pk, None)]))


@pytest.mark.parametrize("kw, field, text", [
    ({"sample_size": 32, "min_per_county": 0}, "sample_size", "larger than the population of 31"),
    ({"sample_size": 5, "min_per_county": 2}, "sample_size", "needs at least 6"),
    ({"regions": ["320585"], "categories": [], "usages": ["medical"]}, "population", "population is empty"),
])
def test_bad_draws_write_nothing(cworld, kw, field, text):
    c = provincial_campaign(cworld, draw=False, **kw)
    with pytest.raises(ValidationError) as e:
        campaigns.draw(c, actor=cworld.users["province"], seed="s")
    assert text in e.value.message_dict[field][0]
    c.refresh_from_db()
    assert c.status == CampaignStatus.DRAFT and not c.seed and c.population_size is None
    assert not CampaignTarget.objects.exists()


def test_impossible_assignment_writes_nothing(cworld):
    w = cworld
    c = provincial_campaign(w, draw=False, regions=["320583"], min_per_county=0, sample_size=3,
                            exclude_own_county=True, inspectors=[(w.ks.pk, None)])
    with pytest.raises(ValidationError) as e:
        campaigns.draw(c, actor=w.users["province"], seed="s")
    assert "320583" in e.value.message_dict["inspectors"][0]
    assert not CampaignTarget.objects.exists()


def test_only_the_organiser_and_above_draw_and_close(cworld):
    w = cworld
    c = provincial_campaign(w, draw=False)
    for role in ("suzhou", "kunshan", "xuanwu", "institute"):
        with pytest.raises(PermissionDenied):
            campaigns.draw(c, actor=w.users[role], seed="s")
    county = campaigns.create_campaign(actor=w.ks, spec=spec(regions=[], min_per_county=0, sample_size=3,
                                                              inspectors=[(w.ks.pk, None)]))
    assert county.number.startswith("320583-")
    campaigns.draw(county, actor=w.users["suzhou"], seed="s")  # the city is above Kunshan
    with pytest.raises(ValidationError):
        campaigns.draw(county, actor=w.users["suzhou"], seed="again")
    with pytest.raises(PermissionDenied):
        campaigns.close_campaign(county, actor=w.xw)
    assert campaigns.close_campaign(county, actor=w.ks).status == CampaignStatus.CLOSED


def test_verify_draw_and_tampering(cworld):
    w = cworld
    c = provincial_campaign(w)
    check = campaigns.verify_draw(c)
    assert check.ok and check.problems == [] and check.population_size == 31
    t = c.targets.get(position=3)
    other = c.targets.exclude(inspector_id=t.inspector_id).first()
    CampaignTarget.objects.filter(pk=t.pk).update(inspector_id=other.inspector_id)
    check = campaigns.verify_draw(c)
    assert not check.ok and "Target 3" in check.problems[0]
    CampaignTarget.objects.filter(pk=t.pk).update(inspector_id=t.inspector_id)
    spare = next(i for k in w.made.values() for i in k if not c.targets.filter(instrument=i).exists())
    CampaignTarget.objects.filter(pk=t.pk).update(instrument=spare)
    assert not campaigns.verify_draw(c).ok
    CampaignTarget.objects.filter(pk=t.pk).update(instrument=t.instrument)
    assert campaigns.verify_draw(c).ok
    packed = zlib.decompress(bytes(c.population_snapshot))
    Campaign.objects.filter(pk=c.pk).update(population_snapshot=zlib.compress(packed[:-6] + b"320582"))
    c.refresh_from_db()
    assert any("SHA-256" in p for p in campaigns.verify_draw(c).problems)


def test_population_csv_redraws(cworld):
    c = provincial_campaign(cworld)
    rows = list(csv.reader(io.StringIO(campaigns.population_csv(c).decode())))
    assert rows[0] == ["instrument_id", "county"] and len(rows) == 32
    members = [(int(i), k) for i, k in rows[1:]]
    assert draws.population_hash(draws.pack_population(members)) == c.population_sha256
    again = draws.draw_sample(members, c.seed, c.sample_size, c.min_per_county)
    assert again.ids == list(c.targets.order_by("position").values_list("instrument_id", flat=True))


def test_insertion_order_does_not_matter(cworld):
    """Rows written with explicit ids in a shuffled order: the population is sorted by id and the targets are
    those the pure draw gives for (ids, counties, seed, n, m), nothing else."""
    import random

    from jiliang.registry.models import Instrument

    w = cworld
    template = w.made["320585"][0]
    ids = list(range(900_001, 900_041))
    random.Random(3).shuffle(ids)
    for pk in ids:
        inst = Instrument(pk=pk, owner=template.owner, category=template.category, manufacturer="m", model="m",
                          serial_number=f"X{pk}", usage="trade", region_id="320585" if pk % 2 else "320581",
                          status="in_service")
        inst.prepare_for_save()
        inst.save()
    c = provincial_campaign(w, draw=False, sample_size=9, min_per_county=2)
    members = campaigns.population(c)
    assert [m for m, _k in members] == sorted(m for m, _k in members)
    campaigns.draw(c, actor=w.users["province"], seed="order")
    expected = draws.draw_sample(sorted(members), "order", 9, 2)
    assert list(c.targets.order_by("position").values_list("instrument_id", flat=True)) == expected.ids


def test_verify_command(cworld):
    from io import StringIO

    from django.core.management import call_command

    c = provincial_campaign(cworld)
    out = StringIO()
    call_command("campaign-verify-draw", c.number, stdout=out)
    assert "the same targets" in out.getvalue() and c.population_sha256 in out.getvalue()
    CampaignTarget.objects.filter(campaign=c, position=1).update(county_id="320102")
    with pytest.raises(SystemExit) as exit_:
        call_command("campaign-verify-draw", c.number, stdout=StringIO())
    assert exit_.value.code == 1
    with pytest.raises(SystemExit) as exit_:
        call_command("campaign-verify-draw", "nope", stderr=StringIO())
    assert exit_.value.code == 2
