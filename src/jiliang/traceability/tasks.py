"""Coverage's counters checked every night (a schedule of traceability's extensions): coverage_counts.recount
compares them with the registry and rebuilds them where a write bypassed the instruments' signals (a bulk load in
SQL, a queryset update). A difference is logged as a warning, so that the path that bypassed them can be found;
on a day without one the check only reads."""

from __future__ import annotations

import logging

from django_tasks import task

from . import coverage_counts

log = logging.getLogger(__name__)


@task()
def recount_coverage(slot: str | None = None) -> int:
    """The number of instruments that were counted wrongly (0 on a good night)."""
    found = coverage_counts.recount()
    if found.fixed:
        log.warning("coverage counters differed from the registry (%d instruments counted wrongly, %d counters); "
                    "rebuilt", found.members_wrong, len(found.counts_wrong))
    return found.members_wrong
