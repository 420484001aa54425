from django.urls import path

from . import views
from .ui import budget_ui, template_ui

urlpatterns = [
    path("", views.calculator, name="uncertainty-calculator"),
    path("budgets/<int:pk>/file.<str:fmt>", views.budget_file, name="savedbudget-file"),
    *budget_ui.urls(),
    *template_ui.urls(),
]
