"""Audit entries in words: "使用单位：A → B" instead of ``owner_id=1314; category_id=6``.

An entry's ``before``/``after`` hold JSON snapshots keyed by field (``attname`` for foreign keys, as
:func:`core.audit.snapshot` writes them) or by the few extra keys services add. :func:`describe` turns them
into (label, before, after) in the reader's language: the field's verbose name, choice labels, names of the
related records (one query per related model for a whole page of entries), yes/no, local times, decimals as
entered. :func:`object_links` gives the detail page of each entry's object where the reader may open it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .formatting import display, outcome_label

# Keys services write beside the model's fields (verification/services/, telemetry/services.py).
EXTRA_KEYS = {
    "reason": gettext_lazy("reason"),
    "note": gettext_lazy("note"),
    "points": gettext_lazy("test points"),
    "standards": gettext_lazy("standards used"),
    "instruments": gettext_lazy("instruments"),
    "item": gettext_lazy("work order item"),
    "supersedes": gettext_lazy("supersedes"),
    "superseded_by": gettext_lazy("superseded by"),
    "key_id": gettext_lazy("key id"),
    "public_key": gettext_lazy("public key (PEM)"),
    "pdf_sha256": gettext_lazy("PDF SHA-256"),
    "dcc_xml": gettext_lazy("DCC XML (characters)"),
    "reviewed": gettext_lazy("reviewed"),
    "state": gettext_lazy("state"),
    "outcome": gettext_lazy("outcome"),
    "measured_on": gettext_lazy("measured on"),
    "number": gettext_lazy("number"),
    "kind": gettext_lazy("kind"),
    "valid_until": gettext_lazy("valid until"),
    "identity_submitted_by": gettext_lazy("registration of this identity refused; submitted by"),
    "fingerprint": gettext_lazy("fingerprint (SHA-256)"),
    "regulation": gettext_lazy("regulation"),
    "retired": gettext_lazy("keys retired"),
    "scan": gettext_lazy("looked up by code (scan)"),
    "photos": gettext_lazy("photos"),
}
# Keys whose values services write as English message ids (gettext_noop): shown in the reader's language.
TRANSLATED_VALUES = {"reason"}
# Keys whose values are ids of records of another model.
EXTRA_REFERENCES = {"standards": "registry.measurementstandard", "item": "verification.workorderitem"}
HIDDEN = {"id", "created", "last_updated"}


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None
    after: str | None

    def __str__(self) -> str:
        if self.before is None:
            value = self.after
        else:
            value = f"{self.before} → {'—' if self.after is None else self.after}"
        return _("%(label)s: %(value)s") % {"label": self.label, "value": value}


def model_for(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    model = model_for(object_type)
    return capfirst(str(model._meta.verbose_name)) if model else object_type


def _fields(model) -> dict[str, models.Field]:
    out = {}
    for f in model._meta.get_fields():
        if getattr(f, "concrete", False) or f.many_to_many:
            if f.auto_created and not f.concrete:
                continue
            out[f.name] = f
            if getattr(f, "attname", None):
                out[f.attname] = f
    return out


def _references(model, key: str, value) -> list[tuple[str, object]]:
    """(model label, pk) pairs that ``value`` of ``key`` refers to."""
    if model is None or value in (None, "", []):
        return []
    f = _fields(model).get(key)
    target = None
    if f is not None and (f.many_to_one or f.one_to_one or f.many_to_many) and f.related_model is not None:
        target = f.related_model._meta.label_lower
    elif key in EXTRA_REFERENCES:
        target = EXTRA_REFERENCES[key]
    if key == "instruments" and isinstance(value, list):
        return [("registry.instrument", v["instrument"]) for v in value if isinstance(v, dict) and "instrument" in v]
    if target is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [(target, v) for v in values if isinstance(v, (int, str)) and not isinstance(v, bool)]


def _names(wanted: dict[str, set]) -> dict[tuple[str, str], str]:
    names = {}
    for label, pks in wanted.items():
        model = model_for(label)
        if model is None:
            continue
        try:
            found = list(model._base_manager.filter(pk__in=list(pks)))
        except (ValueError, TypeError):
            continue
        for obj in found:
            names[(label, str(obj.pk))] = str(obj)
    return names


def _text(model, key: str, value, names) -> str:
    if value is None or value == "" or value == []:
        return "—"
    refs = _references(model, key, value)
    if refs:
        return "、".join(names.get((label, str(pk)), f"#{pk}") for label, pk in refs)
    f = _fields(model).get(key) if model is not None else None
    if f is not None and f.choices:
        labels = dict(f.flatchoices)
        if value in labels:
            return str(labels[value])
    if key == "outcome" and isinstance(value, str):
        return outcome_label(value)
    if key in TRANSLATED_VALUES and isinstance(value, str):
        return _(value)
    if isinstance(value, bool):
        return str(display(value))
    if f is not None and isinstance(f, models.DateTimeField) and isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None:
            return display(parsed)
    if isinstance(value, list):
        if all(isinstance(v, dict) for v in value):
            return _("%(n)d entries") % {"n": len(value)}
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return _("%(n)d entries") % {"n": len(value)}
    if isinstance(value, (dt.date, dt.datetime)):
        return display(value)
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


def _label(model, key: str) -> str:
    f = _fields(model).get(key) if model is not None else None
    if f is not None and hasattr(f, "verbose_name"):
        return capfirst(str(f.verbose_name))
    if key in EXTRA_KEYS:
        return capfirst(str(EXTRA_KEYS[key]))
    return key


def describe(entries) -> dict[int, list[Change]]:
    """The changes of each entry in words, keyed by entry id."""
    entries = list(entries)
    wanted: dict[str, set] = defaultdict(set)
    for e in entries:
        model = model_for(e.object_type)
        for snap in (e.before or {}, e.after or {}):
            if not isinstance(snap, dict):
                continue
            for key, value in snap.items():
                for label, pk in _references(model, key, value):
                    wanted[label].add(pk)
    names = _names(wanted)
    out = {}
    for e in entries:
        model = model_for(e.object_type)
        before = e.before if isinstance(e.before, dict) else {}
        after = e.after if isinstance(e.after, dict) else {}
        keys = [k for k in dict.fromkeys([*after, *before]) if k not in HIDDEN]
        changes = []
        for key in keys:
            old = _text(model, key, before[key], names) if key in before else None
            new = _text(model, key, after[key], names) if key in after else None
            if e.action == "create" and new == "—":
                continue  # a new record's empty fields say nothing
            changes.append(Change(_label(model, key), old, new))
        out[e.pk] = changes
    return out


def object_links(entries, user) -> dict[int, str]:
    """Detail-page URL of each entry's object, where it still exists and ``user`` may see it."""
    from .scoping import VIEW
    from .ui import REGISTRY

    by_type: dict[str, set] = defaultdict(set)
    entries = [e for e in entries if e.action != "delete" and e.object_id]
    for e in entries:
        by_type[e.object_type].add(e.object_id)
    visible: dict[str, set[str]] = {}
    for object_type, ids in by_type.items():
        model = model_for(object_type)
        ui = REGISTRY.get(model) if model else None
        if ui is None or not hasattr(model.objects, "restrict"):
            continue
        ids = [i for i in ids if str(i).isdigit()]
        visible[object_type] = {str(pk) for pk in model.objects.restrict(user, VIEW).filter(pk__in=ids)
                                .values_list("pk", flat=True)}
    links = {}
    for e in entries:
        if e.object_id in visible.get(e.object_type, ()):
            model = model_for(e.object_type)
            links[e.pk] = REGISTRY[model].url("detail", model(pk=e.object_id))
    return links
