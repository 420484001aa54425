"""Who reads reverse-traceability cases beyond their own scope (ScopeGrants, traceability/extensions.py).

A case is scoped to its institute and region (the standard's); an affected record to its owner and region. Added:
owners and institutes see the cases that reached their instruments or standards (the case's header, and their own
records only); a city or county bureau the cases that reached its region; the case's institute, and the institute
whose standard made a record, every record of it (they decide)."""

from __future__ import annotations

from django.db.models import Q

from jiliang.core.regions import subtree_codes
from jiliang.registry.models import MeasurementStandard

from .models import AffectedRecord, ImpactCase


def cases_reaching_own(user) -> Q:
    return Q(pk__in=AffectedRecord.objects.filter(owner_id=user.organisation_id).values("case_id"))


def cases_reaching_region(user) -> Q:
    if not user.region_id:
        return Q(pk__in=[])
    return Q(pk__in=AffectedRecord.objects.filter(region_id__in=subtree_codes(user.region_id)).values("case_id"))


def records_to_decide(user) -> Q:
    own_cases = ImpactCase.objects.filter(organisation_id=user.organisation_id).values("pk")
    own_standards = MeasurementStandard.objects.filter(institute_id=user.organisation_id).values("pk")
    return Q(case_id__in=own_cases) | Q(parent_standard__in=own_standards)
