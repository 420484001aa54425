"""List columns and page declarations of supervision (see core.ui); no generic add/edit: the services do it."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.roles import Role
from jiliang.core.scoping import user_role
from jiliang.core.tables import Column
from jiliang.core.ui import ModelUI, ObjectDetailView, register

from . import late, notices
from . import models as m
from . import notice_filters as filters

NOTICE_COLUMNS = [
    Column("number", _("number"), order_by="number", link=True),
    Column("owner", _("owner"), accessor="owner.name", order_by="owner__name"),
    Column("issued_on", _("issued on"), order_by="issued_on"),
    Column("deadline", _("verify by"), order_by="deadline"),
    Column("status", _("status"), order_by="status"),
    Column("read_at", _("read by the owner at"), order_by="read_at"),
]
FINDING_COLUMNS = [
    Column("found_on", _("date"), order_by="found_on", link=True),
    Column("instrument", _("instrument"), accessor="instrument"),
    Column("owner", _("owner"), accessor="instrument.owner.name", order_by="instrument__owner__name"),
    Column("kind", _("finding"), order_by="kind"),
    Column("measure", _("measure ordered")),
    Column("notice", _("notice"), accessor="notice.number"),
    Column("inspector", _("inspector"), accessor="inspector"),
]
REMINDER_COLUMNS = [
    Column("sent_at", _("sent at"), order_by="sent_at", link=True),
    Column("kind", _("kind"), order_by="kind"),
    Column("instrument", _("instrument"), accessor="instrument"),
    Column("owner", _("owner"), accessor="instrument.owner.name"),
    Column("due", _("due"), order_by="due"),
    Column("emailed_to", _("e-mailed to")),
]
INSTRUMENT_NOTICE_COLUMNS = (
    Column("number", _("notice"), link=True),
    Column("issued_on", _("issued on")),
    Column("deadline", _("verify by")),
    Column("status", _("status")),
)
INSTRUMENT_FINDING_COLUMNS = (
    Column("found_on", _("date"), link=True),
    Column("kind", _("finding")),
    Column("measure", _("measure ordered")),
    Column("notice", _("notice"), accessor="notice.number"),
)


class NoticeDetailView(ObjectDetailView):
    """The notice's page; the owner's first visit is its read receipt."""

    def get(self, request, pk):
        notice = m.Notice.objects.restrict(request.user, "view").filter(pk=pk).first()
        if notice is not None:
            notices.mark_read(notice, actor=request.user)
        return super().get(request, pk)


notice_ui = register(ModelUI(
    model=m.Notice, slug="notices", columns=NOTICE_COLUMNS, filterset=filters.NoticeFilterSet, read_only=True,
    filter_fields=["q", "status", "region", "issued_after", "issued_before"],
    detail_fields=["number", "bureau_region", "owner", "issued_on", "deadline", "status", "basis", "issued_by",
                   "read_at"],
    related=[(_("instruments"), "instruments", [Column("instrument", _("instrument"), accessor=str, link=True),
                                                 Column("address", _("location address"))]),
             (_("on-site findings"), "findings", list(INSTRUMENT_FINDING_COLUMNS))],
    detail_template="supervision/notice_detail.html", detail_view=NoticeDetailView,
    detail_context=lambda request, obj: {"can_record": user_role(request.user) == Role.COUNTY_BUREAU}))
finding_ui = register(ModelUI(
    model=m.Finding, slug="findings", columns=FINDING_COLUMNS, filterset=filters.FindingFilterSet, read_only=True,
    filter_fields=["q", "kind", "region", "found_after", "found_before"],
    detail_fields=["instrument", "found_on", "inspector", "kind", "detail", "measure", "latitude", "longitude",
                   "notice", "campaign", "target"],
    default_order="-found_on", detail_template="supervision/finding_detail.html"))
reminder_ui = register(ModelUI(
    model=m.Reminder, slug="reminders", columns=REMINDER_COLUMNS, filterset=filters.ReminderFilterSet,
    read_only=True, default_order="-pk", filter_fields=["kind", "due_after", "due_before"]))


def work_order_lateness(request, work_order) -> dict:
    """The top of a work order's page (a DetailLead): working days taken against the province's limit, and the
    1987 measures Art. 15 consequence when late."""
    if work_order.kind != "verification":
        return {"lateness": None}
    return {"lateness": late.measure(work_order), "lateness_consequence": late.CONSEQUENCE}
