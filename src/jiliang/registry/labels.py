"""Label sheets for a selection of instruments, printed by a background job (label_pdf draws them).

A selection is either the instrument list's filters (the page's query string: an owner's instruments, a county's
scales, a category…; through the API, the filters of ``/api/instruments/``) or an explicit list of ids; it is
always what the user may see (``Instrument.objects.restrict(user, VIEW)``), so an enterprise prints its own.

Rules, checked when the job is asked for (nothing is queued otherwise) and again in the worker:
- the layout must be one of :data:`label_layouts.LAYOUTS`;
- the selection must not be empty, nor hold more than :data:`MAX_LABELS` instruments;
- an id list naming an instrument that does not exist or that the user may not see is **refused** as a whole
  (with the ids, the same words for both cases, so nothing tells whether an instrument exists); the worker
  prints what is still visible if the scope changed since, and says how many were left out.

Order: the list's order (its sort, as on the page) for filters; ascending id for an id list.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jiliang.core.filters import extended_filterset
from jiliang.core.jobs.services import JobError, Run, job_task, start_job
from jiliang.core.scoping import VIEW

from . import filters, label_layouts
from .label_pdf import LabelData, render_labels
from .models import Instrument

MAX_LABELS = 50_000
PROGRESS_EVERY = 250  # labels between two progress reports
CHUNK = 500  # instruments read per query
KIND = "labels"


def _layout(key: str) -> label_layouts.LabelLayout:
    try:
        return label_layouts.layout(key)
    except label_layouts.UnknownLayout:
        raise ValidationError({"layout": _("There is no label layout %(key)r. Choose one of: %(keys)s.")
                               % {"key": key, "keys": ", ".join(label_layouts.LAYOUTS)}}) from None


def _filtered(user, query: str, *, api: bool):
    """The instruments the list (or the API's list) shows for ``query``, in its order."""
    if api:
        qs = Instrument.objects.restrict(user, VIEW)
        params = QueryDict(query)
        filterset = extended_filterset(filters.InstrumentFilterSet, Instrument)(params or None, queryset=qs)
        if filterset.is_bound and not filterset.is_valid():
            raise ValidationError({"filters": [f"{name}: {' '.join(errs)}" for name, errs in
                                               filterset.errors.items()]})
        return filterset.qs.order_by("pk")
    from jiliang.core.ui import list_queryset

    from .ui import instrument_ui

    filterset, qs, _sort = list_queryset(instrument_ui, user, QueryDict(query))
    if filterset.is_bound and not filterset.is_valid():
        raise ValidationError({"filters": [f"{name}: {' '.join(errs)}" for name, errs in filterset.errors.items()]})
    return qs


def _visible_ids(user, ids: list[int]) -> list[int]:
    seen: list[int] = []
    base = Instrument.objects.restrict(user, VIEW)
    for i in range(0, len(ids), CHUNK):
        seen += base.filter(pk__in=ids[i:i + CHUNK]).values_list("pk", flat=True)
    return sorted(seen)


def check_selection(user, *, layout: str, query: str = "", ids: list[int] | None = None, api: bool = False) -> int:
    """How many labels the selection makes, or a ValidationError naming the field and the reason."""
    _layout(layout)
    if ids is not None:
        ids = sorted(set(ids))
        if not ids:
            raise ValidationError({"ids": _("Name at least one instrument.")})
        if len(ids) > MAX_LABELS:
            raise ValidationError({"ids": _too_many(len(ids))})
        missing = sorted(set(ids) - set(_visible_ids(user, ids)))
        if missing:
            shown = ", ".join(str(i) for i in missing[:10]) + (" …" if len(missing) > 10 else "")
            raise ValidationError({"ids": ngettext(
                "%(n)d instrument does not exist or is not yours to see: %(ids)s.",
                "%(n)d instruments do not exist or are not yours to see: %(ids)s.", len(missing))
                % {"n": len(missing), "ids": shown}})
        return len(ids)
    count = _filtered(user, query, api=api).count()
    if count == 0:
        raise ValidationError({"filters": _("No instrument you may see matches these filters: there is nothing "
                                            "to print.")})
    if count > MAX_LABELS:
        raise ValidationError({"filters": _too_many(count)})
    return count


def _too_many(count: int) -> str:
    return _("%(count)d instruments are selected; one job prints at most %(max)d labels. Narrow the selection "
             "(by region, owner or category) and print it in parts.") % {"count": count, "max": MAX_LABELS}


def start_labels(user, *, layout: str, query: str = "", ids: list[int] | None = None, api: bool = False,
                 list_url: str = ""):
    """Check the selection and queue the job that prints it; returns the job."""
    count = check_selection(user, layout=layout, query=query, ids=ids, api=api)
    sheet = label_layouts.LAYOUTS[layout]
    title = ngettext("%(count)d instrument label on %(layout)s", "%(count)d instrument labels on %(layout)s",
                     count) % {"count": count, "layout": sheet.name}
    if not list_url and ids is None and not api:
        list_url = reverse("instruments-list") + (f"?{query}" if query else "")
    params = {"layout": layout, "api": api, "list_url": list_url}
    if ids is not None:
        params["ids"] = sorted(set(ids))
    else:
        params["query"] = query
    return start_job(user, kind=KIND, title=title, task=labels_task, params=params)


def instruments(user, params: dict) -> Iterator[Instrument]:
    """The selection's instruments, read in chunks with their owner and category (no query per label)."""
    if "ids" in params:
        ids = params["ids"]
        base = Instrument.objects.restrict(user, VIEW).select_related("owner", "category").order_by("pk")
        for i in range(0, len(ids), CHUNK):
            yield from base.filter(pk__in=ids[i:i + CHUNK])
        return
    qs = _filtered(user, params.get("query", ""), api=params.get("api", False))
    yield from qs.select_related("owner", "category").iterator(chunk_size=CHUNK)


def label_data(instrument: Instrument) -> LabelData:
    category = instrument.category.short_name if instrument.category_id else ""
    return LabelData(code=instrument.instrument_code, url=instrument.public_url,
                     name=f"{category} {instrument.model}".strip(), owner=instrument.owner.name,
                     serial=instrument.serial_number)


@job_task
def labels_task(run: Run) -> None:
    job = run.job
    params = job.params
    try:
        sheet = label_layouts.layout(params.get("layout", ""))
    except label_layouts.UnknownLayout:
        raise JobError(_("There is no label layout %(key)r.") % {"key": params.get("layout")}) from None
    asked = len(params["ids"]) if "ids" in params else None
    total = asked if asked is not None else _filtered(job.owner, params.get("query", ""),
                                                      api=params.get("api", False)).count()
    if total == 0:
        raise JobError(_("No instrument you may see matches the selection any more: there is nothing to print."))
    if total > MAX_LABELS:
        raise JobError(_too_many(total))
    run.progress(0, total, _("labels drawn"), force=True)
    path = run.result_file(f"labels-{sheet.key}-{job.pk}.pdf")
    try:
        with path.open("wb") as out:
            count = render_labels(out, sheet, (label_data(i) for i in instruments(job.owner, params)),
                                  title=job.title, progress_every=PROGRESS_EVERY,
                                  progress=lambda n: run.progress(n, total, _("labels drawn"), force=True))
        if count == 0:
            raise JobError(_("No instrument you may see matches the selection any more: there is nothing to "
                             "print."))
    except BaseException:
        path.unlink(missing_ok=True)  # no half-written PDF is left to download
        job.result_path = job.result_name = ""
        raise
    message = ngettext("%(count)d label on %(sheets)d sheet.", "%(count)d labels on %(sheets)d sheets.", count) \
        % {"count": count, "sheets": sheet.sheets(count)}
    if asked is not None and count < asked:
        message += " " + _("%(n)d of the instruments asked for are no longer yours to see and were left out.") \
            % {"n": asked - count}
    run.progress(count, count, message, force=True)
    if params.get("list_url"):
        run.link(params["list_url"])
