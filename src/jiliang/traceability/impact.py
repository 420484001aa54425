"""Reverse traceability (反向溯源): what a standard found out of tolerance, or a revoked certificate, reached.

The rule (docs/traceability-impact.md):

* **The source.** A standard found out of tolerance on ``found_on``: its *window* runs from its last good
  calibration (the latest calibration link of the standard, as child, dated before ``found_on``; none known: from
  the beginning) up to ``found_on``. A revoked certificate: the calibration links that name its number (the
  standards it calibrated), from their dates on.
* **Down the graph.** Every link whose parent is the source and whose date lies in the window is affected: the
  certificate or calibration record, and the node it calibrated. A standard reached this way passed the error on
  to everything it calibrated *since that link's date* (no upper bound: a later good recalibration is for the
  institute to judge, and its decision says so); a standard reached by several links counts from the earliest.
  Instruments and reference materials are leaves. Void links (revoked records) carry nothing.
* **Cycles.** A standard is expanded again only when it is reached at an earlier date than before (so the walk
  ends: dates only go down), and a link is recorded once. A link leading back to the source is not followed; it
  is counted as a cycle and named in the case's reason.

The walk runs on links read level by level (one query per level and chunk of parents) into memory;
:func:`walk_cte` gives the same links with one recursive CTE (both engines), used by the tests and the bench as a
second implementation and baseline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.bulk import copy_rows
from jiliang.core.roles import BUREAU_ROLES
from jiliang.core.scoping import VIEW, is_unrestricted, user_role
from jiliang.registry.models import MeasurementStandard

from .models import (
    AffectedRecord,
    Decision,
    ImpactCase,
    ImpactStatus,
    ImpactTrigger,
    Link,
    LinkSource,
    NodeKind,
)

CHUNK = 500  # parents per query
EPOCH = dt.date(1, 1, 1)
FIELDS = ("id", "parent_id", "child_kind", "child_id", "on", "source", "source_id", "certificate_no",
          "region_id", "organisation_id")


class Row(NamedTuple):  # a tuple: 200,000 of them are made per walk
    id: int
    parent_id: int
    child_kind: str
    child_id: int
    on: dt.date
    source: str
    source_id: int | None
    certificate_no: str
    region_id: str
    organisation_id: int


@dataclass
class Walk:
    """What a walk reached: the links (id → (row, depth)) and the links back to the source (cycles)."""

    reached: dict[int, tuple[Row, int]] = field(default_factory=dict)
    cycles: list[Row] = field(default_factory=list)


def _children(parents: dict[int, dt.date]) -> Iterable[Row]:
    """The live links below ``parents`` (standard ids) dated on or after the earliest of their windows."""
    ids = sorted(parents)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        since = min(parents[i] for i in chunk)
        qs = Link.objects.filter(parent_kind=NodeKind.STANDARD, parent_id__in=chunk, on__gte=since, void=False)
        sql, params = qs.order_by().values_list(*FIELDS).query.sql_with_params()
        with connection.cursor() as cursor:  # plain rows: the fields need no conversion (dates come as dates)
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(20000):
                yield from map(Row._make, rows)


def walk(source: int | None, *, since: dt.date | None, until: dt.date | None,
         seeds: Iterable[Row] = ()) -> Walk:
    """Links reached from standard ``source`` in its window [since, until], or from ``seeds`` (links already
    affected, e.g. a revoked certificate's calibrations). See the module docstring for the rule."""
    out = Walk()
    best: dict[int, dt.date] = {}
    frontier: dict[int, dt.date] = {}
    if source is not None:
        best[source] = EPOCH  # never expanded again
        frontier[source] = since or EPOCH

    def reach(row: Row, depth: int, nxt: dict[int, dt.date]) -> None:
        if source is not None and row.child_kind == NodeKind.STANDARD and row.child_id == source:
            out.cycles.append(row)
            return
        if row.id in out.reached:
            return
        out.reached[row.id] = (row, depth)
        if row.child_kind == NodeKind.STANDARD:
            c = row.child_id
            if c not in best or row.on < best[c]:
                best[c] = row.on
                nxt[c] = min(nxt.get(c, row.on), row.on)

    depth = 1
    seeded: dict[int, dt.date] = {}
    for row in seeds:
        reach(row, depth, seeded)
    if seeded:
        frontier.update(seeded)
        depth = 2
    std, reached = NodeKind.STANDARD.value, out.reached
    while frontier:
        nxt: dict[int, dt.date] = {}
        for row in _children(frontier):
            link_id, parent, kind, _child, on = row[:5]
            if on < frontier[parent] or (parent == source and until is not None and on > until):
                continue
            if kind == std:
                reach(row, depth, nxt)
            elif link_id not in reached:  # a leaf (the same as reach() does for it, inlined: most rows are leaves)
                reached[link_id] = (row, depth)
        frontier, depth = nxt, depth + 1
    return out


def walk_cte(source: int, *, since: dt.date | None, until: dt.date | None) -> set[int]:
    """The ids of the links :func:`walk` reaches from ``source``, by one recursive CTE (UNION ends it on cycles:
    each link gives one row, and a row already found is not produced again)."""
    table = connection.ops.quote_name(Link._meta.db_table)
    std = NodeKind.STANDARD
    sql = f"""
    WITH RECURSIVE reached(id, child_kind, child_id, day) AS (
        SELECT l.id, l.child_kind, l.child_id, l."on" FROM {table} l
        WHERE l.parent_kind = %s AND l.parent_id = %s AND l."on" >= %s AND l."on" <= %s AND NOT l.void
          AND NOT (l.child_kind = %s AND l.child_id = %s)
      UNION
        SELECT l.id, l.child_kind, l.child_id, l."on" FROM reached r JOIN {table} l
          ON l.parent_kind = %s AND l.parent_id = r.child_id AND l."on" >= r.day
        WHERE r.child_kind = %s AND NOT l.void AND NOT (l.child_kind = %s AND l.child_id = %s)
    ) SELECT DISTINCT id FROM reached"""  # noqa: S608 - the model's own table name, quoted; values are parameters
    params = [std, source, since or EPOCH, until or dt.date(9999, 12, 31), std, source, std, std, std, source]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {r[0] for r in cursor.fetchall()}


def last_good_calibration(standard_id: int, found_on: dt.date) -> dt.date | None:
    """The date of the standard's latest calibration before ``found_on`` (from its calibration links)."""
    return (Link.objects.filter(child_kind=NodeKind.STANDARD, child_id=standard_id, on__lt=found_on, void=False)
            .order_by("-on").values_list("on", flat=True).first())


# -- opening a case -----------------------------------------------------------------------------------------


def may_open_for(user, institute_id: int, region_id: str) -> bool:
    """An institute for its own standards and certificates; a bureau for those in its region; superusers."""
    if is_unrestricted(user):
        return True
    role = user_role(user)
    if role in BUREAU_ROLES:
        return MeasurementStandard.objects.restrict(user, VIEW).filter(institute_id=institute_id).exists() or \
            region_id in _subtree(user)
    return getattr(user, "organisation_id", None) == institute_id


def _subtree(user) -> set[str]:
    from jiliang.core.regions import subtree_codes

    return set(subtree_codes(user.region_id)) if getattr(user, "region_id", None) else set()


RECORD_COLUMNS = ("case_id", "node_kind", "node_id", "via_link", "parent_standard", "certificate_id",
                  "certificate_no", "on", "depth", "owner_id", "region_id", "decision", "note")


def _records(case_id: int, w: Walk, kept: set[tuple]) -> Iterator[tuple]:
    """One record per node and certificate (a measurement with two affected standards gives two links to the
    same certificate: the shallower is kept), as plain values for :data:`RECORD_COLUMNS`, in the order of
    (depth, date, link); each kept (kind, node, certificate number) is added to ``kept``."""
    certificate, pending = LinkSource.CERTIFICATE.value, Decision.PENDING.value
    # In rank order, the first link of each (node, certificate) is the one kept. Positions, not names: Row's
    # fields are (id, parent_id, child_kind, child_id, on, source, source_id, certificate_no, region_id, org).
    for row, depth in sorted(w.reached.values(), key=lambda rd: (rd[1], rd[0][4], rd[0][0])):
        link_id, parent, kind, child, on, source, source_id, number, region, owner = row
        key = (kind, child, number)
        if key in kept:
            continue
        kept.add(key)
        yield (case_id, kind, child, link_id, parent, source_id if source == certificate else None, number, on,
               min(depth, 32767), owner, region, pending, "")


def _count(case: ImpactCase, w: Walk) -> None:
    """The counts over the reached links (the records keep one link per node and certificate: the same sets)."""
    rows = [row for row, _depth in w.reached.values()]
    case.affected_certificates = len({r.certificate_no for r in rows if r.certificate_no})
    case.affected_instruments = len({r.child_id for r in rows if r.child_kind == NodeKind.INSTRUMENT})
    case.affected_standards = len({r.child_id for r in rows if r.child_kind == NodeKind.STANDARD})


def _write(records: Iterable[tuple]) -> None:
    """Write the records set-based: PostgreSQL's COPY of the plain values as they are made (the server inserts
    while the next ones are made; the ids come from the table's identity), elsewhere bulk_create."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            copy_rows(cursor, AffectedRecord._meta.db_table, RECORD_COLUMNS, records)
        return
    AffectedRecord.objects.bulk_create([AffectedRecord(**dict(zip(RECORD_COLUMNS, r, strict=True)))
                                        for r in records], batch_size=2000)


def _cycle_note(w: Walk) -> str:
    if not w.cycles:
        return ""
    members = ", ".join(sorted({f"{r.child_kind}:{r.child_id} ← {r.parent_id} ({r.on})" for r in w.cycles}))
    return "\n" + _("Links leading back to the source (a cycle in the records, not followed): %(members)s") % {
        "members": members}


@transaction.atomic
def open_standard_case(standard: MeasurementStandard, *, actor, found_on: dt.date, reason: str,
                       notify: bool = True) -> ImpactCase:
    """Open a case for ``standard`` found out of tolerance on ``found_on`` and record everything it reached."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say what was found (the out-of-tolerance result).")})
    if found_on > timezone.localdate():
        raise ValidationError({"found_on": _("The finding cannot be dated in the future.")})
    if not may_open_for(actor, standard.institute_id, standard.institute.region_id):
        raise PermissionDenied(_("Only the standard's institute or a bureau over its region opens a case for it."))
    since = last_good_calibration(standard.pk, found_on)
    case = ImpactCase(trigger=ImpactTrigger.OUT_OF_TOLERANCE, standard=standard, found_on=found_on,
                      last_good_on=since, reason=reason.strip(), region_id=standard.institute.region_id,
                      organisation_id=standard.institute_id, opened_by=actor if actor and actor.pk else None)
    w = walk(standard.pk, since=since, until=found_on)
    case.reason += _cycle_note(w)
    return _save(case, w, actor, notify)


