"""Certificates issued through jiliang become verification events; revoking or correcting one voids its event and
the instrument's status follows (1987 measures Art. 9: a pass gives a certificate, a fail a 检定结果通知书)."""

from jiliang.supervision.models import InstrumentState, VerificationEvent
from jiliang.verification import services


def test_a_certificate_is_a_passing_event_and_the_instrument_is_valid_until_its_validity(flow):
    cert = flow.issued()
    event = VerificationEvent.objects.get(certificate=cert)
    assert (event.institution, event.number, event.result, event.source, event.kind, event.next_due) == (
        flow.world.inst_p, cert.number, "pass", "certificate", "first", cert.valid_until)
    assert event.verified_on == cert.item.result.measured_on
    s = InstrumentState.objects.get(pk=cert.instrument_id)
    assert (s.status, s.next_due, s.last_event_id) == ("valid", cert.valid_until, event.pk)


def test_revoking_voids_the_event_and_the_instrument_is_never_verified_again(flow):
    cert = flow.issued()
    services.revoke_certificate(cert, actor=flow.institute_user, reason="wrong standard")
    event = VerificationEvent.objects.get(certificate=cert)
    assert event.void and event.void_reason == "wrong standard"
    assert InstrumentState.objects.get(pk=cert.instrument_id).status == "never_verified"


def test_a_corrected_certificate_replaces_its_event_instead_of_adding_one(flow):
    cert = flow.issued()
    new = services.reissue_certificate(cert, actor=flow.institute_user, reason="typo in the owner's address")
    live = VerificationEvent.objects.filter(instrument_id=cert.instrument_id, void=False)
    assert [e.number for e in live] == [new.number]
    assert InstrumentState.objects.get(pk=cert.instrument_id).event_counts  # counted once
    assert sum(InstrumentState.objects.get(pk=cert.instrument_id).event_counts.values()) == 1


def test_a_calibration_certificate_is_no_verification_event(flow):
    cert = flow.issued("calibration", method="JJF 1847-2020")
    assert not VerificationEvent.objects.filter(certificate=cert).exists()
