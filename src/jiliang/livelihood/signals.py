"""What livelihood keeps in step with other apps' records (registered in apps.ready; supervision knows nothing of
this app): verification records reported free of charge are attached to their free-verification programme."""

from __future__ import annotations

from django.dispatch import receiver

from jiliang.core.signals import records_written
from jiliang.supervision.models import VerificationEvent

from . import free_services


@receiver(records_written, sender=VerificationEvent, dispatch_uid="livelihood-free-reported")
def _events_written(sender, pks, actor=None, **kwargs) -> None:
    free_services.attach_reported(pks, actor=actor)
