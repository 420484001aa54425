"""Who may act on a work order, the flow table's check, locking, notifying and signing persons: what
every act of the verification services shares."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.roles import Role
from jiliang.core.scoping import VIEW, user_role
from jiliang.registry.models import Organisation, Person

from ..models import MeasurementResult, Notification, WorkOrder, WorkStatus
from ..workflow import ACTS, OWNER, Act


def _require_institute_staff(actor, institute) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."))
    if actor.is_superuser:
        return
    if user_role(actor) == Role.INSTITUTE and actor.organisation_id == institute.pk:
        return
    raise PermissionDenied(_("Only the staff of %(institute)s may do this.") % {"institute": institute})


def _require_owner_side(actor, owner) -> None:
    """The owner itself, or a bureau whose region covers the owner (acting on its behalf)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."))
    if not Organisation.objects.restrict(actor, VIEW).filter(pk=owner.pk).exists():
        raise PermissionDenied(_("You may not act for %(owner)s.") % {"owner": owner})


def _visible(actor, wo: WorkOrder) -> None:
    if not WorkOrder.objects.restrict(actor, VIEW).filter(pk=wo.pk).exists():
        raise PermissionDenied(_("Work order %(number)s is not yours to see.") % {"number": wo.number})


def _lock(wo: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().select_related("owner", "institute").get(pk=wo.pk)


def _expect(wo: WorkOrder, *statuses: str) -> None:
    if wo.status not in statuses:
        raise ValidationError({"status": [_("Work order %(number)s is %(status)s; this step needs it to be %(need)s.")
                                          % {"number": wo.number, "status": wo.get_status_display(),
                                             "need": " / ".join(str(WorkStatus(s).label) for s in statuses)}]})


def _may(actor, wo: WorkOrder, name: str) -> Act:
    """The act ``name`` of the flow table (workflow.ACTS), after checking that ``actor`` is on a side that may
    take it and that the work order is in a state it starts from."""
    act = ACTS[name]
    try:
        _require_institute_staff(actor, wo.institute)
    except PermissionDenied:
        if OWNER not in act.by:
            raise
        _require_owner_side(actor, wo.owner)
    _expect(wo, *act.sources)
    return act


def notify_organisation(organisation: Organisation, message: str, *, subject: str,
                        work_order: WorkOrder | None = None) -> Notification:
    """In-app notification to ``organisation`` now; the e-mail to its contact address after commit (never for a
    rolled-back act). Other apps (supervision's reminders and notices) notify through this too."""
    email = organisation.contact_email
    note = Notification.objects.create(organisation=organisation, work_order=work_order, message=message[:500],
                                       emailed_to=email)
    if email:
        def send() -> None:
            send_mail(subject, message, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)

        transaction.on_commit(send)
    return note


def _notify(wo: WorkOrder, message: str) -> None:
    """In-app notification to the owner now; the e-mail after commit (never for a rolled-back act)."""
    notify_organisation(wo.owner, message, subject=f"[jiliang] {wo.number}: {message[:80]}", work_order=wo)


def _transition(wo: WorkOrder, new_status: str, *, actor, message: str, **fields) -> WorkOrder:
    old = {"status": wo.status, **{k: audit.json_value(getattr(wo, k if not hasattr(v, "_meta") else f"{k}_id"))
                                   for k, v in fields.items()}}
    for name, value in fields.items():
        setattr(wo, name, value)
    wo.status = new_status
    wo.save(update_fields=["status", "last_updated", *fields])
    new = {"status": new_status, **{k: audit.json_value(v.pk if hasattr(v, "_meta") else v) for k, v in fields.items()}}
    audit.record(wo, "action", actor=actor, before=old, after=new, message=message)
    _notify(wo, message)
    return wo


def _signer_check(person: Person, wo: WorkOrder, role_label: str, day: dt.date, field: str) -> None:
    if person is None:
        raise ValidationError({field: [_("Name the %(role)s (a registered metrologist of %(institute)s).")
                                       % {"role": role_label, "institute": wo.institute}]})
    if person.organisation_id != wo.institute_id:
        raise ValidationError({field: [_("%(person)s is not staff of %(institute)s.")
                                       % {"person": person, "institute": wo.institute}]})
    for item in wo.items.all():
        key = item.qualification_key
        if not person.qualified_for(key, day):
            raise ValidationError({field: [
                _("%(person)s is not qualified as %(role)s for %(item)s on %(day)s (their metrologist certificate "
                  "must be valid then and cover %(key)s).")
                % {"person": person, "role": role_label, "item": key, "day": day, "key": key}]})


def _person_of(actor) -> Person | None:
    return Person.objects.filter(user=actor).first() if getattr(actor, "is_authenticated", False) else None


def signer_of(actor, institute) -> Person | None:
    """The registered metrologist whose own account ``actor`` is, if they are staff of ``institute``."""
    person = _person_of(actor)
    return person if person is not None and person.organisation_id == institute.pk else None


def _signer(actor, wo: WorkOrder, role_label: str, days: list[dt.date], field: str,
            named: Person | None = None) -> Person:
    """The person who signs now: always the one linked to the signing account (JJF 1069-2012 6.3: each of the
    three signatures is that person's own). Naming someone else is refused, whatever the account's rights."""
    person = _person_of(actor)
    if named is not None and (person is None or named.pk != person.pk):
        raise PermissionDenied(_("Nobody signs in another's name: %(person)s signs as %(role)s from their own "
                                 "account.") % {"person": named, "role": role_label})
    if person is None:
        raise ValidationError({field: [_("Your account is not linked to a registered metrologist; only a "
                                         "metrologist signs as %(role)s, from their own account.")
                                       % {"role": role_label}]})
    for day in dict.fromkeys(days):
        _signer_check(person, wo, role_label, day, field)
    return person


def _technicians(wo: WorkOrder) -> set[int]:
    return set(MeasurementResult.objects.filter(item__work_order=wo).values_list("technician_id", flat=True))
