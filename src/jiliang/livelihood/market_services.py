"""Business actions of markets (集贸市场): markets, stalls, scales registered centrally, fair scales and the five
unifications. Each is one transaction, scope-checked and audited.

* **Central registration** (Zhejiang 条例 Art. 29, reference/supervision-integrity-licensing.md §3.2): the market
  operator registers its traders' compulsory-verification scales and organises their periodic verification, and
  provides free public fair scales (公平秤). A registered scale is a registry instrument owned by the operator
  (usage trade, a weighing category) with a MarketScale row: on one stall, or a fair scale of the market. The
  instrument is MarketScale's primary key, so a scale is never on two stalls; registering it again is refused
  with the stall that has it.
* **Who writes what** (jiliang's decision, docs/livelihood-markets.md): the operator (an enterprise account of
  the market's operator organisation) keeps its markets, stalls, scales and the evidence of the five
  unifications; the bureaus whose region holds the market may do the same for it (they register markets whose
  operator has no account) and they alone *confirm* an item of the checklist. Changing the evidence of an item
  withdraws its confirmation: the bureau confirms what it saw.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core import services as core
from jiliang.core.scoping import CHANGE, VIEW, is_authority
from jiliang.registry.models import (
    LAPSED_STATUSES,
    Instrument,
    InstrumentCategory,
    InstrumentStatus,
    Organisation,
    OrganisationKind,
    Usage,
)

from .models import Market, MarketScale, Stall, Unification, UnificationCheck

# Weighing categories a market scale may have: the catalogue's non-automatic weighing instruments (电子计价秤、
# 数字指示秤, JJG 539) and automatic weighing instruments (reference/catalogue-2020.md).
SCALE_CATEGORIES = ("nawi-price-scale", "automatic-weighing")
DEFAULT_SCALE_CATEGORY = "nawi-price-scale"

# Documents of the five unifications: PDF, JPEG or PNG, by their magic bytes, at most 10 MB each (jiliang's own
# limits, the same size as an inspector's photo, supervision/notices.PHOTO_MAX_BYTES).
DOCUMENT_MAX_BYTES = 10 * 2**20
DOCUMENT_TYPES = {b"%PDF-": ("application/pdf", "pdf"), b"\xff\xd8\xff": ("image/jpeg", "jpg"),
                  b"\x89PNG\r\n\x1a\n": ("image/png", "png")}


# ---------------------------------------------------------------- checks


def check_market_writable(market: Market, actor) -> None:
    if not Market.objects.restrict(actor, CHANGE).filter(pk=market.pk).exists():
        raise PermissionDenied(_("You may not change market %(m)s.") % {"m": market})


def check_operator(operator: Organisation, actor) -> None:
    if operator.kind != OrganisationKind.MARKET:
        raise ValidationError({"operator": _("%(org)s is not registered as a market operator.") % {"org": operator}})
    if not Organisation.objects.restrict(actor, VIEW).filter(pk=operator.pk).exists():
        raise PermissionDenied(_("You cannot register markets for that operator."))


def stall_label(stall: Stall) -> str:
    return _("stall %(number)s (%(trader)s) of %(market)s") % {"number": stall.number, "trader": stall.trader,
                                                               "market": stall.market}


def where_registered(scale: MarketScale) -> str:
    """Where a registered scale is, in words: the stall, or the market's fair scales."""
    if scale.stall_id:
        return stall_label(scale.stall)
    return _("a public fair scale of %(market)s") % {"market": scale.market}


def already_registered(instrument: Instrument) -> ValidationError | None:
    scale = MarketScale.objects.select_related("stall__market", "market").filter(instrument=instrument).first()
    if scale is None:
        return None
    return ValidationError({"instrument": _("Scale %(inst)s is already registered as %(where)s; move it instead.")
                            % {"inst": instrument.instrument_code or instrument.pk, "where": where_registered(scale)}})


