"""Free verification (计量惠民): naming programmes, marking verifications free with the fee waived, the bulk file,
and attaching reported free records to their programme. Each act in a transaction, scope-checked and audited.

Who marks a verification free: the institution that did it (its own events), and the market supervision bureaus
whose region holds the instrument (the provincial bureau: all). A verification is marked once, under a programme
that covers it (free_scope.py); the refusal names the reason. The fee waived is entered per verification (yuan)
or, when left out, taken from the provincial bureau's fee schedule (FeeScheduleItem); jiliang invents no fee.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core import services as core
from jiliang.core.roles import BUREAU_ROLES, Role
from jiliang.core.scoping import VIEW, is_unrestricted, user_role
from jiliang.supervision.models import VerificationEvent

from . import free_scope
from .models import FeeScheduleItem, FreeProgramme, FreeVerification, ProgrammeKind

# ---------------------------------------------------------------- programmes


def _check_programme(data: dict, m2m: dict | None) -> None:
    m2m = m2m or {}
    if data.get("kind") == ProgrammeKind.OTHER and not (m2m.get("categories") or m2m.get("owners")):
        raise ValidationError({"owners": _("A programme of kind other names its owners or its categories.")})
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if starts and ends and ends < starts:
        raise ValidationError({"ends_on": _("The programme ends before it starts.")})


def create_programme(data: dict, *, actor, m2m: dict | None = None) -> FreeProgramme:
    """Name a programme (provincial bureau only: FreeProgramme.scope)."""
    _check_programme(data, m2m)
    return core.create_record(FreeProgramme, data, actor=actor, m2m=m2m, message="free-verification programme")


def update_programme(programme: FreeProgramme, changes: dict, *, actor, m2m: dict | None = None) -> FreeProgramme:
    merged = {"kind": programme.kind, "starts_on": programme.starts_on, "ends_on": programme.ends_on, **changes}
    current = {"categories": list(programme.categories.all()), "owners": list(programme.owners.all())}
    _check_programme(merged, {**current, **(m2m or {})})
    return core.update_record(programme, changes, actor=actor, m2m=m2m, message="free-verification programme")


# ---------------------------------------------------------------- marking


def may_mark(user, event: VerificationEvent) -> bool:
    """The institution that did the verification, or a bureau whose region holds the instrument."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if is_unrestricted(user):
        return True
    role = user_role(user)
    if role == Role.INSTITUTE:
        return bool(user.organisation_id) and event.institution_id == user.organisation_id
    if role in BUREAU_ROLES:
        return VerificationEvent.objects.restrict(user, VIEW).filter(pk=event.pk).exists()
    return False


def scheduled_fee(category_id: int) -> FeeScheduleItem | None:
    return FeeScheduleItem.objects.filter(category_id=category_id).first()


