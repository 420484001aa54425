"""Pure frame codecs for meter telemetry: DL/T 645-2007 (electricity) and CJ/T 188-2004 (water, gas, heat).

No Django imports. ``dlt645.decode`` and ``cjt188.decode`` take bytes or a hex string and return frozen
dataclasses; the ``encode_*`` functions build frames for the meter simulator. Every failure raises
:class:`FrameError` with ``reason`` and ``offset``. Sources: ``shared/reference/protocols-energy-dcc.md``
§1–2.
"""

from . import cjt188, dlt645
from .bcd import Reading
from .errors import REASONS, FrameError

__all__ = ["REASONS", "FrameError", "Reading", "cjt188", "dlt645"]
