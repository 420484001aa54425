"""The registry's named acts: deregister, suspend, transfer, move; and proposals of changes to what a bureau writes.

Each act is one function with a keyword-only ``actor``, atomic, audited through ``core.services`` (which checks
the actor's role, scope and the fields only a bureau writes). Pages, the API and commands call these and never
set an instrument's status or an organisation's deregistration themselves.

A registry under law is not deleted: a record leaves the register by deregistration (注销) with its reason and
date, and stays readable with its history; only a superuser deletes a record entered in error that nothing
refers to (``models.UnreferencedDeleteMixin``).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core import services as core
from jiliang.core.scoping import CHANGE, VIEW, is_authority

from . import models as m


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    return reason


def _day(on: dt.date | None) -> dt.date:
    day = on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    return day


@transaction.atomic
def deregister_instrument(instrument: m.Instrument, *, reason: str, on: dt.date | None = None,
                          actor) -> m.Instrument:
    """注销: the instrument leaves the register and stays in the record, with its reason and date."""
    current = m.Instrument.objects.select_for_update().get(pk=instrument.pk)
    if current.status == m.InstrumentStatus.DEREGISTERED:
        raise ValidationError({"status": _("The instrument is already deregistered.")})
    return core.update_record(current, {"status": m.InstrumentStatus.DEREGISTERED, "status_reason": _reason(reason),
                                        "status_date": _day(on)}, actor=actor, message="deregistered")


@transaction.atomic
def suspend_instrument(instrument: m.Instrument, *, reason: str, on: dt.date | None = None,
                       actor) -> m.Instrument:
    """停用: taken out of use for a while (repair, season); it keeps its place in the register."""
    current = m.Instrument.objects.select_for_update().get(pk=instrument.pk)
    if current.status == m.InstrumentStatus.DEREGISTERED:
        raise ValidationError({"status": _("The instrument is deregistered.")})
    return core.update_record(current, {"status": m.InstrumentStatus.SUSPENDED, "status_reason": _reason(reason),
                                        "status_date": _day(on)}, actor=actor, message="suspended")


@transaction.atomic
def transfer_instrument(instrument: m.Instrument, *, owner: m.Organisation, actor) -> m.Instrument:
    """Another organisation becomes the owner. The actor must see the new owner, and keep the instrument in scope
    afterwards (an enterprise cannot give its instruments away; a bureau whose region holds both can)."""
    if not m.Organisation.objects.restrict(actor, VIEW).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("Choose an owner you can see.")})
    if owner.is_deregistered:
        raise ValidationError({"owner": _("%(org)s is deregistered.") % {"org": owner}})
    if owner.pk == instrument.owner_id:
        raise ValidationError({"owner": _("That is the instrument's owner already.")})
    return core.update_record(instrument, {"owner": owner}, actor=actor, message="transferred")


@transaction.atomic
def move_instrument(instrument: m.Instrument, *, region, address: str = "", actor) -> m.Instrument:
    """The instrument is now located in another region. The bureau of the new location sees it, and the
    bureau of the owner's region keeps seeing it (registry.scoping)."""
    key = "region" if hasattr(region, "pk") else "region_id"  # a Region or its GB/T 2260 code
    return core.update_record(instrument, {key: region, "address": address}, actor=actor, message="moved")


@transaction.atomic
def deregister_organisation(organisation: m.Organisation, *, reason: str, on: dt.date | None = None,
                            actor) -> m.Organisation:
    """注销 of an organisation, by a bureau: only once it has no instrument left in the register."""
    current = m.Organisation.objects.select_for_update().get(pk=organisation.pk)
    if current.is_deregistered:
        raise ValidationError({"deregistered_on": _("The organisation is already deregistered.")})
    open_instruments = current.instruments.exclude(status=m.InstrumentStatus.DEREGISTERED).count()
    if open_instruments:
        raise ValidationError({"reason": _("%(org)s still has %(n)d instruments in the register: deregister or "
                                           "transfer them first.") % {"org": current, "n": open_instruments}})
    return core.update_record(current, {"deregistered_on": _day(on), "deregistration_reason": _reason(reason)},
                              actor=actor, message="deregistered")


# --- proposals of changes to what the authority writes ------------------------------------------------------

def proposable_fields(model) -> list[str]:
    """The fields a holder may propose to change on a record of ``model`` (those only a bureau writes)."""
    return [f.name for f in model._meta.get_fields()
            if f.name in model.scope.authority_fields and getattr(f, "editable", False)]


