"""Read-only admin: budgets change through the services (audited), never through the admin."""

from django.contrib import admin

from .models import BudgetTemplate, SavedBudget


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BudgetTemplate)
class BudgetTemplateAdmin(ReadOnlyAdmin):
    list_display = ("name", "procedure", "institute", "last_updated")
    search_fields = ("name", "procedure")


@admin.register(SavedBudget)
class SavedBudgetAdmin(ReadOnlyAdmin):
    list_display = ("title", "institute", "template", "created_by", "created")
    search_fields = ("title",)
