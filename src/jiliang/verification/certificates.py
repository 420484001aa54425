"""Certificate content, numbers, validity and the signing key of an institute (used by services.py).

The content is the record of legal effect: everything the PDF shows, as a JSON object of strings,
integers, lists and objects, canonicalised and signed (signing.py). The PDF and the DCC are drawn from
it, so what anyone checks on ``/verify/<number>`` is what the paper says.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core import units
from jiliang.core.values.dates import last_day_of_validity
from jiliang.core.values.decimals import optional_decimal_text
from jiliang.uncertainty.rounding import round_to, round_uncertainty, text

from . import decisions, signing
from .models import (
    KIND_LETTER,
    Certificate,
    CertificateKind,
    CertificateSequence,
    SigningKey,
    StandardCalibration,
    WorkOrderItem,
)
from .rules import DecisionRule, RuleError, load_regulation, verification_period

TITLES = {
    CertificateKind.VERIFICATION: {"zh": "检定证书", "en": "Verification certificate"},
    CertificateKind.NONCONFORMITY: {"zh": "检定结果通知书", "en": "Notice of non-conformity"},
    CertificateKind.CALIBRATION: {"zh": "校准证书", "en": "Calibration certificate"},
}
NUMBER_FORMAT = "{org}-{year}-{letter}{seq:06d}"


dec = optional_decimal_text


def reported_uncertainty(U) -> Decimal | None:
    """U as a certificate reports it: at most two significant digits (JJF 1059.1-2012 5.3.8.1).

    A U recorded with one or two significant digits stands as recorded; a longer one is rounded to two
    by :func:`jiliang.uncertainty.rounding.round_uncertainty` (GB/T 8170, round half to even)."""
    if U is None:
        return None
    value = Decimal(U)
    if value == 0 or len(value.normalize().as_tuple().digits) <= 2:
        return value.normalize()
    return round_uncertainty(float(value), 2)


def reported_result(value, U: Decimal | None) -> str | None:
    """A result rounded to the decimal place of the last digit of its reported U (JJF 1059.1-2012 5.3.8.3)."""
    if value is None:
        return None
    if U is None or U == 0:
        return dec(value)
    return text(round_to(float(Decimal(value)), U))




def institute_code(institute) -> str:
    """Characters 9-17 of the unified social credit code: the GB 11714 organisation code (GB 32100 4)."""
    return institute.uscc[8:17]


def next_number(institute, kind: str, year: int) -> str:
    """Take the next sequence number of the institute and year (row locked; never reused)."""
    seq, _ = CertificateSequence.objects.select_for_update().get_or_create(institute=institute, year=year)
    while True:
        seq.last += 1
        number = NUMBER_FORMAT.format(org=institute_code(institute), year=year, letter=KIND_LETTER[kind],
                                      seq=seq.last)
        if not Certificate.objects.filter(number=number).exists():
            break
    seq.save(update_fields=["last"])
    return number


# Check codes: 8 characters of an alphabet without look-alikes (no 0/O, 1/I/L): 31^8 ≈ 2^39.6 per number.
CHECK_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECK_CODE_LENGTH = 8


def new_check_code() -> str:
    """A random check code, printed on the certificate and asked for by the public check."""
    return "".join(secrets.choice(CHECK_CODE_ALPHABET) for _ in range(CHECK_CODE_LENGTH))


def normalise_check_code(text: str) -> str:
    """As people type it: any case, with spaces or a dash between the halves."""
    return re.sub(r"[\s\-]", "", str(text or "")).upper()[:2 * CHECK_CODE_LENGTH]


def display_check_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == CHECK_CODE_LENGTH else code


def check_code_matches(cert: Certificate, given: str) -> bool:
    return bool(cert.check_code) and hmac.compare_digest(normalise_check_code(given).encode(),
                                                         cert.check_code.encode())


def verify_path(number: str, check_code: str) -> str:
    return f"/verify/{number}?code={check_code}"


# Left out of what the public check shows (issue 11, item 13): the owner's and the institute's USCC and
# street address, the location, the metrologists' registration numbers. The owner and the authorities
# see everything (and the signed document).
def public_content(content: dict) -> dict:
    c = {k: v for k, v in content.items() if k not in ("location", "check_code", "verify_path")}
    for party in ("owner", "institute"):
        if isinstance(c.get(party), dict):
            c[party] = {"name": c[party].get("name")}
    c["signatures"] = {role: ({"name": p.get("name")} if p else None)
                       for role, p in (content.get("signatures") or {}).items()}
    c["standards"] = [{"name": s.get("name"), "uncertainty": s.get("uncertainty")}
                      for s in content.get("standards") or []]
    return c


def number_pattern_ok(number: str, institute, year: int, kind: str) -> bool:
    head = f"{institute_code(institute)}-{year}-"
    tail = number[len(head):]
    return number.startswith(head) and len(tail) == 7 and tail[0] == KIND_LETTER[kind] and tail[1:].isdigit()


def period_months(item: WorkOrderItem) -> int | None:
    """The verification period (or service life) of the regulation row the instrument meets, else of the
    catalogue entry.

    The row is chosen by its condition (rules/periods.py): JJG 162-2019 water meters DN ≤ 25 mm 72 months,
    25 < DN ≤ 50 mm 48 months, larger ones periodic 24 months; JJG 577-2012 natural gas 120 months,
    manufactured gas or LPG 72 months. An instrument that meets no row, or several, or lacks what the
    condition needs, is refused (ValidationError naming the item's attribute or parameter), so no
    certificate carries a validity the regulation does not give. Without a regulation, or with a regulation
    that gives no period, the catalogue's period applies.
    """
    category = item.instrument.category
    if item.regulation:
        reg = load_regulation(item.regulation)
        if reg.verification_periods:
            return matching_period(item.regulation, item.attributes, item.parameters, str(item.instrument)).months
    if category.period_months:
        return category.period_months
    if category.service_life_years:
        return category.service_life_years * 12
    return None


def matching_period(regulation: str, attributes: dict, parameters: dict, what: str, prefix: str = ""):
    """The period row of ``regulation`` that an instrument with these attributes and parameters meets."""
    spec = decisions.rules_instrument(regulation, attributes, parameters, prefix)
    try:
        return verification_period(spec)
    except RuleError as exc:
        raise ValidationError({f"{prefix}{exc.field}": [
            _("%(instrument)s: no validity can be set: %(reason)s") % {"instrument": what, "reason": exc.message}]},
        ) from exc


def valid_until_for(item: WorkOrderItem, kind: str, measured_on: dt.date) -> dt.date | None:
    """The last day of validity; a verification whose period the regulation does not decide is refused, while a
    calibration certificate (which states no conformity and needs no validity) then simply states none."""
    if kind == CertificateKind.NONCONFORMITY:
        return None
    try:
        months = period_months(item)
    except ValidationError:
        if kind == CertificateKind.CALIBRATION:
            return None
        raise
    if not months:
        return None
    return last_day_of_validity(measured_on, months)


def active_key(institute) -> SigningKey | None:
    """The institute's active signing key, or None (services.keys._signing_key_for creates one, audited)."""
    return SigningKey.objects.filter(institute=institute, active=True).order_by("-id").first()


def new_key(institute) -> SigningKey:
    """A new Ed25519 key row for the institute (the caller retires the old one and writes the audit entry)."""
    key_id, pem, wrapped = signing.generate(institute.pk)
    return SigningKey.objects.create(institute=institute, key_id=key_id, public_key=pem, private_key_wrapped=wrapped)


def calibration_on(standard, day: dt.date) -> StandardCalibration | None:
    return (StandardCalibration.objects.filter(standard=standard, calibrated_on__lte=day, valid_until__gte=day)
            .order_by("-calibrated_on", "-id").first())


def _point_risk(decision: dict | None, position: int):
    points = (decision or {}).get("points") or []
    return points[position].get("risk") if position < len(points) else None


def _budget_U(budget: dict | None) -> str | None:
    U = (budget or {}).get("U")
    return None if U is None else text(reported_uncertainty(Decimal(repr(float(U)))))


def _person(p) -> dict | None:
    if p is None:
        return None
    return {"name": p.name, "certificate": p.metrologist_certificate}


def _org(o) -> dict:
    return {"name": o.name, "uscc": o.uscc, "address": o.address}


def unit_text(unit: str) -> str:
    """The symbol of a D-SI unit string for the PDF (\\kilogram -> kg, \\mega\\pascal -> MPa): units."""
    return units.symbol(unit)


def build_content(item: WorkOrderItem, kind: str, number: str, issued_on: dt.date, valid_until: dt.date | None,
                  key_id: str, supersedes: str | None = None, check_code: str = "") -> dict:
    wo = item.work_order
    result = item.result
    inst = item.instrument
    reg = load_regulation(item.regulation) if item.regulation else None
    rule = (DecisionRule.guarded(allow_conditional=kind == CertificateKind.CALIBRATION)
            if item.decision_rule == "guarded" else DecisionRule.simple())
    standards = []
    for s in result.standards.order_by("name", "pk"):
        cal = calibration_on(s, result.measured_on)
        standards.append({
            "name": s.name, "certificate_no": s.certificate_no, "valid_until": s.valid_until.isoformat()
            if s.valid_until else None,
            "uncertainty": f"U = {dec(s.uncertainty)} {s.uncertainty_unit}, k = {dec(s.coverage_factor)}"
            if s.uncertainty is not None else (s.accuracy_class or s.mpe),
            "calibration": {"certificate_no": cal.certificate_no, "laboratory": cal.laboratory,
                            "valid_until": cal.valid_until.isoformat(), "traceability": cal.traceability}
            if cal else None,
        })
    points = []
    for p in result.points.all():
        U = reported_uncertainty(p.expanded_uncertainty)  # U is stated on the error (its own unit)
        points.append({
            "label": p.label, "quantities": p.quantities, "attributes": p.attributes,
            "reference_value": dec(p.reference_value), "indication": dec(p.indication), "unit": p.unit,
            "unit_text": unit_text(p.unit), "error": reported_result(p.error, U), "error_unit": p.error_unit,
            "error_unit_text": unit_text(p.error_unit), "U": None if U is None else text(U),
            "k": dec(p.coverage_factor), "mpe_text": p.mpe, "outcome": p.outcome or None,
            "risk": _point_risk(result.decision, p.position),
            "budget_U": _budget_U(p.budget),
        })
    range_text = ""
    if inst.range_min is not None and inst.range_max is not None:
        range_text = f"{dec(inst.range_min)}–{dec(inst.range_max)} {inst.range_unit}"
    return {
        "format": "jiliang.certificate.content/1",
        "number": number,
        "kind": kind,
        "title": TITLES[kind],
        "institute": _org(wo.institute),
        "owner": _org(wo.owner),
        "work_order": wo.number,
        "location": wo.location,
        "instrument": {"id": inst.pk, "category": inst.category.name, "category_en": inst.category.name_en,
                       "manufacturer": inst.manufacturer,
                       "model": inst.model, "serial_number": inst.serial_number,
                       "accuracy_class": inst.accuracy_class, "range": range_text},
        "regulation": {"id": reg.id, "number": reg.number, "edition": reg.edition, "title": dict(reg.title),
                       "in_force": reg.in_force}
        if reg else None,
        "method": item.method or None,
        "stage": item.stage,
        "decision_rule": {"code": item.decision_rule, "text": rule.name} if (reg or kind != "calibration") else None,
        "outcome": result.outcome or None,
        "conditions": {"temperature": dec(result.temperature), "humidity": dec(result.humidity)},
        "measured_on": result.measured_on.isoformat(),
        "issued_on": issued_on.isoformat(),
        "valid_until": valid_until.isoformat() if valid_until else None,
        "points": points,
        "standards": standards,
        "signatures": {"technician": _person(result.technician), "checker": _person(wo.checker),
                       "approver": _person(wo.approver)},
        # the technician's remarks; the rules' notes on data provenance stay on the result and rule pages
        "notes": [line.strip() for line in (result.notes or "").splitlines() if line.strip()],
        "check_code": check_code,
        "verify_path": verify_path(number, check_code),
        "key_id": key_id,
        "supersedes": supersedes,
    }


def public_url(path: str) -> str:
    base = (getattr(settings, "JILIANG_PUBLIC_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return base + path


def signature_status(cert: Certificate) -> bool:
    return signing.verify(cert.signing_key.public_key, cert.content, cert.signature)


def now_date() -> dt.date:
    return timezone.localdate()

