"""First-verification batches of household meters: registering a batch, and recording its results per meter.

A utility applies for the first compulsory verification of its meters before installation, batch by batch, and
"每批次首次强制检定的平均示值误差应当趋向零" (Zhejiang 条例 Art. 19, shared/reference/supervision-integrity-licensing.md
§3.2, H). The results of a batch are recorded as a whole, from a file or the API: per meter its code, pass or fail,
and its indication errors in % at each test flow (Q1, Q2, Q3 of a water meter; Qmin, 0.2 Qmax, Qmax of a gas
meter; the load points of an electricity meter). The whole batch is refused, with every reason by row, when:

* the number of meters differs from the batch's declared count (both numbers are named);
* a code names no registered meter, a meter of another utility, or another kind of meter;
* a code is given twice, a result is not pass/fail, an error is not a number.

Otherwise batch_stats.evaluate gives the statistics per flow (n, mean, s, t, p, 95 % CI, the test used) and the
flag; every meter gets its first verification date, result, errors and rotation deadline; and the first
verification is recorded as supervision's VerificationEvent (meter_import.first_events), earlier first events of
those meters being voided, so the instruments' state (valid, failed, service life ended) follows. All of it in
bulk (COPY and UPDATE … FROM VALUES on PostgreSQL): a batch may hold tens of thousands of meters.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.bulk import fast_insert
from jiliang.core.signals import records_written
from jiliang.registry import codes as code_rules
from jiliang.registry.models import Instrument, Organisation, OrganisationKind

from . import batch_stats, service_life
from .meter_access import check_registrar
from .meter_import import RESULT_WORDS, RowError, _text
from .models import FirstResult, HouseholdMeter, MeterBatch, MeterKind

CODE_HEADERS = {"instrument_code", "识别编码", "instrument code", "code", "表号"}
RESULT_HEADERS = {"result", "结论", "检定结论", "first_result"}
# Usual test flows (labels only; the batch names its own): JJG 162-2019 Q1/Q2/Q3; JJG 577-2012 Qmin/0.2Qmax/Qmax.
DEFAULT_FLOWS = {MeterKind.WATER: ["Q1", "Q2", "Q3"], MeterKind.GAS: ["Qmin", "0.2Qmax", "Qmax"],
                 MeterKind.ELECTRICITY: ["0.05Ib", "Ib", "Imax"]}


class BatchRefused(ValidationError):
    """The batch's results were refused as a whole: ``rows`` lists the reasons by row (row 0: the batch)."""

    def __init__(self, rows: list[RowError]):
        self.rows = rows
        super().__init__([f"{_('row')} {e.row} · {e.field}: {e.message}" if e.row else e.message
                          for e in rows[:50]])


@transaction.atomic
def register_batch(*, utility: Organisation, number: str, kind: str, manufacturer: str, declared_count: int,
                   model: str = "", institution: Organisation | None = None, verified_on: dt.date | None = None,
                   flows: list[str] | None = None, actor, today: dt.date | None = None) -> MeterBatch:
    today = today or dt.date.today()
    check_registrar(actor, utility)
    errors = {}
    if kind not in MeterKind.values:
        errors["kind"] = _("Choose water, gas or electricity.")
    if not number.strip():
        errors["number"] = _("Give the batch number.")
    elif MeterBatch.objects.filter(utility=utility, number=number.strip()).exists():
        errors["number"] = _("The utility already has a batch %(n)s.") % {"n": number}
    if declared_count is None or int(declared_count) < 1:
        errors["declared_count"] = _("A batch has at least one meter.")
    if verified_on and verified_on > today:
        errors["verified_on"] = _("%(day)s is in the future.") % {"day": verified_on}
    if institution is not None and institution.kind != OrganisationKind.INSTITUTE:
        errors["institution"] = _("%(org)s is not a verification institution.") % {"org": institution}
    if errors:
        raise ValidationError(errors)
    batch = MeterBatch(utility=utility, number=number.strip(), kind=kind, manufacturer=manufacturer, model=model,
                       declared_count=int(declared_count), institution=institution, verified_on=verified_on,
                       flows=list(flows or DEFAULT_FLOWS.get(kind, [])))
    batch.full_clean()
    batch.save()
    audit.record(batch, "create", actor=actor, after=audit.snapshot(batch), message="meter batch")
    return batch


