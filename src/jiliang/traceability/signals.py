"""Receivers that keep the graph current (keep_current.py), connected in apps.ready: verification saves a
certificate on issue, revocation and re-issue, and a standard calibration when it is recorded or imported from a
DCC; Django's post_save announces each, so verification needs to know nothing of traceability.

Coverage's counters (coverage_counts.py) follow the registry's instruments the same way: a save, a deletion and a
bulk write (core.signals.records_written, sent by the registry's and the household meters' imports)."""

from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from jiliang.core.signals import records_written
from jiliang.registry.models import Instrument

from . import coverage_counts, keep_current


@receiver(post_save, sender="verification.Certificate", dispatch_uid="traceability-certificate-links")
def certificate_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        keep_current.relink_certificate(instance.pk)


@receiver(post_save, sender="verification.StandardCalibration", dispatch_uid="traceability-calibration-links")
def calibration_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        keep_current.relink_calibration(instance.pk)


@receiver(post_save, sender=Instrument, dispatch_uid="traceability-coverage-instrument")
def instrument_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        coverage_counts.refresh([instance.pk])


@receiver(pre_delete, sender=Instrument, dispatch_uid="traceability-coverage-instrument-delete")
def instrument_deleted(sender, instance, **kwargs):
    coverage_counts.forget([instance.pk])


@receiver(records_written, sender=Instrument, dispatch_uid="traceability-coverage-instruments-written")
def instruments_written(sender, pks, **kwargs):
    coverage_counts.refresh(pks)
