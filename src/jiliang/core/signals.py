"""Signals of the project shell.

``records_written``: sent after records were written in bulk (bulk_create, COPY, bulk_update), which Django's
``post_save`` does not announce; ``sender`` is the model, ``pks`` the ids written. Apps above keep what they derive
from those records current by listening (supervision refreshes the state of imported instruments).
"""

from django.dispatch import Signal

records_written = Signal()
