"""The registry's home-page panels (contributed in registry/extensions.py): counts of what the user may see, and
for the bureaus the instruments by category and by status. Every count starts from ``restrict(user, VIEW)``."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import shown_to
from jiliang.core.roles import BUREAU_ROLES, Role
from jiliang.core.scoping import VIEW, user_role

from . import models as m

STAFF = frozenset({Role.INSTITUTE, *BUREAU_ROLES})
# (key, label, model, extra filter, url name, query, roles that see the count; None: everyone)
COUNTS = [
    ("instruments", _("instruments"), m.Instrument, {}, "instruments-list", "", None),
    ("mandatory", _("under mandatory verification"), m.Instrument, {"mandatory": True}, "instruments-list",
     "?mandatory=true", None),
    ("organisations", _("organisations"), m.Organisation, {}, "organisations-list", "", BUREAU_ROLES),
    ("standards", _("measurement standards"), m.MeasurementStandard, {}, "standards-list", "", STAFF),
    ("reference_materials", _("reference materials"), m.ReferenceMaterial, {}, "reference-materials-list", "", STAFF),
    ("people", _("people"), m.Person, {}, "people-list", "", None),
]
TOP_CATEGORIES = 10


def counts(request) -> dict:
    user = request.user
    role = user_role(user)
    return {"counts": [{"key": key, "label": label, "n": model.objects.restrict(user, VIEW).filter(**where).count(),
                        "url": reverse(url) + query}
                       for key, label, model, where, url, query, roles in COUNTS if shown_to(roles, user, role)]}


def charts(request) -> dict:
    """Instruments by category (the ten largest) and by status, as [name, count] pairs; empty lists when there
    are none (the panel then says so instead of drawing empty axes)."""
    instruments = m.Instrument.objects.restrict(request.user, VIEW)
    english = (get_language() or "").startswith("en")
    by_category = [[(r["category__name_en"] if english and r["category__name_en"] else r["category__name"]), r["n"]]
                   for r in instruments.values("category__name", "category__name_en").annotate(n=Count("id"))
                   .order_by("-n", "category__name")[:TOP_CATEGORIES]]
    by_status = [[str(m.InstrumentStatus(k).label), n]
                 for k, n in instruments.values_list("status").annotate(n=Count("id")).order_by("status")]
    return {"by_category": by_category, "by_status": by_status}
