"""Django admin for superusers. Changes made here go through the same services, so they are audited."""

from django.contrib import admin

from jiliang.core import services

from . import models as m


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        data = {f.name: getattr(obj, f.name) for f in obj._meta.concrete_fields
                if not f.primary_key and f.editable and f.name in form.cleaned_data}
        if change:
            saved = services.update_record(obj, data, actor=request.user)
        else:
            saved = services.create_record(type(obj), data, actor=request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.delete_record(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete_record(obj, actor=request.user)


@admin.register(m.Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("name", "uscc", "kind", "region", "mms_status")
    list_filter = ("kind", "mms_status")
    search_fields = ("name", "uscc")


@admin.register(m.Person)
class PersonAdmin(AuditedAdmin):
    list_display = ("name", "organisation", "metrologist_certificate", "certificate_valid_until")
    search_fields = ("name", "metrologist_certificate")
    raw_id_fields = ("organisation", "user")


@admin.register(m.InstrumentCategory)
class InstrumentCategoryAdmin(AuditedAdmin):
    list_display = ("code", "name", "second_level", "domain", "supervision_mode", "verification_mode", "confidence")
    list_filter = ("domain", "supervision_mode", "verification_mode", "confidence")


@admin.register(m.Instrument)
class InstrumentAdmin(AuditedAdmin):
    list_display = ("serial_number", "category", "manufacturer", "model", "owner", "region", "status", "mandatory")
    list_filter = ("status", "usage", "mandatory")
    search_fields = ("serial_number",)
    raw_id_fields = ("owner", "category", "region")


@admin.register(m.MeasurementStandard)
class MeasurementStandardAdmin(AuditedAdmin):
    list_display = ("name", "institute", "level", "certificate_no", "valid_until", "status")
    list_filter = ("level", "status", "domain")


@admin.register(m.ReferenceMaterial)
class ReferenceMaterialAdmin(AuditedAdmin):
    list_display = ("gbw_number", "name", "holder", "expiry_date")


admin.site.register(m.Designation)