@transaction.atomic
def open_certificate_case(certificate, *, actor, reason: str, notify: bool = True) -> ImpactCase:
    """Open a case for a revoked certificate: the standards it calibrated (calibration links naming its number)
    and everything below them since."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the certificate's results are in doubt.")})
    if not may_open_for(actor, certificate.institute_id, certificate.institute.region_id):
        raise PermissionDenied(_("Only the certificate's institute or a bureau over its region opens a case for it."))
    seeds = [Row(*v) for v in Link.objects.filter(source=LinkSource.CALIBRATION, certificate_no=certificate.number,
                                                  void=False).order_by("on", "id").values_list(*FIELDS)]
    case = ImpactCase(trigger=ImpactTrigger.REVOKED, certificate=certificate, found_on=timezone.localdate(),
                      reason=reason.strip(), region_id=certificate.institute.region_id,
                      organisation_id=certificate.institute_id, opened_by=actor if actor and actor.pk else None)
    return _save(case, walk(None, since=None, until=None, seeds=seeds), actor, notify)


def _save(case: ImpactCase, w: Walk, actor, notify: bool) -> ImpactCase:
    _count(case, w)
    if not w.reached:
        case.status = ImpactStatus.CLOSED
    case.save()
    kept: set[tuple] = set()
    _write(_records(case.pk, w, kept))
    written = len(kept)
    audit.record(case, "create", actor=actor, message=f"reverse-traceability case opened: {case}",
                 after={"trigger": case.trigger, "found_on": str(case.found_on),
                        "last_good_on": str(case.last_good_on or ""), "records": written,
                        "certificates": case.affected_certificates, "instruments": case.affected_instruments,
                        "standards": case.affected_standards})
    if notify:
        from .impact_notices import notify_case

        notify_case(case)
    return case


# -- decisions ------------------------------------------------------------------------------------------------


def deciding_institutes(record: AffectedRecord) -> set[int]:
    """The case's institute, and the institute whose standard made the record (the via link's parent)."""
    out = {record.case.organisation_id}
    if record.parent_standard:
        inst = MeasurementStandard.objects.filter(pk=record.parent_standard).values_list("institute_id",
                                                                                           flat=True).first()
        if inst:
            out.add(inst)
    return out


def may_decide(user, record: AffectedRecord) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return getattr(user, "organisation_id", None) in deciding_institutes(record)


@transaction.atomic
def decide(record: AffectedRecord, *, actor, decision: str, note: str = "") -> AffectedRecord:
    """The institute's decision on one affected record; a revocation revokes the certificate too. The case closes
    when no record is left under review."""
    record = AffectedRecord.objects.select_for_update().select_related("case").get(pk=record.pk)
    if decision not in (Decision.UPHELD, Decision.REISSUED, Decision.REVOKED):
        raise ValidationError({"decision": _("Choose upheld, re-verified and reissued, or revoked.")})
    if record.case.status == ImpactStatus.CLOSED and record.decision != Decision.PENDING:
        raise ValidationError({"decision": _("This case is closed; its decisions stand.")})
    if not may_decide(actor, record):
        raise PermissionDenied(_("Only the institute of the case or of the record decides on it."))
    if decision != Decision.UPHELD and not (note or "").strip():
        raise ValidationError({"note": _("Say what was done (the new certificate, or why it is revoked).")})
    before = {"decision": record.decision, "note": record.note}
    if decision == Decision.REVOKED and record.certificate_id:
        from jiliang.verification.models import CertificateStatus
        from jiliang.verification.services import revoke_certificate

        if record.certificate.status == CertificateStatus.VALID:
            revoke_certificate(record.certificate, actor=actor,
                               reason=_("Reverse traceability: %(note)s") % {"note": note.strip()})
    record.decision, record.note = decision, (note or "").strip()[:500]
    record.decided_by, record.decided_at = actor, timezone.now()
    record.save(update_fields=["decision", "note", "decided_by", "decided_at"])
    audit.record(record, "action", actor=actor, before=before, after={"decision": decision, "note": record.note},
                 message=f"reverse-traceability decision: {record} {decision}")
    case = ImpactCase.objects.select_for_update().get(pk=record.case_id)
    if case.status == ImpactStatus.OPEN and not case.affected.filter(decision=Decision.PENDING).exists():
        case.status = ImpactStatus.CLOSED
        case.save(update_fields=["status", "last_updated"])
        audit.record(case, "action", actor=actor, before={"status": "open"}, after={"status": "closed"},
                     message=f"reverse-traceability case closed: {case}")
    return record


def under_review(certificate_id: int) -> bool:
    """Whether an open case holds this certificate undecided (the public check page flags it)."""
    return AffectedRecord.objects.filter(certificate_id=certificate_id, decision=Decision.PENDING,
                                         case__status=ImpactStatus.OPEN).exists()
