"""The one way apps contribute to each other (docs/extending.md).

An installed app may have a module ``extensions.py`` with a list ``CONTRIBUTIONS`` of the typed values below.
Core finds these modules through Django's app registry the first time a contribution is asked for, so an app
left out of ``INSTALLED_APPS`` contributes nothing, and core never imports an app above it. Each kind has an
``order``: contributions of a kind are used in (order, app order in ``INSTALLED_APPS``, position in the list).

| kind | used by |
|---|---|
| :class:`MenuGroup`, :class:`MenuEntry` | the navigation bar (``core.context_processors.navigation``) |
| :class:`HomePanel` | the home page (``core.views.home``), one panel per applicable contribution |
| :class:`DetailPanel` | the generic detail page of another app's model (``core.ui.ObjectDetailView``) |
| :class:`ScopeGrant` | ``RestrictedQuerySet.restrict``: widens a role's read scope on a model |
| :class:`DemoStep` | ``jiliang demo`` |
| :class:`MeterValidityHook` | telemetry's lapsed-meter check (``telemetry.checks.lapsed_meters``) |
| :class:`DetailLead` | the top of another app's detail page (``core.ui.ObjectDetailView``) |
| :class:`ListExtension` | every list of another app's model: its page, filters and Excel export (``core.ui``) and its API
  (``core.api.views.ScopedViewSet``): more columns, filters and read-only fields |
| :class:`~.jobs.slots.Schedule` | ``jiliang scheduler``: a periodic job and its slots (``core.jobs.scheduler``) |
| :class:`CertificateNotice` | the public certificate check page (``verification.views.verify_page``) and its JSON: a
  notice shown with a certificate's status (e.g. traceability's "under review" while a standard's impact is decided) |
| :class:`IndicatorSource` | the plan's indicators (``kpi``): a value computed by the app that owns the data, for a
  region at a date, returned as an :class:`IndicatorValue` |
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import module_has_submodule

from .jobs.slots import Schedule

MODULE = "extensions"


@dataclass(frozen=True)
class MenuGroup:
    """A drop-down of the navigation bar; entries name it by ``key``."""

    key: str
    label: str
    order: int = 100


@dataclass(frozen=True)
class MenuEntry:
    """A link in a menu group. ``roles``: the roles that see it (None: every signed-in user); superusers see all.
    An entry whose URL name does not resolve is left out (its app's URLs are not mounted)."""

    group: str
    label: str
    url_name: str
    roles: frozenset[str] | None = None
    order: int = 100


@dataclass(frozen=True)
class HomePanel:
    """A panel of the home page. ``context(request)`` returns the template's context, or None when the panel does
    not apply to this user (e.g. an enterprise panel for an account without an organisation). Every query it makes
    starts from ``restrict(request.user, VIEW)``. ``width``: Bootstrap columns of 12 on a wide screen."""

    key: str
    template: str
    context: Callable[[object], dict | None]
    roles: frozenset[str] | None = None
    width: int = 12
    order: int = 100


@dataclass(frozen=True)
class DetailPanel:
    """A related list on the detail page of ``model`` (``"app_label.ModelName"``) owned by another app: the rows of
    ``getattr(obj, accessor)`` the user may see, shown with ``columns`` (core.tables.Column)."""

    model: str
    title: str
    accessor: str
    columns: tuple = ()
    order: int = 100


@dataclass(frozen=True)
class DetailLead:
    """What the detail page of ``model`` leads with, owned by another app: ``template`` rendered above the record's
    fields with the context ``context(request, obj)`` returns (e.g. an instrument's verification standing)."""

    model: str
    template: str
    context: Callable[[object, object], dict]
    order: int = 100


@dataclass(frozen=True)
class ListExtension:
    """More columns, filters and API fields on every list of ``model`` (``"app_label.ModelName"``) owned by another
    app, read from a related record of the contributing app (e.g. supervision's status of an instrument).

    ``columns``: core.tables.Column, shown on the list page after the model's own and written to its Excel export;
    ``filters()``: ``{name: django_filters.Filter}`` added to the list's FilterSet (page, export and API);
    ``api_fields()``: ``{name: read-only serializer field}`` added to the model's API serializer (and its schema);
    ``select_related``: relations the columns and fields read, joined once for the whole list (to-one only).
    ``filters`` and ``api_fields`` are functions, called when a list is built, so each list gets fresh instances."""

    model: str
    columns: tuple = ()
    filters: Callable[[], dict] | None = None
    api_fields: Callable[[], dict] | None = None
    select_related: tuple[str, ...] = ()
    order: int = 100


@dataclass(frozen=True)
class ScopeGrant:
    """Read access for ``role`` on ``model`` beyond its own scope: ``grant(user)`` returns a ``Q`` on the model's own
    columns or ``Q(pk__in=<subquery>)`` (never a join over a to-many relation, so rows are never duplicated)."""

    model: str
    role: str
    grant: Callable[[object], object]
    order: int = 100


@dataclass(frozen=True)
class DemoStep:
    """A step of ``jiliang demo``: ``run(ctx, rng, scale, progress)`` in its own transaction, in ``order``."""

    name: str
    run: Callable
    order: int = 100


@dataclass(frozen=True)
class MeterValidityHook:
    """More reasons for a meter's verification to have lapsed: ``check(meter_ids, day) -> {meter_id: reason}``."""

    check: Callable[[list[int], dt.date], dict[int, str]]
    order: int = 100


@dataclass(frozen=True)
class CertificateNotice:
    """A notice on a certificate's public check page: ``notice(certificate) -> str | None``, in the active language,
    None when there is nothing to say. It is asked for every certificate shown (anonymous readers too), so it must
    answer from the certificate alone with one cheap query, and say nothing the public must not read."""

    key: str
    notice: Callable[[object], str | None]
    order: int = 100


@dataclass(frozen=True)
class IndicatorValue:
    """What an indicator source returns: the value (a share as a fraction, or a count), the numerator and
    denominator it came from (a count: numerator only), the name and version of the definition used, and a note
    on what the reader must know (e.g. records without the date the definition needs). ``value`` None: nothing to
    count (an empty denominator), which is not a failure."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    definition: str = ""
    version: str = ""
    note: str = ""


@dataclass(frozen=True)
class Drill:
    """The records behind a computed value, as a table: headers and rows of plain values, at most ``limit`` rows,
    and ``total`` the number of records the value counts."""

    headers: tuple[str, ...]
    rows: list[tuple]
    total: int


@dataclass(frozen=True)
class IndicatorSource:
    """A computed indicator value, owned by the app that owns its data; a plan names it by ``key``.

    ``compute(region, day, since, **params) -> IndicatorValue``: the value for the GB/T 2260 ``region`` (its whole
    subtree) at the end of ``day``; ``since`` is the plan's first day (for counts of what is new in the plan's
    period); ``params`` come from the plan file. It raises on failure (kpi shows the reason, never a 0).
    ``drill(region, day, since, limit, **params) -> Drill``: the records it counts. ``kind``: "share" or "count".
    ``params``: the parameters it accepts, so a plan file naming another is refused when loaded.
    ``compute_many(regions, day, since, **params) -> {region: IndicatorValue}`` (optional): the same values for
    several regions at once (one grouped query instead of one per region; the live page asks for the province and
    its 13 cities)."""

    key: str
    label: str
    kind: str
    compute: Callable[..., IndicatorValue]
    drill: Callable[..., Drill] | None = None
    params: frozenset[str] = frozenset()
    order: int = 100
    compute_many: Callable[..., dict] | None = None


KINDS = (MenuGroup, MenuEntry, HomePanel, DetailPanel, DetailLead, ListExtension, ScopeGrant, DemoStep, MeterValidityHook,
         Schedule, CertificateNotice, IndicatorSource)
_UNIQUE = {MenuGroup: "key", HomePanel: "key", DemoStep: "name", Schedule: "name", CertificateNotice: "key",
           IndicatorSource: "key"}

_found: dict[type, tuple] | None = None
_extra: list = []
_caches: list[dict] = []


def cache() -> dict:
    """A dict for what a consumer builds from the contributions (e.g. an extended FilterSet class), emptied
    whenever the contributions change."""
    made: dict = {}
    _caches.append(made)
    return made


def discover(app_configs=None) -> dict[type, tuple]:
    """The contributions of ``app_configs`` (default: the installed apps), by kind, ordered and checked."""
    if app_configs is None:
        apps.check_apps_ready()
        app_configs = apps.get_app_configs()
    found: dict[type, list] = {kind: [] for kind in KINDS}
    for config in app_configs:
        if not module_has_submodule(config.module, MODULE):
            continue
        module = import_module(f"{config.name}.{MODULE}")
        for item in getattr(module, "CONTRIBUTIONS", ()):
            _add(found, item, f"{config.name}.{MODULE}")
    for item in _extra:
        _add(found, item, "added()")
    _check(found)
    return {kind: tuple(sorted(items, key=lambda c: c.order)) for kind, items in found.items()}


def _add(found: dict[type, list], item, where: str) -> None:
    if type(item) not in found:
        raise ImproperlyConfigured(f"{where}: {item!r} is not a contribution (one of "
                                   f"{', '.join(k.__name__ for k in KINDS)})")
    found[type(item)].append(item)


def _check(found: dict[type, list]) -> None:
    for kind, attr in _UNIQUE.items():
        seen = set()
        for item in found[kind]:
            key = getattr(item, attr)
            if key in seen:
                raise ImproperlyConfigured(f"two {kind.__name__} contributions are named {key!r}")
            seen.add(key)
    groups = {g.key for g in found[MenuGroup]}
    for entry in found[MenuEntry]:
        if entry.group not in groups:
            raise ImproperlyConfigured(f"menu entry {entry.url_name!r} names the group {entry.group!r}, which no "
                                       f"installed app contributes")


def contributed(kind: type) -> tuple:
    """The contributions of ``kind`` from the installed apps, in order."""
    global _found
    if _found is None:
        _found = discover()
    return _found[kind]


def reset(**_kwargs) -> None:
    """Forget what was found (the installed apps changed)."""
    global _found
    _found = None
    for made in _caches:
        made.clear()


def _installed_apps_changed(*, setting, **_kwargs) -> None:
    if setting == "INSTALLED_APPS":
        reset()


setting_changed.connect(_installed_apps_changed)


@contextlib.contextmanager
def added(*items) -> Iterator[None]:
    """Contributions that hold for the duration of the block, as if an installed app declared them (a deployment's
    plug-in loaded at run time, or a test)."""
    _extra.extend(items)
    reset()
    try:
        yield
    finally:
        for item in items:
            _extra.remove(item)
        reset()


# -- what the consumers ask ---------------------------------------------------------------------------------


def scope_grants(model_label: str, role: str | None) -> list[Callable]:
    return [g.grant for g in contributed(ScopeGrant) if g.model == model_label and g.role == role]


def detail_panels(model) -> list[DetailPanel]:
    return [p for p in contributed(DetailPanel) if p.model == model._meta.label]


def detail_leads(model) -> list[DetailLead]:
    return [lead for lead in contributed(DetailLead) if lead.model == model._meta.label]


def list_extensions(model) -> list[ListExtension]:
    return [e for e in contributed(ListExtension) if e.model == model._meta.label]


def certificate_notices(certificate) -> list[tuple[str, str]]:
    """(key, text) of every contributed notice that has something to say about ``certificate``."""
    out = []
    for c in contributed(CertificateNotice):
        text = c.notice(certificate)
        if text:
            out.append((c.key, str(text)))
    return out


def shown_to(roles: frozenset[str] | None, user, role: str | None) -> bool:
    """Whether a menu entry or panel for ``roles`` is shown to ``user`` of ``role``."""
    return roles is None or bool(getattr(user, "is_superuser", False)) or role in roles



def indicator_sources() -> dict[str, IndicatorSource]:
    """The contributed indicator sources by key."""
    return {s.key: s for s in contributed(IndicatorSource)}
