from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportModelAdmin

from registry.imports import BoundedImportAdminMixin
from registry.scoping import EDIT_REGISTRY, MANAGE_PLANS, VIEW, can_anywhere

from .models import MemberNomination, OrganizationYear, Plan
from .resources import MemberNominationResource, OrganizationYearResource
from .services import plan_copy


@admin.action(description=_("Sao chép kế hoạch"))
def copy_plans(modeladmin, request, queryset):
    copies = [plan_copy(plan=plan) for plan in queryset]
    modeladmin.message_user(
        request,
        ngettext("Đã sao chép %(n)d kế hoạch.", "Đã sao chép %(n)d kế hoạch.", len(copies)) % {"n": len(copies)},
        messages.SUCCESS,
    )


class ScopedAdmin(admin.ModelAdmin):
    capability = VIEW

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user, self.capability)


@admin.register(Plan)
class PlanAdmin(ScopedAdmin):
    list_display = (
        "number",
        "scheme",
        "issuer_name",
        "issued_on",
        "period_start_year",
        "period_end_year",
        "copied_from",
    )
    list_filter = ("scheme",)
    search_fields = ("number", "title", "issuer_name")
    actions = [copy_plans]
    autocomplete_fields = ()
    raw_id_fields = ("issuer", "copied_from")


class FactsImportExportMixin(BoundedImportAdminMixin, ImportExportModelAdmin):
    """The portal's scoped, bounded resources (criteria.resources) in the admin's import and export."""

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

    def has_import_permission(self, request):
        return can_anywhere(request.user, EDIT_REGISTRY)


@admin.register(OrganizationYear)
class OrganizationYearAdmin(FactsImportExportMixin, ScopedAdmin):
    resource_classes = [OrganizationYearResource]
    list_display = ("organization", "year", "admission_target", "admitted_count", "unit_targets_met")
    list_filter = ("year",)
    raw_id_fields = ("organization",)


@admin.register(MemberNomination)
class MemberNominationAdmin(FactsImportExportMixin, ScopedAdmin):
    resource_classes = [MemberNominationResource]
    list_display = ("member", "year", "nominated_by_grassroots", "trusted", "confirmed_by_committee")
    list_filter = ("year",)
    raw_id_fields = ("member",)


__all__ = ["MANAGE_PLANS"]
