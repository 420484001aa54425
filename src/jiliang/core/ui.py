"""Generic pages: list (filter, search, sort, page, Excel), detail, add/edit and delete for any model.

A model's UI is a handful of declarations (:class:`ModelUI`), like NetBox's generic views; every page
starts from ``Model.objects.restrict(user, action)`` and every change goes through ``core.services``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import ProtectedError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from . import services
from .changes import describe
from .export import MAX_EXPORT_ROWS, workbook_bytes, write_workbook
from .extending import detail_leads, detail_panels, list_extensions
from .filters import extended_filterset, extension_filter_names, extension_select_related
from .formatting import decimal_text, display
from .identities import is_clash_notice
from .models import AuditEntry
from .scoping import ADD, CHANGE, DELETE, VIEW, locked_fields, may_write, sees_provenance
from .tables import Column

PAGE_SIZES = (25, 50, 100, 200)


@dataclass
class ModelUI:
    model: type
    slug: str
    columns: list[Column]
    filterset: type
    form: type[forms.ModelForm] | None = None
    detail_fields: list[str] | None = None
    related: list[tuple[str, str, list[Column]]] = field(default_factory=list)  # (title, accessor, columns)
    import_view: type | None = None
    default_order: str = "-pk"
    filter_fields: list[str] | None = None  # filters shown on the page (the API takes them all)
    detail_context: object = None  # callable(request, obj) -> extra context of the detail page
    provenance_fields: tuple[str, ...] = ()  # fields and filters shown only to whom sees_provenance()
    chinese_only_fields: tuple[str, ...] = ()  # Chinese text with an English twin: left out of English detail pages
    detail_template: str | None = None  # default core/object_detail.html
    detail_view: type | None = None  # an ObjectDetailView subclass with the page's own context
    read_only: bool = False  # list and detail pages only: a workflow or ingest writes these records
    # More buttons beside "Export to Excel" that act on the list's current filters: (label, URL name, icon);
    # the link carries the list's query string.
    list_actions: tuple[tuple[str, str, str], ...] = ()
    # The app's service for the add and edit pages, where saving does more than core.services does:
    # create(data, *, actor, m2m) and update(obj, changes, *, actor, m2m).
    create: Callable[..., Any] | None = None
    update: Callable[..., Any] | None = None

    @property
    def name(self) -> str:
        return self.model._meta.model_name

    @property
    def all_columns(self) -> list[Column]:
        """The model's own columns, then those other apps contribute (extending.ListExtension)."""
        return [*self.columns, *(c for ext in list_extensions(self.model) for c in ext.columns)]

    @property
    def list_filterset(self) -> type:
        """The FilterSet with the filters other apps contribute (extending.ListExtension)."""
        return extended_filterset(self.filterset, self.model)

    def columns_for(self, user) -> list[Column]:
        return [c for c in self.all_columns if not c.provenance or sees_provenance(user)]

    def hidden_fields_for(self, user) -> set[str]:
        hidden = set() if sees_provenance(user) else set(self.provenance_fields)
        if (get_language() or "").startswith("en"):
            hidden |= set(self.chinese_only_fields)
        return hidden

    def url(self, action: str, obj=None) -> str:
        if obj is not None:
            return reverse(f"{self.slug}-{action}", kwargs={"pk": obj.pk})
        return reverse(f"{self.slug}-{action}")

    def urls(self) -> list:
        listing = path(f"{self.slug}/", ObjectListView.as_view(ui=self), name=f"{self.slug}-list")
        detail = (self.detail_view or ObjectDetailView).as_view(ui=self)
        if self.read_only:
            return [listing, path(f"{self.slug}/<int:pk>/", detail, name=f"{self.slug}-detail")]
        patterns = [
            listing,
            path(f"{self.slug}/add/", ObjectEditView.as_view(ui=self), name=f"{self.slug}-add"),
            path(f"{self.slug}/<pk>/", detail, name=f"{self.slug}-detail"),
            path(f"{self.slug}/<pk>/edit/", ObjectEditView.as_view(ui=self), name=f"{self.slug}-edit"),
            path(f"{self.slug}/<pk>/delete/", ObjectDeleteView.as_view(ui=self), name=f"{self.slug}-delete"),
        ]
        if self.import_view:
            patterns.insert(1, path(f"{self.slug}/import/", self.import_view.as_view(ui=self),
                                    name=f"{self.slug}-import"))
        return patterns


REGISTRY: dict[type, ModelUI] = {}


def register(ui: ModelUI) -> ModelUI:
    REGISTRY[ui.model] = ui
    return ui


def detail_url(obj) -> str | None:
    ui = REGISTRY.get(type(obj))
    return ui.url("detail", obj) if ui else None


