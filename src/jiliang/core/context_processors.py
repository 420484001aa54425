"""The navigation, fitted to the signed-in user's role."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .roles import BUREAU_ROLES, Role
from .scoping import sees_provenance, user_role

# (label, url name, roles that see it or None for every signed-in user)
NAV = [
    (_("Registry"), [
        (_("Instruments"), "instruments-list", None),
        (_("Organisations"), "organisations-list", None),
        (_("People"), "people-list", None),
        (_("Measurement standards"), "standards-list", {Role.INSTITUTE, *BUREAU_ROLES}),
        (_("Reference materials"), "reference-materials-list", {Role.INSTITUTE, *BUREAU_ROLES}),
        (_("Instrument catalogue"), "categories-list", None),
        (_("Change proposals"), "change-proposals-list", None),
    ]),
    (_("Verification"), [
        (_("Work orders"), "work-orders-list", None),
        (_("Request verification or calibration"), "work-orders-request", {Role.ENTERPRISE, *BUREAU_ROLES}),
        (_("Work queue"), "work-queue", {Role.INSTITUTE, *BUREAU_ROLES}),
        (_("Certificates"), "certificates-list", None),
        (_("Calibrations of our standards"), "standard-calibrations-list", {Role.INSTITUTE, *BUREAU_ROLES}),
        (_("Import a calibration certificate (DCC)"), "standard-calibrations-import", {Role.INSTITUTE}),
        (_("Notifications"), "notifications-list", None),
        (_("Certificate signing keys"), "verify-keys", None),
    ]),
    (_("Energy"), [
        (_("Energy dashboard"), "energy-dashboard", None),
        (_("Data quality"), "energy-quality", None),
        (_("KPI 9 coverage"), "energy-coverage", BUREAU_ROLES),
        (_("Metering points"), "metering-points-list", None),
        (_("Anomalies"), "anomalies-list", None),
        (_("Reading conflicts"), "reading-conflicts-list", None),
        (_("Ingest batches"), "ingest-batches-list", None),
        (_("Equal-price coefficient of electricity"), "equal-price-electricity-list", BUREAU_ROLES),
    ]),
    (_("Tools"), [
        (_("Uncertainty calculator"), "uncertainty-calculator", {Role.INSTITUTE, *BUREAU_ROLES}),
        (_("My jobs"), "job-list", None),
        (_("Audit trail"), "audit-list", None),
        (_("API tokens"), "api-token", None),
        (_("Change password"), "password-change", None),
        (_("Second factor"), "two-factor", BUREAU_ROLES),
        (_("API documentation"), "api-docs", None),
    ]),
]


def navigation(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"nav": []}
    role = user_role(user)
    groups = []
    for label, items in NAV:
        links = []
        for text, name, roles in items:
            if roles is not None and not user.is_superuser and role not in roles:
                continue
            try:
                links.append((text, reverse(name), name))
            except NoReverseMatch:
                continue
        if links:
            groups.append((label, links))
    return {"nav": groups, "user_role": role, "sees_provenance": sees_provenance(user)}
