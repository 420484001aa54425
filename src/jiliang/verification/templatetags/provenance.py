"""The conformity rules' provenance notes in the reader's language.

The rules engine (pure, ``rules/conformity.py``) writes its provenance notes in English into the stored
decision; they are read back here, part by part, into a translatable sentence. A note of another shape is
shown as stored.
"""

import re

from django import template
from django.utils.translation import gettext as _

from ..rules.conformity import UNVERIFIED_POINTS_NOTE, UNVERIFIED_SOURCE_NOTE

register = template.Library()

_BAND = re.compile(r"^test point '(?P<label>.*)': MPE band (?P<band>.*) " + re.escape(UNVERIFIED_SOURCE_NOTE)
                   + r" \(value (?P<value>\S+), use in (?P<regulation>.*) (?P<use>\S+), stage (?P<stage>\S+)\)$")
_POINTS = re.compile(r"^the required test points of (?P<regulation>.*) " + re.escape(UNVERIFIED_POINTS_NOTE) + "$")


@register.filter
def provenance_note(note: str) -> str:
    found = _BAND.match(note)
    if found:
        return _("test point %(label)s: the MPE band %(band)s rests on an unverified (M) source (value "
                 "%(value)s, its use in %(regulation)s %(use)s, stage %(stage)s)") % found.groupdict()
    found = _POINTS.match(note)
    if found:
        return _("the required test points of %(regulation)s are marked M (not in the reference)") % found.groupdict()
    return note
