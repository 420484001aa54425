"""What verification contributes to the shell and to other apps (core/extending.py)."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import (
    DemoStep,
    DetailLead,
    DetailPanel,
    HomePanel,
    MenuEntry,
    MenuGroup,
    ScopeGrant,
)
from jiliang.core.roles import BUREAU_ROLES, Role

from . import demo, home, scoping
from .ui import HISTORY_COLUMNS, ITEM_HISTORY_COLUMNS, instrument_status_context

STAFF = frozenset({Role.INSTITUTE, *BUREAU_ROLES})
OWNER_SIDE = frozenset({Role.ENTERPRISE, *BUREAU_ROLES})

CONTRIBUTIONS = [
    MenuGroup("verification", _("Verification"), order=20),
    MenuEntry("verification", _("Work orders"), "work-orders-list", order=10),
    MenuEntry("verification", _("Request verification or calibration"), "work-orders-request", OWNER_SIDE, order=20),
    MenuEntry("verification", _("Work queue"), "work-queue", STAFF, order=30),
    MenuEntry("verification", _("Certificates"), "certificates-list", order=40),
    MenuEntry("verification", _("Calibrations of our standards"), "standard-calibrations-list", STAFF, order=50),
    MenuEntry("verification", _("Import a calibration certificate (DCC)"), "standard-calibrations-import",
              frozenset({Role.INSTITUTE}), order=60),
    MenuEntry("verification", _("Notifications"), "notifications-list", order=70),
    MenuEntry("verification", _("Certificate signing keys"), "verify-keys", order=80),
    ScopeGrant("verification.WorkOrder", Role.INSTITUTE, scoping.own_institute),
    ScopeGrant("verification.WorkOrderItem", Role.INSTITUTE, scoping.own_institute_items),
    ScopeGrant("verification.MeasurementResult", Role.INSTITUTE, scoping.own_institute_results),
    ScopeGrant("verification.Certificate", Role.INSTITUTE, scoping.own_institute),
    ScopeGrant("registry.Instrument", Role.INSTITUTE, scoping.instruments_to_verify),
    DemoStep("verification", demo.build, order=20),
    DetailLead("registry.Instrument", "verification/_instrument_status.html", instrument_status_context),
    DetailPanel("registry.Instrument", _("verification history: certificates"), "certificates", tuple(HISTORY_COLUMNS),
                order=10),
    DetailPanel("registry.Instrument", _("verification history: work orders"), "verification_items",
                tuple(ITEM_HISTORY_COLUMNS), order=20),
    HomePanel("my-queue", "verification/panels/my_queue.html", home.my_queue, frozenset({Role.INSTITUTE}), order=5),
    HomePanel("enterprise-instruments", "verification/panels/enterprise_instruments.html", home.enterprise_instruments,
              frozenset({Role.ENTERPRISE}), width=7, order=20),
    HomePanel("enterprise-requests", "verification/panels/enterprise_requests.html", home.enterprise_requests,
              frozenset({Role.ENTERPRISE}), width=5, order=21),
]