def _placement(market: Market, stall: Stall | None, fair_scale: bool) -> None:
    if fair_scale and stall is not None:
        raise ValidationError({"stall": _("A public fair scale belongs to the market, not to a stall.")})
    if not fair_scale and stall is None:
        raise ValidationError({"stall": _("Name the stall the scale is used on, or mark it a fair scale.")})
    if stall is not None and stall.market_id != market.pk:
        raise ValidationError({"stall": _("Stall %(stall)s is in another market (%(other)s), not in %(market)s.")
                               % {"stall": stall.number, "other": stall.market, "market": market}})
    if stall is not None and not stall.active:
        raise ValidationError({"stall": _("Stall %(stall)s is closed.") % {"stall": stall.number}})


# ---------------------------------------------------------------- markets and stalls


def create_market(*, operator: Organisation, name: str, region, address: str = "", opened_on: dt.date | None = None,
                  actor) -> Market:
    """A market of an operator organisation (kind market), in a region the actor may write in."""
    check_operator(operator, actor)
    return core.create_record(Market, {"operator": operator, "name": name.strip(), "region_id": getattr(region, "pk", region),
                                       "address": address, "opened_on": opened_on}, actor=actor, message="market")


def update_market(market: Market, changes: dict, *, actor) -> Market:
    if "operator" in changes:
        check_operator(changes["operator"], actor)
    return core.update_record(market, changes, actor=actor, message="market")


def add_stall(*, market: Market, number: str, trader: str, trader_uscc: str = "", goods: str = "", actor) -> Stall:
    check_market_writable(market, actor)
    number = str(number).strip()
    if Stall.objects.filter(market=market, number=number).exists():
        raise ValidationError({"number": _("Market %(market)s already has a stall %(number)s.")
                               % {"market": market, "number": number}})
    return core.create_record(Stall, {"market": market, "number": number, "trader": trader.strip(),
                                      "trader_uscc": trader_uscc.strip(), "goods": goods.strip()},
                              actor=actor, message="stall")


def update_stall(stall: Stall, changes: dict, *, actor) -> Stall:
    if "market" in changes and changes["market"].pk != stall.market_id:
        raise ValidationError({"market": _("A stall stays in its market; close it and open one in the other.")})
    if changes.get("active") is False and stall.scales.exists():
        raise ValidationError({"active": _("Move or take off the %(n)d scales of stall %(stall)s before closing it.")
                               % {"n": stall.scales.count(), "stall": stall.number}})
    return core.update_record(stall, changes, actor=actor, message="stall")


# ---------------------------------------------------------------- scales


@transaction.atomic
def register_scale(*, market: Market, actor, stall: Stall | None = None, fair_scale: bool = False,
                   instrument: Instrument | None = None, category: InstrumentCategory | str | None = None,
                   manufacturer: str = "", model: str = "", serial_number: str = "", accuracy_class: str = "",
                   range_max=None, instrument_code: str = "", installation_date: dt.date | None = None,
                   registered_on: dt.date | None = None) -> MarketScale:
    """Register a scale in a market: an existing instrument of the operator (``instrument``), or a new one created
    in the registry (category, manufacturer, model, serial number; usage trade, owned by the operator, located in
    the market). Refused when the instrument is already registered (the error names its stall)."""
    check_market_writable(market, actor)
    _placement(market, stall, fair_scale)
    if instrument is None:
        instrument = _new_scale_instrument(market, actor, category=category, manufacturer=manufacturer, model=model,
                                           serial_number=serial_number, accuracy_class=accuracy_class,
                                           range_max=range_max, instrument_code=instrument_code,
                                           installation_date=installation_date)
    else:
        _check_linkable(market, instrument, actor)
    if (err := already_registered(instrument)) is not None:
        raise err
    scale = MarketScale(instrument=instrument, market=market, stall=stall, fair_scale=fair_scale,
                        registered_on=registered_on or timezone.localdate())
    scale.full_clean(validate_unique=False)
    scale.save(force_insert=True)
    audit.record(scale, "create", actor=actor, after=audit.snapshot(scale),
                 message=f"scale registered as {where_registered(scale)}")
    return scale


