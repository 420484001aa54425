"""The periodic jobs of jiliang, in one place: what runs, how often, and when it is switched on.

``jiliang scheduler`` enqueues them (``jiliang scheduler --list`` shows this table with the next and last
slots) and ``jiliang worker`` runs them, so no deployment forgets a cron line. Each task takes the slot's
start as ``slot`` (ISO 8601). See docs/jobs.md.
"""

import datetime as dt

from django.conf import settings

from jiliang.core.jobs.scheduler import Schedule

SCHEDULES = [
    Schedule("telemetry-snapshot", "jiliang.telemetry.tasks.online_snapshot", every=dt.timedelta(minutes=15),
             about="online key energy-consuming enterprises per region (the online rate over time, KPI 9)"),
    Schedule("telemetry-partitions", "jiliang.telemetry.tasks.create_partitions", daily_at=dt.time(0, 10),
             about="monthly reading partitions three months ahead (PostgreSQL; nothing on SQLite)"),
    Schedule("telemetry-checks", "jiliang.telemetry.tasks.daily_checks", daily_at=dt.time(0, 20),
             about="imbalance anomalies of yesterday (parent points against their children)"),
    Schedule("telemetry-rollups", "jiliang.telemetry.tasks.fold_rollups", every=dt.timedelta(minutes=1),
             enabled=lambda: settings.JILIANG_TELEMETRY_ROLLUPS == "deferred",
             about="fold queued rollup increments (only when JILIANG_TELEMETRY_ROLLUPS=deferred)"),
    Schedule("audit-anchor", "jiliang.core.tasks.audit_anchor", daily_at=dt.time(0, 30),
             about="append the audit chain's signed head to the anchor file"),
    Schedule("demo-live", "jiliang.telemetry.tasks.demo_live", every=dt.timedelta(minutes=5),
             enabled=lambda: settings.JILIANG_DEMO_LIVE,
             about="the demo's meters keep reporting simulated readings (only when JILIANG_DEMO_LIVE is set)"),
]
