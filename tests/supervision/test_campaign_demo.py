"""The demo province's spot-check campaign: drawn over four Suzhou counties with a public seed, never in the
inspector's own county, the draw checks out again, findings on part of the targets give results."""

from django.core.management import call_command

from jiliang.supervision import campaign_results, campaigns
from jiliang.supervision.campaign_demo import COUNTIES, SEED
from jiliang.supervision.models import Campaign, CampaignStatus, Finding


def test_demo_campaign(reference_data):
    call_command("demo", scale=800, seed=7)
    c = Campaign.objects.get()
    assert c.status == CampaignStatus.DRAWN and c.seed == SEED and c.exclude_own_county
    assert sorted(c.regions.values_list("pk", flat=True)) == COUNTIES
    assert campaigns.verify_draw(c).ok
    home = dict(c.inspectors.values_list("user_id", "county_id"))
    targets = list(c.targets.all())
    assert len(targets) == c.sample_size and all(home[t.inspector_id] != t.county_id for t in targets)
    assert {t.county_id for t in targets} == set(COUNTIES)
    assert Finding.objects.filter(campaign=c).count() > 0
    res = campaign_results.results(c)
    assert 0 < res.total.checked < res.total.targets and res.total.interval is not None
