from django.urls import path

from .code_views import lookup as code_lookup
from .label_views import urlpatterns as label_urls
from .ui import (
    category_ui,
    change_proposal_ui,
    instrument_ui,
    organisation_ui,
    person_ui,
    reference_material_ui,
    standard_ui,
)
from .views import act_urls, import_template

urlpatterns = [
    *label_urls,  # before the instruments' <pk> pages, which would take "labels" for a key
    *organisation_ui.urls(),
    *person_ui.urls(),
    *category_ui.urls(),
    *instrument_ui.urls(),
    *standard_ui.urls(),
    *reference_material_ui.urls(),
    *change_proposal_ui.urls(),
    *act_urls,
    import_template,
    path("codes/", code_lookup, name="instrument-code-lookup"),
]