def rows_from_table(table) -> tuple[list[str], list[tuple[int, dict]], list[RowError]]:
    """(flows, rows, header problems) of a results file: a code column, a result column, one column per flow."""
    code_i = result_i = None
    flows: list[tuple[str, int]] = []
    problems = []
    for i, h in enumerate(table.headers):
        low = str(h or "").strip().lower()
        if low in CODE_HEADERS:
            code_i = i
        elif low in RESULT_HEADERS:
            result_i = i
        elif low:
            flows.append((str(h).strip(), i))
    if code_i is None:
        problems.append(RowError(1, "instrument_code", _("the file has no column instrument_code (识别编码)")))
    if result_i is None:
        problems.append(RowError(1, "result", _("the file has no column result (结论)")))
    rows = []
    if not problems:
        for number, cells in table.rows:
            rows.append((number, {"instrument_code": cells[code_i], "result": cells[result_i],
                                  "errors": {f: cells[i] for f, i in flows}}))
    return [f for f, _i in flows], rows, problems


def check_results(batch: MeterBatch, rows: list[tuple[int, dict]], flows: list[str]):
    """The meters and their (result, errors) of the rows, or BatchRefused with every reason."""
    problems: list[RowError] = []
    if len(rows) != batch.declared_count:
        problems.append(RowError(0, "declared_count", _(
            "The file gives %(n)d meters but batch %(b)s declares %(d)d: the results of a batch are recorded "
            "together, for every meter of it.") % {"n": len(rows), "b": batch.number, "d": batch.declared_count}))
    seen: dict[str, int] = {}
    parsed = []
    for number, values in rows:
        code = code_rules.compact(_text(values.get("instrument_code")))
        if not code:
            problems.append(RowError(number, "instrument_code", _("is required")))
            continue
        if code in seen:
            problems.append(RowError(number, "instrument_code", _("code %(code)s is also in row %(row)d")
                                     % {"code": code, "row": seen[code]}))
            continue
        seen[code] = number
        result = RESULT_WORDS.get(_text(values.get("result")).lower())
        if not result:
            problems.append(RowError(number, "result", _("write pass or fail (合格 or 不合格)")))
        errors = {}
        given = values.get("errors") or {}
        for flow in flows:
            value = given.get(flow)
            if value in (None, ""):
                continue
            try:
                x = float(value)
                if not math.isfinite(x):
                    raise ValueError
                errors[flow] = x
            except (TypeError, ValueError):
                problems.append(RowError(number, flow, _("%(v)s is not an error in %%") % {"v": value}))
        extra = set(given) - set(flows)
        if extra:
            problems.append(RowError(number, "errors", _("flows not of this batch: %(f)s") % {
                "f": ", ".join(sorted(map(str, extra)))}))
        parsed.append((number, code, result, errors))
    meters = {}
    codes = [p[1] for p in parsed]
    for i in range(0, len(codes), 5000):
        for inst_id, code, owner_id in Instrument._base_manager.filter(instrument_code__in=codes[i:i + 5000]) \
                .values_list("pk", "instrument_code", "owner_id"):
            meters[code] = (inst_id, owner_id)
    profiles = {}
    ids = [v[0] for v in meters.values()]
    for i in range(0, len(ids), 5000):
        for m in HouseholdMeter.objects.filter(pk__in=ids[i:i + 5000]).only(
                "instrument_id", "utility_id", "kind", "rule", "batch_id", "first_result"):
            profiles[m.pk] = m
    good = []
    for number, code, result, errors in parsed:
        found = meters.get(code)
        profile = profiles.get(found[0]) if found else None
        if found is None or (profile is None and found[1] != batch.utility_id):
            # Another utility's instrument is answered like an unknown code: nothing tells whether it exists.
            problems.append(RowError(number, "instrument_code", _("no household meter of %(u)s has code %(code)s")
                                     % {"u": batch.utility.name, "code": code}))
        elif profile is None:
            problems.append(RowError(number, "instrument_code", _("%(code)s is not registered as a household meter")
                                     % {"code": code}))
        elif profile.utility_id != batch.utility_id:
            problems.append(RowError(number, "instrument_code", _("%(code)s is a meter of another utility")
                                     % {"code": code}))
        elif profile.kind != batch.kind:
            problems.append(RowError(number, "instrument_code", _("%(code)s is a %(k)s, the batch is of %(b)s")
                                     % {"code": code, "k": profile.get_kind_display(),
                                        "b": batch.get_kind_display()}))
        elif profile.batch_id not in (None, batch.pk):
            problems.append(RowError(number, "instrument_code", _("%(code)s belongs to another batch")
                                     % {"code": code}))
        else:
            good.append((profile, result, errors))
    if problems:
        raise BatchRefused(sorted(problems, key=lambda e: e.row))
    return good


