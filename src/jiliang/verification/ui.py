"""List columns and page declarations of verification (see core.ui); no generic add/edit: the workflow does it."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.tables import Column
from jiliang.core.ui import ModelUI, register

from . import filters
from . import models as m

WORK_ORDER_COLUMNS = [
    Column("number", _("number"), order_by="number", link=True),
    Column("kind", _("kind"), order_by="kind"),
    Column("status", _("status"), order_by="status"),
    Column("owner", _("owner"), accessor="owner.name", order_by="owner__name"),
    Column("institute", _("institute"), accessor="institute.name", order_by="institute__name"),
    Column("location", _("where")),
    Column("requested_at", _("requested at"), order_by="requested_at"),
    Column("scheduled_date", _("scheduled date"), order_by="scheduled_date"),
    Column("technician", _("technician"), accessor="technician.name"),
    Column("turnaround", _("turnaround (days)"), accessor=lambda o: o.turnaround_days),
]
CERTIFICATE_COLUMNS = [
    Column("number", _("number"), order_by="number", link=True),
    Column("kind", _("kind"), order_by="kind"),
    Column("status", _("status"), accessor=lambda o: o.get_effective_status_display(),
           order_by="effective_status_code"),
    Column("instrument", _("instrument"), accessor="instrument"),
    Column("owner", _("owner"), accessor="owner.name", order_by="owner__name"),
    Column("institute", _("institute"), accessor="institute.name", order_by="institute__name"),
    Column("issued_on", _("issued on"), order_by="issued_on"),
    Column("valid_until", _("valid until / next due"), order_by="valid_until"),
]
CALIBRATION_COLUMNS = [
    Column("certificate_no", _("certificate number"), order_by="certificate_no", link=True),
    Column("standard", _("standard"), accessor="standard.name", order_by="standard__name"),
    Column("laboratory", _("calibrating laboratory")),
    Column("calibrated_on", _("calibrated on"), order_by="calibrated_on"),
    Column("valid_until", _("valid until"), order_by="valid_until"),
    Column("source", _("source"), order_by="source"),
    Column("traceability", _("traceable to")),
]
NOTIFICATION_COLUMNS = [
    Column("created", _("created"), order_by="created"),
    Column("work_order", _("work order"), accessor="work_order.number"),
    Column("message", _("message")),
    Column("emailed_to", _("e-mailed to")),
]
HISTORY_COLUMNS = [
    Column("number", _("certificate"), link=True),
    Column("kind", _("kind")),
    Column("issued_on", _("issued on")),
    Column("valid_until", _("valid until / next due")),
    Column("status", _("status"), accessor=lambda o: o.get_effective_status_display()),
    Column("institute", _("institute"), accessor="institute.name"),
]
ITEM_HISTORY_COLUMNS = [
    Column("work_order", _("work order"), accessor="work_order.number"),
    Column("kind", _("kind"), accessor="work_order.get_kind_display"),
    Column("regulation", _("regulation")),
    Column("status", _("status"), accessor="work_order.get_status_display"),
    Column("requested", _("requested at"), accessor=lambda o: o.work_order.requested_at.date()),
]



def _views():
    from . import views

    return views


work_order_ui = register(ModelUI(model=m.WorkOrder, slug="work-orders", columns=WORK_ORDER_COLUMNS,
                                 filterset=filters.WorkOrderFilterSet, read_only=True,
                                 filter_fields=["q", "status", "kind", "region", "requested_after", "requested_before"],
                                 detail_template="verification/workorder_detail.html",
                                 detail_view=_views().WorkOrderDetailView))
certificate_ui = register(ModelUI(model=m.Certificate, slug="certificates", columns=CERTIFICATE_COLUMNS,
                                  filterset=filters.CertificateFilterSet, read_only=True,
                                  filter_fields=["q", "kind", "status", "region", "issued_after", "issued_before"],
                                  detail_fields=["number", "kind", "status", "status_reason", "superseded_by",
                                                 "instrument", "owner", "institute", "issued_on", "valid_until",
                                                 "signing_key", "pdf_sha256"],
                                  detail_template="verification/certificate_detail.html",
                                  detail_view=_views().CertificateDetailView))
calibration_ui = register(ModelUI(model=m.StandardCalibration, slug="standard-calibrations",
                                  columns=CALIBRATION_COLUMNS, filterset=filters.StandardCalibrationFilterSet,
                                  default_order="-calibrated_on", read_only=True,
                                  detail_fields=["standard", "certificate_no", "laboratory", "calibrated_on",
                                                 "valid_until", "source", "traceability", "certificate", "results"]))
notification_ui = register(ModelUI(model=m.Notification, slug="notifications", columns=NOTIFICATION_COLUMNS,
                                   filterset=filters.NotificationFilterSet, read_only=True))

