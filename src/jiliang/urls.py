from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from jiliang import api_urls
from jiliang.core import views as core
from jiliang.supervision import public_views as supervision_public
from jiliang.verification import urls as verification_urls

urlpatterns = [
    path("", core.home, name="home"),
    path("login/", core.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jobs/", include("jiliang.core.jobs.views")),
    path("audit/", core.audit_list, name="audit-list"),
    path("audit/<pk>/", core.audit_detail, name="audit-detail"),
    path("account/password/", core.PasswordChangeView.as_view(), name="password-change"),
    path("account/two-factor/", core.two_factor, name="two-factor"),
    path("account/token/", core.api_token, name="api-token"),
    path("account/token/<int:pk>/revoke/", core.api_token_revoke, name="api-token-revoke"),
    path("registry/", include("jiliang.registry.urls")),
    path("supervision/", include("jiliang.supervision.urls")),
    path("livelihood/", include("jiliang.livelihood.urls")),
    path("traceability/", include("jiliang.traceability.urls")),
    path("kpi/", include("jiliang.kpi.urls")),
    path("telemetry/", include("jiliang.telemetry.urls")),
    path("uncertainty/", include("jiliang.budgets.urls")),
    path("verification/", include("jiliang.verification.urls")),
    *verification_urls.public_urlpatterns,
    *supervision_public.public_urlpatterns,
    path("api/", include(api_urls, namespace="api")),
    *api_urls.docs_urlpatterns,
    path("admin/", admin.site.urls),
]

handler403 = "jiliang.core.views.permission_denied"
handler404 = "jiliang.core.views.page_not_found"