class ScopedFormMixin:
    """Restricts every model-choice field to what the user may see, and styles widgets for Bootstrap."""

    def _get_validation_exclusions(self):
        # A record's identity is checked by the service, with one answer in scope or out (core.identities): the
        # form leaves out the unique checks that name it (the service's full_clean() validates the field).
        exclude = super()._get_validation_exclusions()
        identity = getattr(self._meta.model, "identity_fields", ())
        return exclude | {identity[-1]} if identity else exclude

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for f in self.fields.values():
            qs = getattr(f, "queryset", None)
            if qs is not None and hasattr(qs, "restrict"):
                f.queryset = qs.restrict(user, VIEW)
            widget = f.widget
            if isinstance(widget, (forms.CheckboxInput,)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
        # Fields the supervising bureau writes are shown to the holder but cannot be posted (Django
        # ignores submitted values of disabled fields); the service refuses them on every other channel.
        spec = getattr(self._meta.model, "scope", None)
        for name in locked_fields(user, spec) if spec is not None else ():
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Written by the market supervision bureau.")
        # Decimals as entered (30, not 30.000000) in the edit form too.
        instance = getattr(self, "instance", None)
        for name, f in self.fields.items():
            if isinstance(f, forms.DecimalField) and instance is not None and instance.pk:
                value = getattr(instance, name, None)
                if isinstance(value, Decimal):
                    self.initial[name] = decimal_text(value)


class UIView(LoginRequiredMixin, View):
    ui: ModelUI = None

    def base_context(self, **extra):
        user = self.request.user
        spec = self.ui.model.scope
        return {
            "ui": self.ui,
            "meta": self.ui.model._meta,
            "can_add": may_write(user, spec, ADD),
            "can_change": may_write(user, spec, CHANGE),
            "can_delete": may_write(user, spec, DELETE),
            **extra,
        }


def list_queryset(ui: ModelUI, user, params, request=None):
    """The rows a list shows for ``params`` (filters, search, sort): (filterset, queryset, sort).

    One function for the page, its Excel export and a task that exports in the background, so the file
    holds exactly what the table shows.
    """
    qs = ui.model.objects.restrict(user, VIEW)
    if joined := extension_select_related(ui.model):
        qs = qs.select_related(*joined)
    filterset = ui.list_filterset(params or None, queryset=qs, request=request or _RequestStub(user))
    if filterset.is_bound and not filterset.is_valid():
        qs = qs.none()
    else:
        qs = filterset.qs
    sort = params.get("sort", "")
    orderable = {c.name: c.order_by for c in ui.columns_for(user) if c.order_by}
    key = sort.lstrip("-")
    if key in orderable:
        qs = qs.order_by(("-" if sort.startswith("-") else "") + orderable[key], "pk")
    else:
        sort = ""
        qs = qs.order_by(ui.default_order)
    return filterset, qs, sort


@dataclass
class _RequestStub:
    """What a FilterSet reads from the request (the user), so that a task can build one without a request."""

    user: object


def describe_filters(ui: ModelUI, filterset, sort: str) -> list[tuple[str, str]]:
    """The filters, search and sort in words, as (label, value) pairs in the active language."""
    data = filterset.data if filterset.is_bound else {}
    lines = []
    for name, form_field in filterset.form.fields.items():
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [str(v).strip() for v in values if v is not None and str(v).strip()]
        if not values:
            continue
        choices = _choice_labels(form_field)
        shown = [choices.get(v, v) for v in values]
        lines.append((str(form_field.label or name), ", ".join(shown)))
    if sort:
        column = next(c for c in ui.all_columns if c.name == sort.lstrip("-"))
        direction = _("descending") if sort.startswith("-") else _("ascending")
        lines.append((_("sorted by"), _("%(column)s (%(direction)s)") % {"column": column.label, "direction": direction}))
    if not lines:
        lines.append((_("filters"), _("none: every record you may see")))
    return lines


def _choice_labels(field) -> dict[str, str]:
    choices = getattr(field.widget, "choices", None) or getattr(field, "choices", None)
    if not choices:
        return {}
    labels = {}
    for value, label in choices:
        if isinstance(label, (list, tuple)):  # an option group
            labels.update({str(v): str(lb) for v, lb in label})
        else:
            labels[str(getattr(value, "value", value))] = str(label)
    return labels


def export_list(ui: ModelUI, user, params, request=None, *, target=None, progress=None,
                max_rows: int = MAX_EXPORT_ROWS) -> tuple[str, bytes | int]:
    """The Excel file of a list as the user filtered, searched and sorted it: (file name, bytes).

    With ``target`` (a path or binary file) the workbook streams into it and the row count comes back
    instead of the bytes (a background export). Labels and the description sheet come out in the active
    language (a task activates the user's).
    """
    filterset, qs, sort = list_queryset(ui, user, params, request)
    columns = ui.columns_for(user)
    headers = [str(c.label) for c in columns]
    rows = ([c.value(obj) for c in columns] for obj in qs.iterator(chunk_size=2000))
    now = timezone.localtime()
    title = str(ui.model._meta.verbose_name_plural)
    about = [(_("export of"), title), (_("exported at"), now.strftime("%Y-%m-%d %H:%M")),
             (_("exported by"), getattr(user, "full_name", "") or user.get_username()),
             *describe_filters(ui, filterset, sort)]
    name = f"{ui.slug}-{now:%Y%m%d-%H%M}.xlsx"
    if target is not None:
        return name, write_workbook(target, title, headers, rows, about=about, max_rows=max_rows,
                                    progress=progress)
    return name, workbook_bytes(title, headers, rows, about=about)


def export_size(ui: ModelUI, user, params, request=None) -> int:
    return list_queryset(ui, user, params, request)[1].count()


class ObjectListView(UIView):
    def get(self, request):
        ui = self.ui
        if request.GET.get("export") == "xlsx":
            params = request.GET.copy()
            params.pop("export")
            if export_size(ui, request.user, params, request) > settings.JILIANG_EXPORT_SYNC_ROWS:
                from .jobs.export import start_list_export

                job = start_list_export(ui, request.user, params)
                return redirect("job-detail", pk=job.pk)
            name, data = export_list(ui, request.user, params, request)
            response = HttpResponse(data, content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        filterset, qs, sort = list_queryset(ui, request.user, request.GET, request)
        try:
            per_page = int(request.GET.get("per_page", 50))
        except ValueError:
            per_page = 50
        per_page = per_page if per_page in PAGE_SIZES else 50
        page = Paginator(qs, per_page).get_page(request.GET.get("page"))
        columns = ui.columns_for(request.user)
        rows = [(obj, [c.html(obj, ui.url("detail", obj)) for c in columns]) for obj in page.object_list]
        # The query of the current view without page (and without sort, for the sort links): links add
        # their own parameter instead of piling up copies of it.
        query = request.GET.copy()
        for name in ("page", "export"):
            query.pop(name, None)
        unsorted = query.copy()
        unsorted.pop("sort", None)
        hidden = ui.hidden_fields_for(request.user)
        names = [*ui.filter_fields, *extension_filter_names(ui.model)] if ui.filter_fields else filterset.form.fields
        shown = [filterset.form[name] for name in names if name not in hidden]
        ctx = self.base_context(filterset=filterset, filter_fields=shown, page=page, rows=rows, sort=sort,
                                query=query.urlencode(), unsorted_query=unsorted.urlencode(),
                                columns=columns, page_sizes=PAGE_SIZES, per_page=per_page)
        template = "core/htmx/table.html" if request.htmx and not request.htmx.boosted else "core/object_list.html"
        return render(request, template, ctx)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _viewable_link(value, user) -> str | None:
    """The detail page of a related record, only if ``user`` may open it: a page never links to a 404."""
    link = detail_url(value)
    if link and user is not None and not type(value).objects.restrict(user, VIEW).filter(pk=value.pk).exists():
        return None
    return link


def _field_names(obj, names: list[str] | None) -> list[str]:
    if names is not None:
        return list(names)
    return [f.name for f in obj._meta.get_fields()
            if (getattr(f, "concrete", False) or f.many_to_many) and not f.auto_created]


def field_rows(obj, names: list[str] | None, user=None) -> list[tuple[str, object, str | None]]:
    """(label, display value, link) for the detail page, in the declared order; with ``user``, related
    records are linked only where that user may open them."""
    fields = [obj._meta.get_field(n) for n in _field_names(obj, names)]
    rows = []
    for f in fields:
        if f.many_to_many:
            value = ", ".join(str(v) for v in getattr(obj, f.name).all())
        elif f.choices:
            value = getattr(obj, f"get_{f.name}_display")()
        else:
            value = getattr(obj, f.name)
        link = _viewable_link(value, user) if hasattr(value, "_meta") else None
        value = display(value)
        rows.append((f.verbose_name, value, link))
    return rows


def _sees_entry(user, entry) -> bool:
    return AuditEntry.objects.restrict(user, VIEW).filter(pk=entry.pk).exists()


class ObjectDetailView(UIView):
    def get(self, request, pk):
        ui = self.ui
        obj = get_object_or_404(ui.model.objects.restrict(request.user, VIEW), pk=_pk(ui.model, pk))
        related = []
        panels = [(p.title, p.accessor, p.columns) for p in detail_panels(ui.model)]
        for title, accessor, columns in [*ui.related, *panels]:
            qs = getattr(obj, accessor).all().restrict(request.user, VIEW)[:50]
            rel_ui = REGISTRY.get(qs.model)
            related.append((title, columns, [
                [c.html(o, rel_ui.url("detail", o) if rel_ui else None) for c in columns] for o in qs]))
        history = [e for e in AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
                   .order_by("-id")[:30] if not is_clash_notice(e) or _sees_entry(request.user, e)]
        changes = describe(history)
        ctx = self.base_context(
            object=obj, related=related,
            fields=[row for row, name in zip(field_rows(obj, ui.detail_fields, request.user), _field_names(obj, ui.detail_fields),
                                             strict=True) if name not in ui.hidden_fields_for(request.user)],
            history=[(e, changes[e.pk]) for e in history],
            can_change_obj=ui.model.objects.restrict(request.user, CHANGE).filter(pk=obj.pk).exists(),
            can_delete_obj=ui.model.objects.restrict(request.user, DELETE).filter(pk=obj.pk).exists(),
        )
        ctx["lead_templates"] = []
        for lead in detail_leads(ui.model):
            ctx.update(lead.context(request, obj))
            ctx["lead_templates"].append(lead.template)
        if ui.detail_context is not None:
            ctx.update(ui.detail_context(request, obj))
        return render(request, ui.detail_template or "core/object_detail.html", ctx)


def _pk(model, pk):
    """A URL's key as the model's key: a number key beyond 64 bits (or not a number) is 404, never a query the
    database cannot take (models keyed by another record's id, e.g. a one-to-one, included)."""
    from django.db import models as dj

    if isinstance(model._meta.pk, dj.AutoField | dj.BigAutoField | dj.IntegerField | dj.ForeignKey):
        from .filters import id_or_404

        return id_or_404(str(pk))
    return pk


class ObjectEditView(UIView):
    def get_object(self, pk):
        if pk is None:
            if not may_write(self.request.user, self.ui.model.scope, ADD):
                raise PermissionDenied(_("Your role may not add these records."))
            return None
        pk = _pk(self.ui.model, pk)
        obj = get_object_or_404(self.ui.model.objects.restrict(self.request.user, VIEW), pk=pk)
        if not self.ui.model.objects.restrict(self.request.user, CHANGE).filter(pk=pk).exists():
            raise PermissionDenied(_("You may see this record but not change it."))
        return obj

    def get(self, request, pk=None):
        obj = self.get_object(pk)
        form = self.ui.form(instance=obj, user=request.user, initial=request.GET.dict() if obj is None else None)
        return self.render_form(form, obj)

    def render_form(self, form, obj, status=200):
        template = "core/htmx/form.html" if self.request.htmx else "core/object_edit.html"
        return render(self.request, template, self.base_context(form=form, object=obj), status=status)

    def post(self, request, pk=None):
        obj = self.get_object(pk)
        form = self.ui.form(request.POST, instance=obj, user=request.user)
        if form.is_valid():
            data = {n: v for n, v in form.cleaned_data.items()
                    if n in {f.name for f in self.ui.model._meta.concrete_fields}}
            m2m = {n: v for n, v in form.cleaned_data.items()
                   if n in {f.name for f in self.ui.model._meta.many_to_many}}
            try:
                if obj is None:
                    create = self.ui.create or partial(services.create_record, self.ui.model)
                    obj = create(data, actor=request.user, m2m=m2m)
                    messages.success(request, _("Created %(obj)s.") % {"obj": obj})
                else:
                    obj = (self.ui.update or services.update_record)(obj, data, actor=request.user, m2m=m2m)
                    messages.success(request, _("Saved %(obj)s.") % {"obj": obj})
            except ValidationError as exc:
                for name, errs in services.validation_messages(exc).items():
                    form.add_error(name if name in form.fields else None, errs)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                url = self.ui.url("detail", obj)
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Location"] = url
                    return response
                return redirect(url)
        return self.render_form(form, obj, status=422 if request.htmx else 200)


class ObjectDeleteView(UIView):
    def get_object(self, pk):
        pk = _pk(self.ui.model, pk)
        obj = get_object_or_404(self.ui.model.objects.restrict(self.request.user, VIEW), pk=pk)
        if not self.ui.model.objects.restrict(self.request.user, DELETE).filter(pk=pk).exists():
            raise PermissionDenied(_("You may see this record but not delete it."))
        return obj

    def get(self, request, pk):
        return render(request, "core/object_delete.html", self.base_context(object=self.get_object(pk)))

    def post(self, request, pk):
        obj = self.get_object(pk)
        try:
            services.delete_record(obj, actor=request.user)
        except ProtectedError as exc:
            names = ", ".join(str(o) for o in list(exc.protected_objects)[:10])
            messages.error(request, _("%(obj)s cannot be deleted: other records refer to it (%(names)s).")
                           % {"obj": obj, "names": names})
            return redirect(self.ui.url("detail", obj))
        messages.success(request, _("Deleted %(obj)s.") % {"obj": obj})
        return redirect(self.ui.url("list"))
