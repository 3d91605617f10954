"""Django admin for every registry model, scoped like the pages (registry.scoping).

Staff users (is_staff) reach the admin; what they see and may change comes from
their appointments, not from Django's model permissions: lists read through
`visible_to(user)`, changes need EDIT_REGISTRY over the object's organization,
foreign-key choices are limited to the user's scope, and an object outside the
scope answers 404 on its change, delete and history pages.
"""

from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .imports import BoundedImportAdminMixin
from .models import (
    CELL_KINDS,
    Appointment,
    DisciplinaryRecord,
    MassOrganization,
    Member,
    MemberAttestation,
    Membership,
    Organization,
    Rating,
    RuleViolation,
    UnitAttestation,
)
from .resources import MemberResource, MembershipResource, RatingResource
from .scoping import EDIT_REGISTRY, VIEW, can_anywhere, is_unrestricted, roles_for

admin.site.site_header = _("Quản trị Cổng thông tin công tác đảng")
admin.site.site_title = _("Quản trị")
admin.site.index_title = _("Danh mục dữ liệu")


def _staff(request):
    return request.user.is_active and request.user.is_staff


class ScopedAdmin(SimpleHistoryAdmin):
    """Admin whose every read and write goes through visible_to (the one scoping place)."""

    edit_capability = EDIT_REGISTRY

    def scoped(self, request, capability=VIEW):
        return self.model.objects.visible_to(request.user, capability)

    def get_queryset(self, request):
        qs = self.scoped(request)
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    # Access comes from appointments, not from Django's per-model permissions.
    def has_module_permission(self, request):
        return _staff(request) and can_anywhere(request.user, VIEW)

    def has_view_permission(self, request, obj=None):
        return _staff(request) and can_anywhere(request.user, VIEW)

    def has_add_permission(self, request):
        return _staff(request) and can_anywhere(request.user, self.edit_capability)

    def has_change_permission(self, request, obj=None):
        if not (_staff(request) and can_anywhere(request.user, self.edit_capability)):
            return False
        return obj is None or self.scoped(request, self.edit_capability).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index for a missing object; outside the scope is 404.
        raise Http404

    def _require_visible(self, request, object_id):
        if not str(object_id).isdigit() or not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    # Choices of every foreign key stay inside what the user may edit.
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("cell", "organization", "parent", "member", "mass_organization"):
            model = db_field.related_model
            qs = model.objects.visible_to(request.user, self.edit_capability)
            if db_field.name == "cell":
                qs = qs.filter(kind__in=CELL_KINDS)
            kwargs["queryset"] = qs
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedImportExportAdmin(BoundedImportAdminMixin, ImportExportModelAdmin, ScopedAdmin):
    """Import/export in the admin with the same scoped resources as the portal pages."""

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

    def has_import_permission(self, request):
        return self.has_add_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin):
    list_display = ("name", "kind", "unit_type", "code", "parent", "active_from", "active_to")
    list_filter = ("kind", "unit_type")
    search_fields = ("name", "code")
    list_select_related = ("parent",)
    ordering = ("path",)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "parent" in form.base_fields and not is_unrestricted(request.user):
            # Only a system administrator of the whole tree may create or move a root.
            form.base_fields["parent"].required = True
        return form


@admin.register(Member)
class MemberAdmin(ScopedImportExportAdmin):
    resource_classes = [MemberResource]
    list_display = ("full_name", "card_number", "gender", "date_of_birth", "admitted_on", "exempted_since")
    list_filter = ("gender", "is_secretary", "is_direct_worker")
    search_fields = ("full_name", "card_number")


@admin.register(Membership)
class MembershipAdmin(ScopedImportExportAdmin):
    resource_classes = [MembershipResource]
    list_display = ("member", "cell", "start_date", "end_date")
    list_select_related = ("member", "cell")
    search_fields = ("member__full_name", "member__card_number", "cell__name")


@admin.register(MassOrganization)
class MassOrganizationAdmin(ScopedAdmin):
    list_display = ("name", "kind", "cell")
    list_select_related = ("cell",)
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(Rating)
class RatingAdmin(ScopedImportExportAdmin):
    resource_classes = [RatingResource]
    list_display = ("__str__", "year", "level", "recorded_by", "recorded_at")
    list_filter = ("year", "level")
    list_select_related = ("member", "organization", "mass_organization", "recorded_by")
    readonly_fields = ("recorded_by", "recorded_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(MemberAttestation)
class MemberAttestationAdmin(ScopedAdmin):
    list_display = ("member", "year", "uses_handbook", "good_example", "signed_commitment", "dues_paid")
    list_filter = ("year",)
    list_select_related = ("member",)
    search_fields = ("member__full_name", "member__card_number")


@admin.register(DisciplinaryRecord)
class DisciplinaryRecordAdmin(ScopedAdmin):
    list_display = ("member", "date", "form")
    list_select_related = ("member",)
    search_fields = ("member__full_name",)


@admin.register(RuleViolation)
class RuleViolationAdmin(ScopedAdmin):
    list_display = ("member", "date")
    list_select_related = ("member",)
    search_fields = ("member__full_name",)


@admin.register(UnitAttestation)
class UnitAttestationAdmin(ScopedAdmin):
    list_display = ("organization", "year", "criterion", "status")
    list_filter = ("year", "criterion", "status")
    list_select_related = ("organization",)


@admin.register(Appointment)
class AppointmentAdmin(SimpleHistoryAdmin):
    """Who acts for which organization. Seen in scope; changed only by system administrators."""

    list_display = ("user", "organization", "role")
    list_filter = ("role",)
    list_select_related = ("user", "organization")
    search_fields = ("user__username", "organization__name")

    def get_queryset(self, request):
        visible = Organization.objects.visible_to(request.user)
        return super().get_queryset(request).filter(organization__in=visible)

    def has_module_permission(self, request):
        return _staff(request) and can_anywhere(request.user, VIEW)

    def has_view_permission(self, request, obj=None):
        return _staff(request) and can_anywhere(request.user, VIEW)

    def _manager(self, request):
        return _staff(request) and (is_unrestricted(request.user) or "sysadmin" in roles_for(request.user))

    def has_add_permission(self, request):
        return self._manager(request)

    def has_change_permission(self, request, obj=None):
        return self._manager(request)

    def has_delete_permission(self, request, obj=None):
        return self._manager(request)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    def history_view(self, request, object_id, extra_context=None):
        if not str(object_id).isdigit() or not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":
            kwargs["queryset"] = Organization.objects.visible_to(request.user, EDIT_REGISTRY)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
