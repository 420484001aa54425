"""Keeping the graph current, one record at a time: when a certificate is issued, revoked or re-issued and when a
standard's calibration is recorded (a DCC import among them), that record's links are derived again
(graph.links_for_certificate / links_for_calibration), in the same transaction as the change. Traceability listens
to verification (signals.py); verification never imports traceability."""

from __future__ import annotations

from . import graph
from .chain_check import requirements_for_items
from .models import Link, LinkSource


def relink_certificate(cert_id: int) -> int:
    """Derive the links of one certificate again (and of our calibrations of standards made under it)."""
    from jiliang.verification.models import Certificate, MeasurementResult, StandardCalibration

    Link.objects.filter(source=LinkSource.CERTIFICATE, source_id=cert_id).delete()
    cert = Certificate.objects.select_related("instrument").get(pk=cert_id)
    result = MeasurementResult.objects.filter(item_id=cert.item_id).first()
    written = 0
    if result is not None:
        standards = list(result.standards.all())
        if standards:
            links = graph.links_for_certificate(cert, standards, result.measured_on,
                                                requirements_for_items([cert.item_id]).get(cert.item_id))
            Link.objects.bulk_create(links)
            written = len(links)
    for cal_id in StandardCalibration.objects.filter(certificate_id=cert_id).values_list("pk", flat=True):
        written += relink_calibration(cal_id)
    return written


def relink_calibration(cal_id: int) -> int:
    """Derive the links of one calibration of a standard again."""
    from jiliang.verification.models import MeasurementResult, StandardCalibration

    Link.objects.filter(source=LinkSource.CALIBRATION, source_id=cal_id).delete()
    cal = StandardCalibration.objects.select_related("standard__institute", "certificate").get(pk=cal_id)
    used: dict[int, list] = {}
    if cal.certificate_id:
        result = MeasurementResult.objects.filter(item_id=cal.certificate.item_id).first()
        if result is not None:
            used[cal.certificate_id] = list(result.standards.all())
    links = graph.links_for_calibration(cal, graph.Resolver(), used)
    Link.objects.bulk_create(links)
    return len(links)