def _encode(model, changes: dict) -> dict:
    out = {}
    for name, value in changes.items():
        field = model._meta.get_field(name)
        if field.many_to_many:
            out[name] = sorted(str(getattr(v, "pk", v)) for v in value)
        elif field.is_relation:
            out[name] = None if value is None else str(getattr(value, "pk", value))
        else:
            out[name] = audit.json_value(value)
    return out


def _decode(model, data: dict) -> tuple[dict, dict]:
    plain, m2m = {}, {}
    for name, value in data.items():
        field = model._meta.get_field(name)
        if field.many_to_many:
            m2m[name] = list(field.related_model._base_manager.filter(pk__in=value))
        elif field.is_relation:
            plain[field.attname] = value
        else:
            plain[name] = field.to_python(value)
    return plain, m2m


def current_values(obj) -> dict:
    return _encode(type(obj), {name: (getattr(obj, name).all() if obj._meta.get_field(name).many_to_many
                                      else getattr(obj, name)) for name in proposable_fields(type(obj))})


@transaction.atomic
def propose_change(obj, changes: dict, *, reason: str, actor) -> m.ChangeProposal:
    """The holder asks the bureau to change fields only the bureau writes (a renewed certificate, a new
    qualified item, a designation). Nothing changes on the record until a bureau accepts."""
    model = type(obj)
    allowed = set(proposable_fields(model))
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({"__all__": _("These fields are not proposed to the bureau: %(f)s.")
                               % {"f": ", ".join(sorted(unknown))}})
    if not model.objects.restrict(actor, CHANGE).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may only propose changes to your own records."))
    before = current_values(obj)
    proposed = {k: v for k, v in _encode(model, changes).items() if v != before.get(k)}
    if not proposed:
        raise ValidationError({"__all__": _("The proposal changes nothing.")})
    organisation_id = obj.audit_organisation_id()
    proposal = m.ChangeProposal.objects.create(
        content_type=ContentType.objects.get_for_model(model), object_id=obj.pk, object_repr=str(obj)[:200],
        organisation_id=organisation_id, current=before, proposed=proposed, reason=_reason(reason),
        proposed_by=actor)
    audit.record(proposal, "create", actor=actor, after={"object": f"{model._meta.label_lower}:{obj.pk}",
                                                         "proposed": proposed, "reason": proposal.reason})
    return proposal


def _decide(proposal: m.ChangeProposal, actor) -> m.ChangeProposal:
    current = m.ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    if current.status != m.ProposalStatus.PENDING:
        raise ValidationError({"__all__": _("The proposal was decided already.")})
    if not is_authority(actor) or not m.ChangeProposal.objects.restrict(actor, VIEW).filter(pk=current.pk).exists():
        raise PermissionDenied(_("Only the market supervision bureau of the holder's region decides proposals."))
    return current


@transaction.atomic
def accept_proposal(proposal: m.ChangeProposal, *, note: str = "", actor) -> m.ChangeProposal:
    """The bureau accepts: the record changes in its name (audited as the bureau's change)."""
    current = _decide(proposal, actor)
    target = current.target()
    plain, m2m = _decode(type(target), current.proposed)
    core.update_record(target, plain, m2m=m2m, actor=actor, message=f"change proposal #{current.pk} accepted")
    return _close(current, m.ProposalStatus.ACCEPTED, note, actor)


@transaction.atomic
def reject_proposal(proposal: m.ChangeProposal, *, note: str, actor) -> m.ChangeProposal:
    """The bureau rejects, saying why; the record stays as it was."""
    current = _decide(proposal, actor)
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the proposal is rejected.")})
    return _close(current, m.ProposalStatus.REJECTED, note, actor)


def _close(proposal: m.ChangeProposal, status: str, note: str, actor) -> m.ChangeProposal:
    proposal.status, proposal.decision_note = status, (note or "").strip()[:500]
    proposal.decided_by, proposal.decided_at = audit.resolve_actor(actor), timezone.now()
    proposal.save(update_fields=["status", "decision_note", "decided_by", "decided_at", "last_updated"])
    audit.record(proposal, "update", actor=actor, before={"status": m.ProposalStatus.PENDING},
                 after={"status": status, "note": proposal.decision_note})
    return proposal
