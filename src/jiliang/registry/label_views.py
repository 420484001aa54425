"""The "Print labels" page: choose a sheet layout for the instrument list's current selection (its filters, or
the ids posted to it) and start the job that prints them; the job's page follows progress and offers the PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse

from jiliang.core.filters import posted_ids
from jiliang.core.services import validation_messages

from . import label_layouts, labels


def sheet_preview(layout: label_layouts.LabelLayout) -> dict:
    """The sheet's geometry for a small SVG drawing (millimetres as SVG units)."""
    return {
        "layout": layout,
        "rects": [(*layout.position(i), layout.width, layout.height) for i in range(layout.per_sheet)],
        "page": (layout.page_width, layout.page_height),
    }


def _selection(data) -> tuple[str, list[int] | None]:
    """The list's query (without page, sort-independent parameters kept) and the explicit ids, if any."""
    ids = posted_ids(data.getlist("ids")) if "ids" in data else None
    query = data.copy()
    for name in ("page", "export", "per_page", "ids", "layout", "query", "csrfmiddlewaretoken"):
        query.pop(name, None)
    return query.urlencode(), ids


@login_required
def print_labels(request):
    if request.method == "POST":
        query = request.POST.get("query", "")
        ids = posted_ids(request.POST.getlist("ids")) if "ids" in request.POST else None
        layout = request.POST.get("layout", "")
    else:
        query, ids = _selection(request.GET)
        layout = label_layouts.DEFAULT_LAYOUT
    list_url = reverse("instruments-list") + (f"?{query}" if query else "")
    errors: dict[str, list[str]] = {}
    count = None
    try:
        if request.method == "POST":
            job = labels.start_labels(request.user, layout=layout, query=query, ids=ids, list_url=list_url)
            return redirect("job-detail", pk=job.pk)
        count = labels.check_selection(request.user, layout=layout, query=query, ids=ids)
    except ValidationError as exc:
        errors = validation_messages(exc)
        if "layout" in errors:  # the selection itself may be fine: say how many it makes
            try:
                count = labels.check_selection(request.user, layout=label_layouts.DEFAULT_LAYOUT, query=query,
                                               ids=ids)
            except ValidationError:
                count = None
    from jiliang.core.ui import describe_filters, list_queryset

    from .ui import instrument_ui

    filterset, _qs, sort = list_queryset(instrument_ui, request.user, QueryDict(query))
    ctx = {
        "layouts": [sheet_preview(sheet) for sheet in label_layouts.LAYOUTS.values()],
        "chosen": layout, "query": query, "ids": ids, "count": count, "errors": errors,
        "described": describe_filters(instrument_ui, filterset, sort) if ids is None else [],
        "list_url": list_url, "max_labels": labels.MAX_LABELS,
    }
    return render(request, "registry/labels.html", ctx, status=400 if errors else 200)


urlpatterns = [path("instruments/labels/", print_labels, name="instrument-labels")]
