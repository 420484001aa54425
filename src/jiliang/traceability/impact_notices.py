"""Notices of a reverse-traceability case: one in-app notification (and e-mail) to each owner of an affected
instrument, and to each institute concerned (the case's, and those whose affected standards passed the error on),
through verification's notify_organisation, the list owners and institutes already read."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from jiliang.registry.models import Organisation
from jiliang.verification.services.base import notify_organisation

from .models import ImpactCase, NodeKind

SHOWN = 20  # certificate numbers named in one message


def _subject(case: ImpactCase) -> str:
    return _("[jiliang] Reverse traceability: %(source)s") % {"source": case.standard or case.certificate}


def notify_case(case: ImpactCase) -> int:
    """Send the case's notices; returns how many organisations were told."""
    told = 0
    with translation.override(settings.LANGUAGE_CODE):
        source = str(case.standard or case.certificate)
        subject = _subject(case)
        counts: dict[int, int] = {}
        shown: dict[int, list[str]] = {}
        rows = (case.affected.filter(node_kind=NodeKind.INSTRUMENT).order_by("owner_id", "on", "id")
                .values_list("owner_id", "certificate_no"))
        for owner_id, number in rows.iterator(chunk_size=20000):  # one pass, not a query per owner
            counts[owner_id] = counts.get(owner_id, 0) + 1
            mine = shown.setdefault(owner_id, [])
            if number and len(mine) < SHOWN:
                mine.append(number)
        owners = Organisation.objects.in_bulk(list(counts))
        for owner_id, n in counts.items():
            numbers = shown[owner_id]
            message = _("%(owner)s: %(n)d of your instruments were verified or calibrated with %(source)s, found "
                        "out of tolerance on %(day)s. Their certificates are under review until the institute "
                        "decides: %(numbers)s") % {"owner": owners[owner_id].name, "n": n, "source": source,
                                                   "day": case.found_on, "numbers": ", ".join(numbers)
                                                   + (" …" if n > len(numbers) else "")}
            notify_organisation(owners[owner_id], message, subject=subject)
            told += 1
        institutes = {case.organisation_id} | set(
            case.affected.filter(node_kind=NodeKind.STANDARD).values_list("owner_id", flat=True).distinct())
        for inst in Organisation.objects.filter(pk__in=institutes).order_by("pk"):
            message = _("%(institute)s: reverse-traceability case %(id)d on %(source)s (%(reason)s): "
                        "%(certs)d certificates, %(instruments)d instruments and %(standards)d standards reached; "
                        "decide on each affected record.") % {
                "institute": inst.name, "id": case.pk, "source": source, "reason": case.reason.splitlines()[0],
                "certs": case.affected_certificates, "instruments": case.affected_instruments,
                "standards": case.affected_standards}
            notify_organisation(inst, message, subject=subject)
            told += 1
    return told
