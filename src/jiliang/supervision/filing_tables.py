"""Columns of an instrument's filing history (the DetailPanel supervision adds to the instrument page)."""

from django.utils.translation import gettext_lazy

from jiliang.core.tables import Column

HISTORY_COLUMNS = (
    Column("filed", gettext_lazy("filed on"), lambda e: e.filing.created.date()),
    Column("bureau", gettext_lazy("filed with (county)"), "filing.bureau_region"),
    Column("state", gettext_lazy("state")),
    Column("reason", gettext_lazy("reason for return")),
    Column("designated_institution", gettext_lazy("designated institution")),
    Column("decided_at", gettext_lazy("decided at")),
)
