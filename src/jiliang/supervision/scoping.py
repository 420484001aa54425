"""What an institute may read of supervision beyond its own instruments (extensions.py ScopeGrants): the state and
the verification events of every instrument it may see (those it is asked to verify: verification's grant on
registry.Instrument), the events it recorded itself and the conflicts its records raised, wherever the
instrument is (issue #13 item 8: "institutions the records they reported")."""

from django.db.models import Q

from jiliang.core.scoping import VIEW
from jiliang.registry.models import Instrument


def _instruments(user):
    return Instrument.objects.restrict(user, VIEW).values("pk")


def visible_instruments(user) -> Q:
    return Q(pk__in=_instruments(user))


def visible_instrument_events(user) -> Q:
    return Q(instrument_id__in=_instruments(user)) | Q(institution_id=user.organisation_id)


def own_institution_conflicts(user) -> Q:
    return Q(event__institution_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])


def own_findings(user) -> Q:
    """The findings a user recorded (an inspector a campaign sent outside their county still sees their own)."""
    return Q(inspector_id=user.pk)
