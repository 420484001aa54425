"""Read grants of supervision (contributed as core.extending.ScopeGrant in extensions.py): an institution sees the
verification events it issued or reported, and the conflicts its records raised, wherever the instrument is
(issue #13 item 8: "institutions the records they reported")."""

from django.db.models import Q


def own_institution_events(user) -> Q:
    return Q(institution_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])


def own_institution_conflicts(user) -> Q:
    return Q(event__institution_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
