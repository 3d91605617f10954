"""Admin: read only, scoped through visible_to, with each record's history.

Every change of a registration, decision, conference or re-check goes through the
services in recognition/services (one write path, issue 10): the admin shows the
records and their django-simple-history rows but never saves them, and a history
version can be viewed but not reverted (a revert would move a registration's state
around the workflow's guards).
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from registry.scoping import VIEW, can_anywhere

from .models import Conference, Decision, Evidence, ModelCellRecheck, Registration, Transition


def _staff(request):
    return request.user.is_active and request.user.is_staff


class ScopedReadOnlyAdmin(SimpleHistoryAdmin):
    """Lists, pages and history limited to what the user may read; no writes."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_module_permission(self, request):
        return _staff(request) and can_anywhere(request.user, VIEW)

    def has_view_permission(self, request, obj=None):
        return _staff(request) and can_anywhere(request.user, VIEW)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index for a missing object; outside the scope is 404 too.
        raise Http404

    def _require_visible(self, request, object_id):
        # simple-history falls back to the latest historical row when the object is not in
        # the queryset, which would show out-of-scope records: answer as for a missing one.
        if not str(object_id).isdigit() or not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_visible(request, object_id)
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_state", "to_state", "actor", "comment", "eligible"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    can_delete = False
    fields = ["title", "file", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(ScopedReadOnlyAdmin):
    list_display = ["__str__", "scheme", "year", "state", "is_late", "authority", "decision"]
    list_filter = ["scheme", "year", "state", "is_late"]
    search_fields = ["model_name", "organization__name", "member__full_name"]
    list_select_related = ["organization", "member", "authority", "decision__issuer"]
    inlines = [EvidenceInline, TransitionInline]
    history_list_display = ["state_label"]

    @admin.display(description=_("Trạng thái"))
    def state_label(self, record):
        return record.get_state_display()


@admin.register(Decision)
class DecisionAdmin(ScopedReadOnlyAdmin):
    list_display = ["display_number", "issued_on", "kind", "subject_line", "issuer"]
    list_filter = ["year", "kind", "scheme"]
    list_select_related = ["issuer"]


@admin.register(Conference)
class ConferenceAdmin(ScopedReadOnlyAdmin):
    list_display = ["__str__", "authority", "scheme", "year", "held_on", "generation_state"]
    list_select_related = ["authority"]


@admin.register(ModelCellRecheck)
class ModelCellRecheckAdmin(ScopedReadOnlyAdmin):
    list_display = ["registration", "year", "proposal", "applied"]
