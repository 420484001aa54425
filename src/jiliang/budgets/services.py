"""Business actions on budgets (audited, atomic, scope-checked through core.services)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from jiliang.core import services as core
from jiliang.uncertainty import UncertaintyError

from . import evaluation
from .models import TEMPLATE_KEYS, BudgetTemplate, SavedBudget


def evaluated(payload) -> dict:
    """The result of ``payload`` under this server's limits (GUM, and Monte Carlo when it asks for it).

    Runs before the record's transaction: a long Monte Carlo run holds no row lock.
    """
    try:
        return evaluation.evaluate(payload)
    except UncertaintyError as exc:
        raise ValidationError({"payload": evaluation.error_text(exc)}) from None


def save_budget(*, actor, institute, title: str, payload: dict, template: BudgetTemplate | None = None,
                **fields) -> SavedBudget:
    """Evaluate ``payload`` and keep the budget with its result under ``institute``.

    ``fields``: description, comments.
    """
    return create_budget({"institute": institute, "title": title, "payload": payload, "template": template,
                          "created_by": actor, **fields}, actor=actor)


def create_budget(data: dict, *, actor, m2m: dict | None = None) -> SavedBudget:
    """A new budget from the fields of a form or API request, with the result of its payload."""
    return core.create_record(SavedBudget, {**data, "result": evaluated(data.get("payload"))}, actor=actor, m2m=m2m)


def update_budget(budget: SavedBudget, changes: dict, *, actor, m2m: dict | None = None) -> SavedBudget:
    """Change a budget; a changed payload (or a budget without a result) is evaluated again."""
    # Compared with the stored row: a form has already written its values onto ``budget``.
    stored_payload, stored_result = SavedBudget.objects.values_list("payload", "result").get(pk=budget.pk)
    payload = changes.get("payload", stored_payload)
    if payload != stored_payload or not stored_result:
        changes = {**changes, "result": evaluated(payload)}
    return core.update_record(budget, changes, actor=actor, m2m=m2m)


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

