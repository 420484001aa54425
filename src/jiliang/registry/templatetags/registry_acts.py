"""What the signed-in user may do to a registry record from its detail page (the services check again)."""

from django import template
from django.contrib.contenttypes.models import ContentType

from jiliang.core.scoping import CHANGE, VIEW, is_authority

register = template.Library()


@register.simple_tag
def registry_acts(obj, user) -> dict:
    from .. import models as m
    from ..services import proposable_fields

    model = type(obj)
    can_change = model.objects.restrict(user, CHANGE).filter(pk=obj.pk).exists()
    deregistered = None
    if isinstance(obj, m.Instrument) and obj.status == m.InstrumentStatus.DEREGISTERED:
        deregistered = (obj.status_date, obj.status_reason)
    elif isinstance(obj, m.Organisation) and obj.is_deregistered:
        deregistered = (obj.deregistered_on, obj.deregistration_reason)
    can_deregister = can_change and deregistered is None and (
        isinstance(obj, m.Instrument) or (isinstance(obj, m.Organisation) and is_authority(user)))
    proposals = m.ChangeProposal.objects.restrict(user, VIEW).filter(
        content_type=ContentType.objects.get_for_model(model), object_id=obj.pk).order_by("-id")[:10]
    return {
        "deregistered": deregistered,
        "can_deregister": can_deregister,
        "can_propose": can_change and not is_authority(user) and bool(proposable_fields(model)),
        "proposals": list(proposals),
    }


@register.simple_tag
def can_decide(proposal, user) -> bool:
    from .. import models as m

    return is_authority(user) and proposal.status == m.ProposalStatus.PENDING \
        and m.ChangeProposal.objects.restrict(user, VIEW).filter(pk=proposal.pk).exists()
