"""Core's home-page panel: the latest audited changes the user may see, linked to their objects."""

from .changes import describe, object_links
from .models import AuditEntry
from .scoping import VIEW

RECENT = 10


def recent_changes(request) -> dict:
    user = request.user
    recent = list(AuditEntry.objects.restrict(user, VIEW).order_by("-id")[:RECENT])
    links, changes = object_links(recent, user), describe(recent)
    return {"recent": [(e, links.get(e.pk), [str(c) for c in changes[e.pk]]) for e in recent]}
