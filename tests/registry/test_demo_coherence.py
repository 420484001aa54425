"""The demo over time (issue 10, item 9): every row of the built demo has coherent dates (nothing requested after
it was worked on, no certificate valid until before its issue date, nothing dated after now that is a past
event, signatures by people qualified on the day), names without numeric suffixes, phone numbers with their
own city's area code."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiliang.registry import models as m
from jiliang.registry.demo import AREA_CODES
from jiliang.verification.models import (
    Certificate,
    MeasurementResult,
    SigningKey,
    StandardCalibration,
    WorkOrder,
)

STEPS = ("requested_at", "accepted_at", "measured_at", "checked_at", "approved_at", "issued_at")


def _local_day(moment):
    return timezone.localtime(moment).date()


@pytest.mark.django_db
def test_every_row_of_the_demo_is_coherent_in_time_and_names(reference_data):
    started = timezone.now()
    call_command("demo", scale=400, seed=7)
    now, today = timezone.now(), timezone.localdate()
    problems = []

    def expect(ok, *what):
        if not ok:
            problems.append(what)

    orders = list(WorkOrder.objects.prefetch_related("items__result", "items__certificates")
                  .select_related("technician", "checker", "approver"))
    assert len(orders) >= 30
    for wo in orders:
        stamps = [(name, getattr(wo, name)) for name in STEPS if getattr(wo, name)]
        for (a, ta), (b, tb) in zip(stamps, stamps[1:], strict=False):
            expect(ta <= tb, wo.number, a, ta, b, tb)
        for name, moment in stamps + [("closed_at", wo.closed_at)] * bool(wo.closed_at):
            expect(moment <= now, wo.number, name, moment)
        expect(not wo.closed_at or wo.closed_at >= wo.requested_at, wo.number, "closed before requested")
        expect(wo.number[2:10] == _local_day(wo.requested_at).strftime("%Y%m%d"), wo.number, wo.requested_at)
        if wo.scheduled_date:
            expect(wo.scheduled_date >= _local_day(wo.requested_at), wo.number, "scheduled before requested",
                   wo.scheduled_date, wo.requested_at)
        signed = [(wo.technician, wo.measured_at), (wo.checker, wo.checked_at), (wo.approver, wo.approved_at)]
        for person, moment in signed:
            if moment:
                day = _local_day(moment)
                expect(person.certificate_valid_from <= day <= person.certificate_valid_until, wo.number,
                       person.name, day)
        for item in wo.items.all():
            result = getattr(item, "result", None)
            if result is not None:
                expect(_local_day(wo.requested_at) <= result.measured_on <= today, wo.number, result.measured_on)
                expect(result.measured_on == _local_day(wo.measured_at), wo.number, "measured_at", wo.measured_at)
            for cert in item.certificates.all():
                expect(cert.issued_on <= today, cert.number, cert.issued_on)
                expect(cert.issued_on == _local_day(wo.issued_at), cert.number, wo.issued_at)
                expect(result is not None and cert.issued_on >= result.measured_on, cert.number)
                expect(cert.valid_until is None or cert.valid_until >= cert.issued_on, cert.number,
                       cert.issued_on, cert.valid_until)
                if cert.status_changed_at:
                    expect(_local_day(cert.status_changed_at) >= cert.issued_on, cert.number, "status changed")
    assert Certificate.objects.filter(valid_until__lt=today).exists(), "the demo shows expired certificates"
    for result in MeasurementResult.objects.prefetch_related("standards"):
        for standard in result.standards.all():
            expect(standard.valid_from <= result.measured_on <= standard.valid_until, standard.name,
                   result.measured_on)
    key = SigningKey.objects.order_by("created").first()
    expect(_local_day(key.created) <= min(Certificate.objects.values_list("issued_on", flat=True)), "key after certs")
    for cal in StandardCalibration.objects.all():
        expect(cal.calibrated_on <= today and cal.calibrated_on <= cal.valid_until, cal.certificate_no)

    for inst in m.Instrument.objects.all():
        expect(inst.installation_date is None or inst.installation_date <= today, inst.serial_number)
        if inst.status_date:
            expect(inst.installation_date <= inst.status_date <= today, inst.serial_number, inst.status_date)
    for s in m.MeasurementStandard.objects.all():
        expect(not s.valid_from or s.valid_from <= today, s.name, s.valid_from)
        expect(not (s.valid_from and s.valid_until) or s.valid_from < s.valid_until, s.name)
    for p in m.Person.objects.exclude(certificate_valid_from=None):
        expect(p.certificate_valid_from <= today and p.certificate_valid_from < p.certificate_valid_until, p.name)
    for model in (m.Organisation, m.Instrument, m.Person, m.MeasurementStandard, WorkOrder, Certificate):
        for created in model.objects.values_list("created", flat=True):
            expect(created <= now, model.__name__, created)

    names = list(m.Organisation.objects.values_list("name", flat=True))
    for name in names:
        expect(not re.search(r"\d+$", name), "numeric suffix", name)
    expect(len(names) == len(set(names)), "names repeat")
    for org in m.Organisation.objects.all():
        if org.contact_phone:
            expect(org.contact_phone.startswith(AREA_CODES[org.region_id[:4]] + "-"), org.name, org.contact_phone)
    for p in m.Person.objects.exclude(phone=""):
        expect(re.fullmatch(r"1\d{10}", p.phone) or p.phone.startswith(AREA_CODES[p.organisation.region_id[:4]]),
               p.name, p.phone)
    assert problems == [], problems[:10]
    assert started <= now
