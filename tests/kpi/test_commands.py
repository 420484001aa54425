"""`jiliang kpi-snapshot` and `jiliang kpi-load-plan`: a second snapshot run writes nothing; a bad plan file
lists every problem and loads nothing; a second plan loads from its file and reads."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from tests.kpi.report_fixtures import english, media  # noqa: F401

from jiliang.kpi import reports, values
from jiliang.kpi.models import Plan, Snapshot

pytestmark = pytest.mark.usefixtures("english")
DATA = Path(__file__).parent / "data"


def _run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_snapshot_twice_writes_once(world, plan):
    out, _err = _run("kpi-snapshot", "--on", "2025-06-30", "--plan", plan.code)
    assert "364 snapshots written, 0 already taken" in out
    first = dict(Snapshot.objects.values_list("pk", "taken_at"))
    out, _err = _run("kpi-snapshot", "--on", "2025-06-30", "--plan", plan.code)
    assert "0 snapshots written, 364 already taken" in out
    assert dict(Snapshot.objects.values_list("pk", "taken_at")) == first


def test_snapshot_defaults_to_the_last_months_end(world, plan):
    from django.utils import timezone

    out, _err = _run("kpi-snapshot")
    day = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    assert out.startswith(f"{day}: 364 snapshots written")
    assert set(Snapshot.objects.values_list("on", flat=True)) == {day}


@pytest.mark.parametrize("args,words", [
    (["--on", "2025-02-30"], "--on"), (["--on", "2999-01-31"], "future"), (["--plan", "nope"], "no plan"),
    (["--plan", "jiangsu-2014-2020", "--on", "2013-01-31"], "before the plan's start")])
def test_snapshot_bad_arguments(world, plan, args, words):
    with pytest.raises(CommandError, match=words):
        _run("kpi-snapshot", *args)
    assert not Snapshot.objects.exists()


def test_load_plan_lists_every_problem_of_a_bad_file(world, plan):
    err = StringIO()
    with pytest.raises(CommandError, match="problems; nothing loaded"):
        call_command("kpi-load-plan", str(DATA / "bad-plan.toml"), stdout=StringIO(), stderr=err)
    text = err.getvalue()
    for words in ("code 'bad plan' may hold only", "region '999999' is not a current", "ends_on 2020-12-31 comes "
                  "before", "source 'no.such_source' is not a registered", "the code B1 is used again",
                  "entered_note must say why", "between 0 and 100"):
        assert words in text, words
    assert Plan.objects.count() == 1
    with pytest.raises(CommandError, match="cannot read"):
        _run("kpi-load-plan", str(DATA / "missing.toml"))


def test_a_second_plan_loads_from_its_file_and_reads(world, plan, media):  # noqa: F811
    out, _err = _run("kpi-load-plan", str(DATA / "jiangsu-2021-2035.toml"))
    assert "plan jiangsu-2021-2035 loaded: 2 indicators, 15 targets" in out  # 2 + 13 cities
    second = Plan.objects.get(code="jiangsu-2021-2035")
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem; nothing loaded"):
        call_command("kpi-load-plan", str(DATA / "jiangsu-2021-2035.toml"), stdout=StringIO(), stderr=err)
    assert "is loaded already" in err.getvalue()
    readings = values.live(second.indicators.all(), values.plan_regions(second), dt.date(2025, 12, 31))
    assert len(readings) == 2 * 14
    assert readings[("A1", "320000")].state == "ok" and readings[("A2", "320500")].state == "missing"
    report = reports.start_report(world.users["province"], second, kind="mid_term")
    report.refresh_from_db()
    assert report.job.state == "done" and report.on == dt.date(2025, 12, 31)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="in the future"):
        reports.start_report(world.users["province"], second, kind="final")
    with pytest.raises(CommandError, match="--user"):
        _run("kpi-load-plan", str(DATA / "jiangsu-2021-2035.toml"), "--user", "suzhou")
