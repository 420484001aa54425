import pytest


@pytest.fixture
def plan(db, reference_data):
    """The shipped Jiangsu plan (its data migration's rows; reloaded when a transactional test flushed them)."""
    from jiliang.kpi.models import Plan
    from jiliang.kpi.services import load_shipped_plan

    return Plan.objects.filter(code="jiangsu-2014-2020").first() or load_shipped_plan("jiangsu-2014-2020.toml")
