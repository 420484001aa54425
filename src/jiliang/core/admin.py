from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import auth
from .models import AuditEntry, ImportBatch, Region, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("jiliang", {"fields": ("full_name", "role", "region", "organisation")}),)
    list_display = ("username", "full_name", "role", "region", "organisation", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "full_name")
    raw_id_fields = ("organisation",)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_current", "successor")
    list_filter = ("level", "is_current")
    search_fields = ("code", "name")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is changed by nobody, superusers included."""

    list_display = ("id", "timestamp", "actor_name", "channel", "action", "object_type", "object_repr")
    list_filter = ("action", "channel", "object_type")
    search_fields = ("object_repr", "actor_name", "object_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "filename", "user", "status", "created", "finished")
    exclude = ("data",)
    readonly_fields = ("kind", "filename", "user", "status", "report", "result", "created", "finished")


# The administration's sign-in: the same lockout and second factor as the login page.
admin.site.login_form = auth.admin_sign_in_form()
admin.site.login_template = "core/admin_login.html"