def _check_linkable(market: Market, instrument: Instrument, actor) -> None:
    if not Instrument.objects.restrict(actor, VIEW).filter(pk=instrument.pk).exists():
        raise PermissionDenied(_("You cannot see instrument %(pk)s.") % {"pk": instrument.pk})
    errors = {}
    if instrument.owner_id != market.operator_id:
        errors["instrument"] = _("Instrument %(inst)s belongs to %(owner)s, not to the market's operator.") % {
            "inst": instrument.instrument_code or instrument.pk, "owner": instrument.owner}
    elif instrument.category.code not in SCALE_CATEGORIES:
        errors["instrument"] = _("Instrument %(inst)s is a %(cat)s, not a weighing instrument.") % {
            "inst": instrument.instrument_code or instrument.pk, "cat": instrument.category}
    elif instrument.status in LAPSED_STATUSES:
        errors["instrument"] = _("Instrument %(inst)s is %(status)s.") % {
            "inst": instrument.instrument_code or instrument.pk, "status": instrument.get_status_display()}
    if errors:
        raise ValidationError(errors)


def scale_category(category) -> InstrumentCategory:
    code = getattr(category, "code", None) or category or DEFAULT_SCALE_CATEGORY
    if code not in SCALE_CATEGORIES:
        raise ValidationError({"category": _("%(cat)s is not a weighing category; use one of %(ok)s.")
                               % {"cat": code, "ok": ", ".join(SCALE_CATEGORIES)}})
    return category if isinstance(category, InstrumentCategory) else InstrumentCategory.objects.get(code=code)


def _new_scale_instrument(market: Market, actor, *, category, manufacturer, model, serial_number, accuracy_class,
                          range_max, instrument_code, installation_date) -> Instrument:
    cat = scale_category(category)
    missing = {k: _("is required") for k, v in (("manufacturer", manufacturer), ("model", model),
                                                  ("serial_number", serial_number)) if not str(v or "").strip()}
    if missing:
        raise ValidationError(missing)
    manufacturer, model, serial_number = (str(v).strip() for v in (manufacturer, model, serial_number))
    existing = Instrument.objects.filter(manufacturer=manufacturer, model=model, serial_number=serial_number).first()
    if existing is not None:
        if existing.owner_id == market.operator_id and (err := already_registered(existing)) is not None:
            raise err
        raise ValidationError({"serial_number": _(
            "An instrument %(manufacturer)s %(model)s no. %(serial)s is already in the registry (%(inst)s); "
            "register that one instead of a new one.") % {"manufacturer": manufacturer, "model": model,
                                                          "serial": serial_number,
                                                          "inst": existing.instrument_code or existing.pk}})
    values = {"owner": market.operator, "category": cat, "manufacturer": manufacturer, "model": model,
              "serial_number": serial_number, "accuracy_class": accuracy_class or "", "range_max": range_max,
              "range_unit": "kg" if range_max is not None else "", "usage": Usage.TRADE,
              "region_id": market.region_id, "address": f"{market.name} {market.address}".strip()[:300],
              "installation_date": installation_date or timezone.localdate(), "status": InstrumentStatus.IN_SERVICE}
    if instrument_code:
        values["instrument_code"] = instrument_code
    return core.create_record(Instrument, values, actor=actor, message=f"market scale of {market}")


@transaction.atomic
def move_scale(scale: MarketScale, *, actor, stall: Stall | None = None, fair_scale: bool = False) -> MarketScale:
    """Move a registered scale to another stall of its market, or make it a fair scale (or a fair scale a stall's)."""
    scale = MarketScale.objects.select_for_update(of=("self",)).select_related("market", "stall").get(pk=scale.pk)
    check_market_writable(scale.market, actor)
    _placement(scale.market, stall, fair_scale)
    before = audit.snapshot(scale)
    was = where_registered(scale)
    scale.stall, scale.fair_scale = stall, fair_scale
    scale.full_clean(validate_unique=False)
    scale.save(update_fields=["stall", "fair_scale", "last_updated"])
    after = audit.snapshot(scale)
    audit.record(scale, "update", actor=actor, before=before, after=after,
                 message=f"scale moved from {was} to {where_registered(scale)}")
    return scale


@transaction.atomic
def remove_scale(scale: MarketScale, *, actor, reason: str = "") -> None:
    """Take a scale off the market's register (the instrument stays in the registry, with its history)."""
    scale = MarketScale.objects.select_for_update(of=("self",)).select_related("market", "stall").get(pk=scale.pk)
    check_market_writable(scale.market, actor)
    before, pk, repr_ = audit.snapshot(scale), scale.pk, str(scale)
    region, org = scale.audit_region_code(), scale.audit_organisation_id()
    was = where_registered(scale)
    scale.delete()
    audit.record(None, "delete", actor=actor, before=before, object_type="livelihood.marketscale",
                 object_id=str(pk), object_repr=repr_, region_code=region, organisation_id=org,
                 message=f"scale taken off ({was}){': ' + reason if reason else ''}")


