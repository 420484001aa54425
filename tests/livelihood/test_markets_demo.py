"""The demo province's markets (DemoStep order 55): a Market for every market operator, its scales on stalls and one
or two fair scales, checklists from fully five-unified to barely, and the demo-market login that sees its market only."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F
from tests.conftest import web_client_for

from jiliang.livelihood.market_rates import market_figures
from jiliang.livelihood.models import Market, MarketScale, UnificationCheck
from jiliang.registry.models import Instrument, Organisation
from jiliang.supervision import rates

pytestmark = pytest.mark.django_db


def test_demo_markets(reference_data):
    call_command("demo", scale=800, seed=7)
    operators = Organisation.objects.filter(kind="market")
    assert Market.objects.count() == operators.count() > 50
    assert set(Market.objects.values_list("operator_id", flat=True)) == set(operators.values_list("pk", flat=True))
    scales = Instrument.objects.filter(owner__kind="market", category__code="nawi-price-scale")
    assert MarketScale.objects.count() > 0.9 * scales.count()
    assert MarketScale.objects.filter(fair_scale=True).exists() and MarketScale.objects.filter(stall__isnull=False)
    # every scale sits in its owner's market
    assert not MarketScale.objects.exclude(market__operator=F("instrument__owner")).exists()
    figures = market_figures(Market.objects.all(), rates.Period.year(2026))
    unified = [f.score.unifications for f in figures]
    assert unified.count(5) > 0.2 * len(unified) and sum(1 for u in unified if u < 3) > 0.1 * len(unified)
    assert UnificationCheck.objects.filter(checked_by__isnull=False).exists()
    user = get_user_model().objects.get(username="demo-market")
    assert user.organisation.kind == "market" and user.region_id == "320583"
    client = web_client_for(user)
    listed = client.get("/livelihood/markets/").context["page"].paginator.count
    assert listed == Market.objects.filter(operator=user.organisation).count() == 1
    mine = Market.objects.get(operator=user.organisation)
    assert client.get(f"/livelihood/markets/{mine.pk}/").status_code == 200
    other = Market.objects.exclude(operator=user.organisation).first()
    assert client.get(f"/livelihood/markets/{other.pk}/").status_code == 404
