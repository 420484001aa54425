"""Certificates issued through jiliang and changes in the registry keep the supervision state current, in the
transaction that makes them (verification and registry know nothing of this app)."""

from __future__ import annotations

from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from jiliang.core.signals import records_written
from jiliang.registry.models import Instrument
from jiliang.verification.models import Certificate

from . import events, state


@receiver(post_save, sender=Certificate, dispatch_uid="supervision-certificate")
def _certificate_saved(sender, instance: Certificate, raw=False, **kwargs) -> None:
    if not raw:
        events.from_certificate(instance)


@receiver(post_save, sender=Instrument, dispatch_uid="supervision-instrument")
def _instrument_saved(sender, instance: Instrument, raw=False, **kwargs) -> None:
    if not raw:
        state.refresh([instance.pk])


@receiver(pre_delete, sender=Instrument, dispatch_uid="supervision-instrument-delete")
def _instrument_deleted(sender, instance: Instrument, **kwargs) -> None:
    state.forget([instance.pk])


@receiver(records_written, sender=Instrument, dispatch_uid="supervision-instruments-written")
def _instruments_written(sender, pks, **kwargs) -> None:
    state.refresh(pks)