# ---------------------------------------------------------------- five unifications


def document_type(name: str, data: bytes) -> str:
    """The file extension of an evidence document (PDF, JPEG or PNG by its first bytes), or a ValidationError."""
    if len(data) > DOCUMENT_MAX_BYTES:
        raise ValidationError({"document": _("%(name)s is %(mb).1f MB; a document may be at most 10 MB.")
                               % {"name": name, "mb": len(data) / 2**20}})
    if not data:
        raise ValidationError({"document": _("%(name)s is empty.") % {"name": name}})
    for magic, (_mime, ext) in DOCUMENT_TYPES.items():
        if data.startswith(magic):
            return ext
    raise ValidationError({"document": _("%(name)s is not a PDF, JPEG or PNG file.") % {"name": name}})


def may_enter_evidence(actor, market: Market) -> bool:
    return Market.objects.restrict(actor, CHANGE).filter(pk=market.pk).exists()


def may_confirm(actor, market: Market) -> bool:
    return is_authority(actor) and may_enter_evidence(actor, market)


def check_snapshot(check: UnificationCheck) -> dict:
    """audit.snapshot with the document as its stored name (a FieldFile is no JSON value)."""
    data = audit.snapshot(check)
    data["document"] = check.document.name or ""
    return data


@transaction.atomic
def record_unification(*, market: Market, item: str, met: bool, responsible: str = "", detail: str = "",
                       evidence_date: dt.date | None = None, document: tuple[str, bytes] | None = None,
                       actor, today: dt.date | None = None) -> UnificationCheck:
    """Enter (or change) the evidence of one of the market's five unifications. A change of the evidence withdraws
    the bureau's confirmation."""
    check_market_writable(market, actor)
    today = today or timezone.localdate()
    errors = {}
    if item not in Unification.values:
        errors["item"] = _("%(item)s is not one of the five unifications.") % {"item": item}
    if evidence_date and evidence_date > today:
        errors["evidence_date"] = _("%(day)s is in the future.") % {"day": evidence_date}
    ext = None
    if document is not None:
        try:
            ext = document_type(*document)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    check, created = UnificationCheck.objects.select_for_update().get_or_create(market=market, item=item)
    before = None if created else check_snapshot(check)
    check.met, check.responsible, check.detail = bool(met), responsible.strip(), detail.strip()
    check.evidence_date = evidence_date
    if document is not None:
        check.document.save(f"{market.pk}-{item}-{today:%Y%m%d}.{ext}", ContentFile(document[1]), save=False)
    after = check_snapshot(check)
    changed = created or audit.changed_fields(before, after)
    if changed and check.checked_by_id:
        check.checked_by, check.checked_on = None, None
    check.full_clean()
    check.save()
    if changed:
        audit.record(check, "create" if created else "update", actor=actor, before=before,
                     after=check_snapshot(check), message=f"five unifications: {item}")
    return check


@transaction.atomic
def confirm_unification(check: UnificationCheck, *, actor, confirm: bool = True,
                        today: dt.date | None = None) -> UnificationCheck:
    """The bureau confirms (or withdraws its confirmation of) an item's evidence."""
    check = UnificationCheck.objects.select_for_update().select_related("market").get(pk=check.pk)
    if not may_confirm(actor, check.market):
        raise PermissionDenied(_("Only the market supervision bureau of the market's region confirms the evidence."))
    if confirm and not check.met:
        raise ValidationError({"met": _("The operator has not marked this item met; there is nothing to confirm.")})
    before = check_snapshot(check)
    check.checked_by, check.checked_on = (actor, today or timezone.localdate()) if confirm else (None, None)
    check.save(update_fields=["checked_by", "checked_on"])
    audit.record(check, "update", actor=actor, before=before, after=check_snapshot(check),
                 message=f"five unifications: {check.item} {'confirmed' if confirm else 'confirmation withdrawn'}")
    return check
