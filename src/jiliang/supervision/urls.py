from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard_page, name="supervision-dashboard"),
    path("overdue/", views.overdue_page, name="supervision-overdue"),
    path("settings/", views.settings_page, name="supervision-settings"),
]
