"""Receivers that keep the graph current (keep_current.py), connected in apps.ready: verification saves a
certificate on issue, revocation and re-issue, and a standard calibration when it is recorded or imported from a
DCC; Django's post_save announces each, so verification needs to know nothing of traceability."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from . import keep_current


@receiver(post_save, sender="verification.Certificate", dispatch_uid="traceability-certificate-links")
def certificate_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        keep_current.relink_certificate(instance.pk)


@receiver(post_save, sender="verification.StandardCalibration", dispatch_uid="traceability-calibration-links")
def calibration_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        keep_current.relink_calibration(instance.pk)
