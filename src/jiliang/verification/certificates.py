"""Certificate content, numbers, validity and the signing key of an institute (used by services.py).

The content is the record of legal effect: everything the PDF shows, as a JSON object of strings,
integers, lists and objects, canonicalised and signed (signing.py). The PDF and the DCC are drawn from
it, so what anyone checks on ``/verify/<number>`` is what the paper says.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hmac
import re
import secrets
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from . import signing
from .models import (
    KIND_LETTER,
    Certificate,
    CertificateKind,
    CertificateSequence,
    SigningKey,
    StandardCalibration,
    WorkOrderItem,
)
from .rules import DecisionRule, load_regulation

TITLES = {
    CertificateKind.VERIFICATION: {"zh": "检定证书", "en": "Verification certificate"},
    CertificateKind.NONCONFORMITY: {"zh": "检定结果通知书", "en": "Notice of non-conformity"},
    CertificateKind.CALIBRATION: {"zh": "校准证书", "en": "Calibration certificate"},
}
NUMBER_FORMAT = "{org}-{year}-{letter}{seq:06d}"


def dec(value) -> str | None:
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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
    """The verification period (or service life) of the regulation file, else of the catalogue entry.

    A periodic category takes the regulation's ``periodic`` period, a first-verification-only category
    its ``service_life`` (e.g. JJG 162-2019 water meters DN ≤ 25: 6 years); the first matching entry of the
    file counts. Without a regulation, the catalogue's period applies.
    """
    category = item.instrument.category
    if item.regulation:
        reg = load_regulation(item.regulation)
        wanted = "service_life" if category.verification_mode.startswith("first_only") else "periodic"
        for p in reg.verification_periods:
            if p.mode == wanted:
                return p.months
        if reg.verification_periods:
            return reg.verification_periods[0].months
    if category.period_months:
        return category.period_months
    if category.service_life_years:
        return category.service_life_years * 12
    return None


def valid_until_for(item: WorkOrderItem, kind: str, measured_on: dt.date) -> dt.date | None:
    if kind == CertificateKind.NONCONFORMITY:
        return None
    months = period_months(item)
    if not months:
        return None
    return add_months(measured_on, months) - dt.timedelta(days=1)


def active_key(institute, *, create: bool = True) -> SigningKey:
    key = SigningKey.objects.filter(institute=institute, active=True).order_by("-id").first()
    if key is None and create:
        key_id, pem, wrapped = signing.generate(institute.pk)
        key = SigningKey.objects.create(institute=institute, key_id=key_id, public_key=pem, private_key_wrapped=wrapped)
    return key


def calibration_on(standard, day: dt.date) -> StandardCalibration | None:
    return (StandardCalibration.objects.filter(standard=standard, calibrated_on__lte=day, valid_until__gte=day)
            .order_by("-calibrated_on", "-id").first())


def _point_risk(decision: dict | None, position: int):
    points = (decision or {}).get("points") or []
    return points[position].get("risk") if position < len(points) else None


def _person(p) -> dict | None:
    if p is None:
        return None
    return {"name": p.name, "certificate": p.metrologist_certificate}


def _org(o) -> dict:
    return {"name": o.name, "uscc": o.uscc, "address": o.address}


def unit_text(unit: str) -> str:
    """A readable form of a D-SI unit string for the PDF (\\kilogram -> kg, \\percent -> %)."""
    table = {"\\percent": "%", "\\kilogram": "kg", "\\gram": "g", "\\milli\\gram": "mg", "\\ampere": "A",
             "\\metre\\tothe{3}\\hour\\tothe{-1}": "m³/h", "\\litre\\minute\\tothe{-1}": "L/min",
             "\\litre": "L", "\\metre\\tothe{3}": "m³", "\\degreecelsius": "°C", "\\kilo\\watt\\hour": "kWh"}
    return table.get(unit, unit.replace("\\", " ").strip())


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
        points.append({
            "label": p.label, "quantities": p.quantities, "attributes": p.attributes,
            "reference_value": dec(p.reference_value), "indication": dec(p.indication), "unit": p.unit,
            "unit_text": unit_text(p.unit), "error": dec(p.error), "error_unit": p.error_unit,
            "error_unit_text": unit_text(p.error_unit), "U": dec(p.expanded_uncertainty),
            "k": dec(p.coverage_factor), "mpe_text": p.mpe, "outcome": p.outcome or None,
            "risk": _point_risk(result.decision, p.position),
            "budget_U": (p.budget or {}).get("U") if p.budget else None,
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
        "instrument": {"id": inst.pk, "category": inst.category.name, "manufacturer": inst.manufacturer,
                       "model": inst.model, "serial_number": inst.serial_number,
                       "accuracy_class": inst.accuracy_class, "range": range_text},
        "regulation": {"id": reg.id, "number": reg.number, "edition": reg.edition, "title": dict(reg.title)}
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
        "notes": list((result.decision or {}).get("notes", [])),
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

