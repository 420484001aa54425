"""Pages of supervision under /supervision/."""

from .filing_views import urlpatterns as filing_urlpatterns

urlpatterns = [
    *filing_urlpatterns,
]
