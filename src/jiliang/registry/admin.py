"""Django admin for superusers. Changes made here go through the same services, so they are audited."""

from django.contrib import admin

from jiliang.core.admin import AuditedAdmin, ReadOnlyAdmin

from . import models as m


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


@admin.register(m.Designation)
class DesignationAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en")


@admin.register(m.ChangeProposal)
class ChangeProposalAdmin(ReadOnlyAdmin):
    """Read-only: proposals are decided by the bureau on its pages (registry.services), audited there."""

    list_display = ("id", "object_repr", "organisation", "status", "created")
    list_filter = ("status",)
