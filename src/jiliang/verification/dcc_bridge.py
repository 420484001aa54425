"""Calibration certificates as PTB Digital Calibration Certificates (DCC 3.1.2, D-SI 2.1.0), and back.

Export: a 校准证书's signed content becomes a :class:`~.dcc.Certificate` (one ``dcc:measurementResult``
with, per test point, the reference value, the indication and the error, each a ``si:real`` with the
expanded uncertainty U, k and p = 0.95 on the error), written by :func:`~.dcc.write_dcc` and validated
against the XSDs of ``settings.JILIANG_DCC_SCHEMA_DIR`` before it leaves the server.

Import: a DCC from another laboratory is validated against the XSD, read by :func:`~.dcc.read_dcc`
(unknown D-SI units are refused there) and flattened to the JSON stored with the
:class:`~.models.StandardCalibration`; the XML is kept verbatim, so nothing is lost.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import dcc
from .models import Certificate, CertificateKind

SOFTWARE = dcc.Software(dcc.Text.of("jiliang"), "0.1.0")


def schema_dir() -> Path:
    path = getattr(settings, "JILIANG_DCC_SCHEMA_DIR", "")
    if not path:
        raise ValidationError({"dcc": [_("No DCC schema directory is configured (JILIANG_DCC_SCHEMA_DIR); "
                                         "a DCC is neither written nor read without validation.")]})
    return Path(path)


def _contact(org: dict, email: str) -> dcc.Contact:
    return dcc.Contact(dcc.Text.of(zh=org["name"]), email=email or "unknown@example.invalid",
                       location=dcc.Location(further=dcc.Text.of(zh=org.get("address") or org["name"]),
                                             country_code="CN"))


def _person(p: dict | None, role: str, main: bool = False) -> dcc.RespPerson:
    name = (p or {}).get("name") or "—"
    return dcc.RespPerson(dcc.Contact(dcc.Text.of(zh=name)), role=role, main_signer=True if main else None)


def _unc(U: str | None, k: str | None) -> dcc.ExpandedUncertainty | None:
    if U in (None, ""):
        return None
    return dcc.ExpandedUncertainty(Decimal(U), Decimal(k or "2"), Decimal("0.95"))


def to_dcc(cert: Certificate) -> dcc.Certificate:
    if cert.kind != CertificateKind.CALIBRATION:
        raise ValidationError({"kind": [_("Only calibration certificates are exported as DCC (%(n)s is a %(k)s).")
                                        % {"n": cert.number, "k": cert.get_kind_display()}]})
    c = cert.content
    inst = c["instrument"]
    quantities = []
    for p in c["points"]:
        label = p["label"]
        quantities.append(dcc.Quantity(dcc.Text.of(zh=f"{label} 标准值", en=f"{label} reference value"),
                                       Decimal(p["reference_value"]), p["unit"], label=f"{label}/ref"))
        quantities.append(dcc.Quantity(dcc.Text.of(zh=f"{label} 示值", en=f"{label} indication"),
                                       Decimal(p["indication"]), p["unit"], label=f"{label}/ind"))
        quantities.append(dcc.Quantity(dcc.Text.of(zh=f"{label} 误差", en=f"{label} error"),
                                       Decimal(p["error"]), p["error_unit"], _unc(p.get("U"), p.get("k")),
                                       label=f"{label}/err"))
    results = [dcc.MeasurementResult(dcc.Text.of(zh="校准结果", en="Calibration results"), tuple(quantities))]
    cond = c.get("conditions") or {}
    env = []
    if cond.get("temperature") is not None:
        env.append(dcc.Quantity(dcc.Text.of(zh="温度", en="temperature"), Decimal(cond["temperature"]),
                                "\\degreecelsius", label="T"))
    if cond.get("humidity") is not None:
        env.append(dcc.Quantity(dcc.Text.of(zh="相对湿度", en="relative humidity"), Decimal(cond["humidity"]),
                                "\\percent", label="RH"))
    if env:
        results.append(dcc.MeasurementResult(dcc.Text.of(zh="环境条件", en="Ambient conditions"), tuple(env)))
    measured = dt.date.fromisoformat(c["measured_on"])
    sig = c["signatures"]
    return dcc.Certificate(
        unique_identifier=c["number"], country_code="CN", languages_used=("zh", "en"), languages_mandatory=("zh",),
        begin_performance_date=measured, end_performance_date=measured,
        performance_location="customer" if c.get("location") == "on_site" else "laboratory",
        laboratory=_contact(c["institute"], cert.institute.contact_email),
        customer=_contact(c["owner"], cert.owner.contact_email),
        items=(dcc.Item(name=dcc.Text.of(zh=inst["category"]), manufacturer=dcc.Contact(dcc.Text.of(zh=inst["manufacturer"])),
                        model=inst["model"] or None,
                        identifications=(dcc.Identification("manufacturer", inst["serial_number"],
                                                            dcc.Text.of(zh="出厂编号", en="serial number")),)),),
        resp_persons=(_person(sig.get("technician"), "检定员"), _person(sig.get("checker"), "核验员"),
                      _person(sig.get("approver"), "批准人", main=True)),
        results=tuple(results), software=(SOFTWARE,),
        identifications=(dcc.Identification("calibrationLaboratory", c["work_order"],
                                            dcc.Text.of(zh="委托单号", en="work order")),),
    )


def export_dcc(cert: Certificate) -> bytes:
    """The DCC XML of a calibration certificate, validated against the configured XSD."""
    xml = dcc.write_dcc(to_dcc(cert))
    try:
        dcc.validate_dcc(xml, schema_dir())
    except dcc.DccError as exc:
        raise ValidationError({"dcc": [str(exc)]}) from exc
    return xml


def quantity_json(q: dcc.Quantity) -> dict:
    u = q.uncertainty
    return {"name": dict((lang or "", text) for lang, text in q.name.contents), "label": q.label,
            "value": str(q.value), "unit": q.unit, "path": q.path,
            "U": None if u is None else str(u.value), "k": None if u is None else str(u.coverage_factor),
            "p": None if u is None else str(u.coverage_probability),
            "distribution": None if u is None else u.distribution}


def read_validated(xml: bytes | str) -> dict:
    """Validate (XSD) and read a DCC; refusals name the element and the reason."""
    raw = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
    try:
        dcc.validate_dcc(raw, schema_dir())
        cert = dcc.read_dcc(raw)
    except dcc.DccValidationError as exc:
        raise ValidationError({"dcc": [f"{p.path}: {p.reason}" for p in exc.problems[:10]]}) from exc
    except dcc.DccError as exc:
        raise ValidationError({"dcc": [str(exc)]}) from exc
    return {
        "certificate": cert,
        "laboratory": cert.laboratory.name.get("zh"),
        "results": [quantity_json(q) for q in cert.all_quantities()],
        "unsupported": list(cert.unsupported),
        "xml": raw.decode("utf-8"),
    }