@transaction.atomic
def record_results(batch: MeterBatch, rows: Iterable[tuple[int, dict]], *, actor, flows: list[str] | None = None,
                   verified_on: dt.date | None = None, alpha: float = batch_stats.DEFAULT_ALPHA,
                   today: dt.date | None = None) -> MeterBatch:
    """Record the first-verification results of every meter of ``batch`` (see the module's docstring)."""
    from jiliang.supervision.models import VerificationEvent
    from jiliang.supervision.state import update_rows

    from .meter_import import first_events

    today = today or dt.date.today()
    check_registrar(actor, batch.utility)
    batch = MeterBatch.objects.select_for_update().get(pk=batch.pk)
    verified_on = verified_on or batch.verified_on
    head = []
    if verified_on is None:
        head.append(RowError(0, "verified_on", _("Give the date of the batch's first verification.")))
    elif verified_on > today:
        head.append(RowError(0, "verified_on", _("%(day)s is in the future.") % {"day": verified_on}))
    if batch.institution_id is None:
        head.append(RowError(0, "institution", _("Name the institution that verified the batch.")))
    if batch.passed or batch.failed:
        head.append(RowError(0, "batch", _("The results of batch %(b)s are already recorded.") % {"b": batch.number}))
    flows = list(flows or batch.flows or [])
    rows = list(rows)
    try:
        good = check_results(batch, rows, flows)
    except BatchRefused as exc:
        raise BatchRefused(head + exc.rows) from None
    if head:
        raise BatchRefused(head)
    by_flow = {f: [e[f] for _p, _r, e in good if f in e] for f in flows}
    stats = batch_stats.evaluate(by_flow, alpha)
    rule_years = {r.category: r for r in service_life.RULES}
    meters = []
    for profile, result, errors in good:
        profile.batch_id = batch.pk
        profile.first_verified_on = verified_on
        profile.first_result = result
        profile.first_errors = errors
        profile.rotation_due = rule_years[profile.rule].rotation_due(verified_on)
        meters.append(profile)
    update_rows(HouseholdMeter, meters, ["batch", "first_verified_on", "first_result", "first_errors",
                                         "rotation_due"])
    ids = [m.pk for m in meters]
    for i in range(0, len(ids), 5000):  # a first verification recorded earlier (the meter file) is superseded
        VerificationEvent.objects.filter(instrument_id__in=ids[i:i + 5000], kind="first", void=False) \
            .update(void=True, void_reason=f"superseded by batch {batch.number}"[:300])
    instruments = {}
    for i in range(0, len(ids), 5000):
        instruments.update({x.pk: x for x in Instrument._base_manager.filter(pk__in=ids[i:i + 5000])
                            .only("pk", "instrument_code")})
    fast_insert(VerificationEvent, first_events(((instruments[m.pk], m, batch.institution) for m in meters),
                                                actor=actor, tag=batch.number))
    batch.verified_on = verified_on
    batch.flows = flows
    batch.statistics = stats.as_dict()
    batch.biased = stats.flagged
    batch.passed = sum(1 for m in meters if m.first_result == FirstResult.PASS)
    batch.failed = len(meters) - batch.passed
    batch.save(update_fields=["verified_on", "flows", "statistics", "biased", "passed", "failed", "last_updated"])
    audit.record(batch, "action", actor=actor, message="first-verification results of the batch",
                 after={"passed": batch.passed, "failed": batch.failed, "biased": batch.biased,
                        "verified_on": verified_on.isoformat()})
    records_written.send(sender=Instrument, pks=ids)
    return batch


def refuse_foreign(batch: MeterBatch, actor) -> None:
    """A batch the actor may not see is answered as missing by the views; here for services called directly."""
    if not MeterBatch.objects.restrict(actor, "view").filter(pk=batch.pk).exists():
        raise PermissionDenied(_("You cannot see that batch."))
