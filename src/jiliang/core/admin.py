"""Django admin for superusers. Every grant of rights made here is in the audit chain (#11 item 4)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction

from . import audit, auth, services
from .models import AuditEntry, ImportBatch, Region, User


def _admin_snapshot(obj) -> dict:
    data = services.full_snapshot(obj)
    if "password" in data:  # the hash itself never goes into the trail; that it changed does
        data["password"] = "(set)" if data["password"] else ""
    return data


class AuditedAdmin(admin.ModelAdmin):
    """Saves through ``core.services`` where the model is scoped (scope checks, clean, audit), and audits the
    others directly; many-to-many fields are saved with the record so that they are in the same entry."""

    def save_model(self, request, obj, form, change):
        m2m = {f.name: form.cleaned_data[f.name] for f in obj._meta.many_to_many if f.name in form.cleaned_data}
        if hasattr(type(obj), "scope") and not isinstance(obj, User):
            data = {f.name: getattr(obj, f.name) for f in obj._meta.concrete_fields
                    if not f.primary_key and f.editable and f.name in form.cleaned_data}
            if change:
                saved = services.update_record(obj, data, actor=request.user, m2m=m2m, message="admin")
            else:
                saved = services.create_record(type(obj), data, actor=request.user, m2m=m2m, message="admin")
            obj.pk = saved.pk
            return
        with transaction.atomic():
            before = _admin_snapshot(type(obj)._base_manager.get(pk=obj.pk)) if change and obj.pk else None
            obj.save()
            for name, values in m2m.items():
                getattr(obj, name).set(values)
            after = _admin_snapshot(obj)
            diff = audit.changed_fields(before, after) if before is not None else None
            if before is None:
                audit.record(obj, "create", actor=request.user, after=after, message="admin",
                             **self.audit_filing(obj))
            elif diff:
                audit.record(obj, "update", actor=request.user, before={k: v[0] for k, v in diff.items()},
                             after={k: v[1] for k, v in diff.items()}, message="admin", **self.audit_filing(obj))

    def save_related(self, request, form, formsets, change):
        # form.save_m2m() would write the many-to-many fields again, outside the audit entry: save_model did them.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def audit_filing(self, obj) -> dict:
        return {}

    def delete_model(self, request, obj):
        if hasattr(type(obj), "scope") and not isinstance(obj, User):
            services.delete_record(obj, actor=request.user, message="admin")
            return
        with transaction.atomic():
            before, pk, repr_ = _admin_snapshot(obj), obj.pk, str(obj)
            obj.delete()
            audit.record(None, "delete", actor=request.user, before=before, message="admin",
                         object_type=obj._meta.label_lower, object_id=str(pk), object_repr=repr_)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("jiliang", {"fields": ("full_name", "role", "region", "organisation")}),)
    list_display = ("username", "full_name", "role", "region", "organisation", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "full_name")
    raw_id_fields = ("organisation",)

    def audit_filing(self, obj) -> dict:
        # Filed under the user's region and organisation, so their bureau and organisation see who got access.
        return {"region_code": obj.region_id or "", "organisation_id": obj.organisation_id}

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                audit.record(user, "update", actor=request.user, before={"password": "(set)"},
                             after={"password": "(changed)"}, message="admin: password set",
                             **self.audit_filing(user))
        return response


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("code", "name", "level", "parent", "is_current", "successor")
    list_filter = ("level", "is_current")
    search_fields = ("code", "name")


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through their app's services (audited there): superusers look, nothing more."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the trail is changed by nobody, superusers included."""

    list_display = ("id", "timestamp", "actor_name", "channel", "action", "object_type", "object_repr")
    list_filter = ("action", "channel", "object_type")
    search_fields = ("object_repr", "actor_name", "object_id")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "filename", "user", "status", "created", "finished")
    exclude = ("data",)
    readonly_fields = ("kind", "filename", "user", "status", "report", "result", "created", "finished")


# The administration's sign-in: the same lockout and second factor as the login page.
admin.site.login_form = auth.admin_sign_in_form()
admin.site.login_template = "core/admin_login.html"
