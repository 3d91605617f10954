from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registry.scoping import MANAGE_PLANS, VIEW

from .models import MemberNomination, OrganizationYear, Plan
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


@admin.register(OrganizationYear)
class OrganizationYearAdmin(ScopedAdmin):
    list_display = ("organization", "year", "admission_target", "admitted_count", "unit_targets_met")
    list_filter = ("year",)
    raw_id_fields = ("organization",)


@admin.register(MemberNomination)
class MemberNominationAdmin(ScopedAdmin):
    list_display = ("member", "year", "nominated_by_grassroots", "trusted", "confirmed_by_committee")
    list_filter = ("year",)
    raw_id_fields = ("member",)


__all__ = ["MANAGE_PLANS"]
