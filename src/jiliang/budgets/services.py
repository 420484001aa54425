"""Business actions on budgets (audited, atomic, scope-checked through core.services)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from jiliang.core import services as core

from .models import TEMPLATE_KEYS, BudgetTemplate, SavedBudget


@transaction.atomic
def save_budget(*, actor, institute, title: str, payload: dict, template: BudgetTemplate | None = None,
                **fields) -> SavedBudget:
    """Evaluate ``payload`` and keep the budget under ``institute`` (the model computes the result).

    ``fields``: description, comments.
    """
    return core.create_record(SavedBudget, {"institute": institute, "title": title, "payload": payload,
                                            "template": template, "created_by": actor, **fields}, actor=actor)


@transaction.atomic
def attach_budget(budget: SavedBudget, target: models.Model | None, *, actor) -> SavedBudget:
    """Attach the budget to a record of another app (a calibration result), or detach it with ``None``."""
    # The audit message is kept in English whatever the actor's language: the trail is a record.
    if target is None:
        changes, message = {"attached_type": None, "attached_id": ""}, "budget detached"
    else:
        changes = {"attached_type": ContentType.objects.get_for_model(type(target)), "attached_id": str(target.pk)}
        message = f"budget attached to {target._meta.label_lower} {target.pk}"
    return core.update_record(budget, changes, actor=actor, message=message)


def template_from_payload(payload: dict) -> dict:
    """The template JSON of a calculator request: model, inputs and correlations, the rest as options."""
    if not isinstance(payload, dict):
        raise ValidationError({"template": _("A template is made from a request object.")})
    data = {k: payload[k] for k in ("model", "inputs", "correlations") if k in payload}
    data["options"] = {k: v for k, v in payload.items() if k not in TEMPLATE_KEYS}
    return data


def fill_template(template: BudgetTemplate, values: dict, *, strict: bool = True) -> dict:
    """The request payload of ``template`` with ``values[input][parameter]`` filled in (UncertaintyError if not)."""
    return template.engine_template().fill(values, strict=strict)

