"""Which verifications a free-verification programme (计量惠民) covers: the documented rule.

Zhejiang 条例 Art. 22 introduces free compulsory verification paid from the budget; the Jiangsu plan's 专栏10 names
markets and rural clinics (reference/supervision-integrity-licensing.md §3.2, §3.4). Neither text says which
instruments are meant in terms a register can check, so jiliang's rule is this (docs/livelihood-free-verification.md):

* **market** (集贸市场): instruments owned by an organisation of kind *market*, or registered as a scale of a
  market (MarketScale: on a stall or a public fair scale), whoever owns them;
* **rural clinic** (乡镇卫生院): instruments owned by an organisation of kind *hospital or clinic* whose region is
  a county or a county-level city (县、县级市), not a city district. The register has no finer kind than "hospital
  or clinic", so a county's people's hospital is covered too; a programme that must be narrower names its owners;
* **other**: the owners and/or categories the programme names (at least one of the two);
* for every kind, where the programme names categories only those categories, where it names owners only those
  owners; the instrument's region lies in the programme's region (empty: the province); and the verification's
  date lies within the programme's dates (either end open).

The rule is read as a filter on instruments (:func:`instruments_q`, used for the 受检率 population) and checked on
one event with its reason (:func:`refusal`).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from jiliang.core.models import RegionLevel
from jiliang.core.regions import subtree_codes
from jiliang.registry.models import OrganisationKind

from .models import FreeProgramme, ProgrammeKind

RURAL_LEVELS = (RegionLevel.COUNTY, RegionLevel.COUNTY_LEVEL_CITY)


def instruments_q(programme: FreeProgramme) -> Q:
    """The instruments ``programme`` covers, as a filter on registry.Instrument."""
    q = Q()
    if programme.kind == ProgrammeKind.MARKET:
        q &= Q(owner__kind=OrganisationKind.MARKET) | Q(market_scale__isnull=False)
    elif programme.kind == ProgrammeKind.RURAL_CLINIC:
        q &= Q(owner__kind=OrganisationKind.HOSPITAL, region__level__in=RURAL_LEVELS)
    categories = [c.pk for c in programme.categories.all()]
    owners = [o.pk for o in programme.owners.all()]
    if categories:
        q &= Q(category_id__in=categories)
    if owners:
        q &= Q(owner_id__in=owners)
    if programme.kind == ProgrammeKind.OTHER and not (categories or owners):
        return Q(pk__in=[])
    if programme.region_id:
        q &= Q(region_id__in=subtree_codes(programme.region_id))
    return q


def date_refusal(programme: FreeProgramme, day) -> str | None:
    if programme.starts_on and day < programme.starts_on:
        return _("The verification on %(day)s is before the programme starts (%(start)s).") % {
            "day": day, "start": programme.starts_on}
    if programme.ends_on and day > programme.ends_on:
        return _("The verification on %(day)s is after the programme ends (%(end)s).") % {
            "day": day, "end": programme.ends_on}
    return None


def refusal(programme: FreeProgramme, event) -> str | None:
    """Why ``programme`` does not cover ``event`` (a supervision.VerificationEvent), or None when it does."""
    from jiliang.registry.models import Instrument

    if not programme.active:
        return _("The programme %(p)s is not active.") % {"p": programme}
    if (why := date_refusal(programme, event.verified_on)) is not None:
        return why
    if Instrument.objects.filter(instruments_q(programme), pk=event.instrument_id).exists():
        return None
    instrument = Instrument.objects.select_related("owner", "region", "category").get(pk=event.instrument_id)
    if programme.region_id and instrument.region_id not in subtree_codes(programme.region_id):
        return _("The instrument is in %(r)s, outside the programme's region %(p)s.") % {
            "r": instrument.region, "p": programme.region}
    categories = list(programme.categories.all())
    if categories and instrument.category_id not in {c.pk for c in categories}:
        return _("The programme covers only these categories: %(c)s; the instrument is a %(i)s.") % {
            "c": ", ".join(c.name for c in categories), "i": instrument.category.name}
    owners = list(programme.owners.all())
    if owners and instrument.owner_id not in {o.pk for o in owners}:
        return _("The programme covers only named owners; %(o)s is not one of them.") % {"o": instrument.owner}
    if programme.kind == ProgrammeKind.MARKET:
        return _("The instrument's owner %(o)s is not a market and the instrument is not registered as a market "
                 "scale.") % {"o": instrument.owner}
    if programme.kind == ProgrammeKind.RURAL_CLINIC:
        if instrument.owner.kind != OrganisationKind.HOSPITAL:
            return _("The instrument's owner %(o)s is not a hospital or clinic.") % {"o": instrument.owner}
        return _("The instrument is in %(r)s, a city district, not a county or county-level city.") % {
            "r": instrument.region}
    return _("The programme names no owners or categories, so it covers nothing.")


def covering(event, programmes=None) -> list[FreeProgramme]:
    """The active programmes that cover ``event``."""
    if programmes is None:
        programmes = FreeProgramme.objects.filter(active=True).prefetch_related("categories", "owners")
    return [p for p in programmes if refusal(p, event) is None]