def parse_fee(value) -> Decimal | None:
    """A fee in yuan as typed (``12``, ``12.5``, ``¥12.50``), None when blank; a ValidationError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().replace("¥", "").replace("￥", "").replace("元", "").replace(",", "")
    try:
        fee = Decimal(text)
    except InvalidOperation:
        raise ValidationError({"fee_waived": _("%(v)r is not an amount in yuan.") % {"v": value}}) from None
    if not fee.is_finite() or fee < 0 or fee >= Decimal("1e8"):
        raise ValidationError({"fee_waived": _("%(v)r is not an amount in yuan.") % {"v": value}})
    return fee.quantize(Decimal("0.01"))


def _refuse_unmarkable(event: VerificationEvent, programme: FreeProgramme) -> None:
    if event.void:
        raise ValidationError({"event": _("The verification %(n)s is void.") % {"n": event.number}})
    existing = FreeVerification.objects.filter(event=event).select_related("programme").first()
    if existing is not None:
        raise ValidationError({"event": _("The verification %(n)s is already marked free under %(p)s.") % {
            "n": event.number, "p": existing.programme}})
    why = free_scope.refusal(programme, event)
    if why is not None:
        raise ValidationError({"programme": why})


def _fee_of(event: VerificationEvent, fee_waived, fee_basis: str, *, required: bool) -> tuple[Decimal | None, str]:
    fee = parse_fee(fee_waived)
    if fee is not None:
        return fee, fee_basis.strip()
    item = scheduled_fee(event.instrument.category_id)
    if item is not None:
        return item.fee, (fee_basis.strip() or item.basis)
    if required:
        raise ValidationError({"fee_waived": _(
            "Enter the fee waived: the fee schedule has no fee for %(c)s.") % {"c": event.instrument.category}})
    return None, fee_basis.strip()


def _create(event, programme, fee, basis, actor, message) -> FreeVerification:
    free = FreeVerification(event=event, programme=programme, fee_waived=fee, fee_basis=basis[:200],
                            marked_by=actor if getattr(actor, "pk", None) else None)
    free.full_clean(validate_unique=False)
    free.save(force_insert=True)
    audit.record(free, "create", actor=actor, after=audit.snapshot(free), message=message)
    if not event.free_of_charge:
        event.free_of_charge = True
        event.save(update_fields=["free_of_charge", "last_updated"])
        audit.record(event, "update", actor=actor, before={"free_of_charge": False}, after={"free_of_charge": True},
                     message=f"free verification under {programme.code}")
    return free


@transaction.atomic
def mark_free(event: VerificationEvent, programme: FreeProgramme, fee_waived=None, fee_basis: str = "", *,
              actor) -> FreeVerification:
    """Mark ``event`` as done free of charge under ``programme``, with the fee waived (yuan; from the fee schedule
    when not given). Refused, with the reason, for a user who may not mark it, a void or already marked event, or
    one the programme does not cover."""
    event = VerificationEvent.objects.select_for_update().select_related("instrument").get(pk=event.pk)
    if not may_mark(actor, event):
        raise PermissionDenied(_("Only the institution that did the verification, or a market supervision bureau "
                                 "of the instrument's region, marks it free."))
    _refuse_unmarkable(event, programme)
    fee, basis = _fee_of(event, fee_waived, fee_basis, required=True)
    return _create(event, programme, fee, basis, actor, "marked free")


def attach_reported(event_ids, *, actor=None) -> list[FreeVerification]:
    """Events reported with ``free_of_charge`` set and not yet marked: attach each to its programme where exactly
    one active programme covers it (the fee from the schedule, else left empty to be entered); the others stay
    unattached for a person to mark (their number is logged in the audit entry of the report)."""
    ids, events = list(event_ids), []
    for i in range(0, len(ids), 5000):  # bulk writers announce hundreds of thousands of ids at once
        events += VerificationEvent.objects.filter(pk__in=ids[i:i + 5000], free_of_charge=True, void=False,
                                                   free_verification__isnull=True).select_related("instrument")
    if not events:
        return []
    programmes = list(FreeProgramme.objects.filter(active=True).prefetch_related("categories", "owners"))
    made = []
    with transaction.atomic():
        for event in events:
            matches = free_scope.covering(event, programmes)
            if len(matches) != 1:
                continue
            fee, basis = _fee_of(event, None, "", required=False)
            made.append(_create(event, matches[0], fee, basis, actor, "reported free: attached to its programme"))
    return made


# ---------------------------------------------------------------- the bulk file

BULK_COLUMNS = ("number", "institution_uscc", "programme", "fee_waived", "fee_basis")
HEADERS = {
    "number": ("证书编号", "检定证书编号", "certificate or notice number", "number", "event number"),
    "institution_uscc": ("检定机构统一社会信用代码", "机构信用代码", "institution uscc", "institution_uscc"),
    "programme": ("项目", "项目代码", "惠民项目", "programme", "programme code"),
    "fee_waived": ("减免费用", "减免费用（元）", "fee waived", "fee waived (yuan)", "fee_waived", "fee"),
    "fee_basis": ("收费依据", "fee basis", "fee_basis"),
}


@dataclass
class BulkRow:
    row: int
    status: str  # "marked" or "error"
    event: int | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = {"row": self.row, "status": self.status}
        if self.event is not None:
            out["event"] = self.event
        if self.errors:
            out["errors"] = [{"field": f, "message": m} for f, m in self.errors]
        return out


def _header_map(header: list) -> tuple[dict[str, int], list[str]]:
    index = {}
    for i, text in enumerate(header):
        key = str(text or "").strip().lower()
        for name, names in HEADERS.items():
            if key in {n.lower() for n in names}:
                index[name] = i
    missing = [n for n in ("number", "programme") if n not in index]
    return index, missing


def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "" if v is None else str(v).strip()


def mark_from_file(name: str, data: bytes, *, actor) -> list[BulkRow]:
    """:func:`mark_from_table` of an uploaded xlsx or CSV file (core.tabular reads it)."""
    from jiliang.core.tabular import TableError, read_table

    try:
        table = read_table(name, data)
    except TableError as exc:
        raise ValidationError(str(exc)) from exc
    return mark_from_table(table.headers, table.rows, actor=actor)


def mark_from_table(headers: list, rows: list[tuple[int, list]], *, actor) -> list[BulkRow]:
    """Mark the verifications a table lists (header row, then one row per verification: certificate or notice
    number, optionally the institution's USCC where numbers repeat across institutions, the programme's code, the
    fee waived and its basis). Each row is marked on its own: a bad row is reported with its field and reason, the
    good rows are kept. Row numbers are the file's (the header is row 1)."""
    index, missing = _header_map(headers)
    if missing:
        raise ValidationError(_("The file lacks the column(s): %(c)s. The columns are: %(all)s.") % {
            "c": ", ".join(missing), "all": ", ".join(HEADERS[n][0] + " / " + HEADERS[n][2] for n in BULK_COLUMNS)})
    programmes = {p.code: p for p in FreeProgramme.objects.prefetch_related("categories", "owners")}
    visible = VerificationEvent.objects.restrict(actor, VIEW)
    out: list[BulkRow] = []
    for n, row in rows:
        cells = {k: _text(row[i]) if i < len(row) else "" for k, i in index.items()}
        if not any(cells.values()):
            continue
        errors: list[tuple[str, str]] = []
        programme = programmes.get(cells.get("programme", ""))
        if programme is None:
            errors.append(("programme", _("no programme has the code %(c)r") % {"c": cells.get("programme", "")}))
        number = cells.get("number", "")
        found = []
        if not number:
            errors.append(("number", _("is required")))
        else:
            qs = VerificationEvent.objects.filter(number=number)
            if cells.get("institution_uscc"):
                qs = qs.filter(institution__uscc=cells["institution_uscc"].upper())
            found = list(qs[:2])
            if not found:
                errors.append(("number", _("no verification has the number %(n)s") % {"n": number}))
            elif len(found) > 1:
                errors.append(("institution_uscc", _("two institutions used the number %(n)s: give the "
                                                     "institution's USCC") % {"n": number}))
            elif not visible.filter(pk=found[0].pk).exists():
                errors.append(("number", _("no verification has the number %(n)s") % {"n": number}))
        if errors:
            out.append(BulkRow(n, "error", errors=errors))
            continue
        try:
            free = mark_free(found[0], programme, cells.get("fee_waived"), cells.get("fee_basis", ""), actor=actor)
        except ValidationError as exc:
            out.append(BulkRow(n, "error", event=found[0].pk, errors=[
                (name, " ".join(msgs)) for name, msgs in core.validation_messages(exc).items()]))
        except PermissionDenied as exc:
            out.append(BulkRow(n, "error", event=found[0].pk, errors=[("number", str(exc))]))
        else:
            out.append(BulkRow(n, "marked", event=free.pk))
    return out
