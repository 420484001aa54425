"""Read-only admin: budgets change through the services (audited), never through the admin."""

from django.contrib import admin

from jiliang.core.admin import ReadOnlyAdmin

from .models import BudgetTemplate, SavedBudget


@admin.register(BudgetTemplate)
class BudgetTemplateAdmin(ReadOnlyAdmin):
    list_display = ("name", "procedure", "institute", "last_updated")
    search_fields = ("name", "procedure")


@admin.register(SavedBudget)
class SavedBudgetAdmin(ReadOnlyAdmin):
    list_display = ("title", "institute", "template", "created_by", "created")
    search_fields = ("title",)
