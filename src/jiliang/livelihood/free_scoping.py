"""What an institution may read of free verification beyond its own instruments (extensions.py ScopeGrant): the
free verifications of the events it did, wherever the instrument is."""

from django.db.models import Q

from jiliang.supervision.models import VerificationEvent


def own_verifications(user) -> Q:
    if not user.organisation_id:
        return Q(pk__in=[])
    return Q(pk__in=VerificationEvent.objects.filter(institution_id=user.organisation_id).values("pk"))
