"""Verification's home-page panels (contributed in verification/extensions.py), each scoped through
``restrict(user, VIEW)``:

* institute staff: *my queue*, the work orders waiting for the user's own signature (measure what was scheduled to
  them, check what others measured, approve what others checked, issue what they approved), by due date;
* enterprises: their instruments with the next due date their certificates give, and their open requests.

The bureaus' panel of instruments under mandatory verification is supervision's (supervision/home.py).
"""

from __future__ import annotations

from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiliang.core.roles import Role
from jiliang.core.scoping import VIEW, organisation_acting_as
from jiliang.registry.models import Instrument, Person

from . import due
from .models import OPEN_STATUSES, MeasurementResult, WorkOrder, WorkStatus

QUEUE_SHOWN = 50
INSTRUMENTS_SHOWN = 20
STEP_LABELS = {WorkStatus.SCHEDULED: _("measure"), WorkStatus.MEASURED: _("check"),
               WorkStatus.CHECKED: _("approve"), WorkStatus.APPROVED: _("issue certificates")}


def _qualified(person: Person, wo: WorkOrder, day) -> bool:
    return all(person.qualified_for(item.qualification_key, day) for item in wo.items.all())


def my_queue(request) -> dict | None:
    """The work orders waiting for the signing user's next step, soonest scheduled first; and how many wait for
    the institute as a whole (to accept, to schedule)."""
    user = request.user
    institute = organisation_acting_as(user, Role.INSTITUTE)
    if institute is None:
        return None
    orders = WorkOrder.objects.restrict(user, VIEW).filter(institute_id=institute)
    person = Person.objects.restrict(user, VIEW).filter(user=user).first()
    mine = []
    if person is not None:
        today = timezone.localdate()
        mine += list(orders.filter(status=WorkStatus.SCHEDULED, technician=person))
        mine += list(orders.filter(status=WorkStatus.APPROVED, approver=person))
        to_sign = list(orders.filter(status__in=(WorkStatus.MEASURED, WorkStatus.CHECKED))
                       .exclude(checker=person).prefetch_related("items").order_by("scheduled_date", "id")[:QUEUE_SHOWN])
        measured_by_me = set(MeasurementResult.objects.filter(
            item__work_order__in=[wo.pk for wo in to_sign], technician=person).values_list("item__work_order_id",
                                                                                           flat=True))
        mine += [wo for wo in to_sign if wo.pk not in measured_by_me and _qualified(person, wo, today)]
    ids = [wo.pk for wo in mine]
    rows = list(orders.filter(pk__in=ids).select_related("owner").annotate(n_items=Count("items"))
                .order_by(F("scheduled_date").asc(nulls_last=True), "requested_at", "id")[:QUEUE_SHOWN])
    waiting = dict(orders.filter(status__in=(WorkStatus.REQUESTED, WorkStatus.ACCEPTED)).values_list("status")
                   .annotate(n=Count("id")).order_by())
    return {"person": person, "total": len(ids),
            "rows": [{"order": wo, "step": STEP_LABELS[wo.status], "url": reverse("work-orders-detail", args=[wo.pk])}
                     for wo in rows],
            "to_accept": waiting.get(WorkStatus.REQUESTED, 0), "to_schedule": waiting.get(WorkStatus.ACCEPTED, 0)}


def enterprise_instruments(request) -> dict | None:
    """The enterprise's instruments, those due first: next due date and status from their latest verification."""
    user = request.user
    owner = organisation_acting_as(user, Role.ENTERPRISE)
    if owner is None:
        return None
    today = timezone.localdate()
    mine = Instrument.objects.restrict(user, VIEW).filter(owner_id=owner)
    rows = list(due.with_next_due(mine).select_related("category")
                .order_by(F("next_due").asc(nulls_last=True), "pk")[:INSTRUMENTS_SHOWN])
    for inst in rows:
        inst.due_state = due.due_state(inst.last_outcome, inst.next_due, today)
        inst.due_label = due.DueState(inst.due_state).label
        inst.url = reverse("instruments-detail", args=[inst.pk])
    counts = due.counts_by_region(due.in_supervision(mine), today)
    summary = {k: sum(c[k] for c in counts.values()) for k in ("total", "overdue", "due_soon", "failed")}
    return {"rows": rows, "total": mine.count(), "summary": summary, "list_url": reverse("instruments-list")}


def enterprise_requests(request) -> dict | None:
    """The enterprise's open verification and calibration requests, oldest first."""
    user = request.user
    owner = organisation_acting_as(user, Role.ENTERPRISE)
    if owner is None:
        return None
    rows = list(WorkOrder.objects.restrict(user, VIEW).filter(owner_id=owner, status__in=OPEN_STATUSES)
                .select_related("institute").annotate(n_items=Count("items")).order_by("requested_at", "id")[:QUEUE_SHOWN])
    for wo in rows:
        wo.url = reverse("work-orders-detail", args=[wo.pk])
    return {"rows": rows, "list_url": reverse("work-orders-list"), "request_url": reverse("work-orders-request")}
