"""What an institute may read of supervision beyond its own instruments (extensions.py ScopeGrants): the state and
the verification events of every instrument it may see (those it is asked to verify: verification's grant on
registry.Instrument), and the events it recorded itself."""

from django.db.models import Q

from jiliang.core.scoping import VIEW
from jiliang.registry.models import Instrument


def _instruments(user):
    return Instrument.objects.restrict(user, VIEW).values("pk")


def visible_instruments(user) -> Q:
    return Q(pk__in=_instruments(user))


def visible_instrument_events(user) -> Q:
    return Q(instrument_id__in=_instruments(user)) | Q(institution_id=user.organisation_id)
