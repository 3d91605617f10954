"""Admin: read mostly, scoped through visible_to; transitions are never edited here."""

from django.contrib import admin

from .models import Conference, Decision, Evidence, ModelCellRecheck, Registration, Transition


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_state", "to_state", "actor", "comment", "eligible"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0


@admin.register(Registration)
class RegistrationAdmin(ScopedAdmin):
    list_display = ["__str__", "scheme", "year", "state", "is_late", "authority", "decision"]
    list_filter = ["scheme", "year", "state", "is_late"]
    search_fields = ["model_name", "organization__name", "member__full_name"]
    readonly_fields = ["state", "eligibility", "decision", "revocation_decision", "submitted_at", "is_late"]
    raw_id_fields = ["organization", "member", "registrant", "authority", "plan", "conference"]
    inlines = [EvidenceInline, TransitionInline]


@admin.register(Decision)
class DecisionAdmin(ScopedAdmin):
    list_display = ["display_number", "issued_on", "kind", "subject_line", "issuer"]
    list_filter = ["year", "kind", "scheme"]
    readonly_fields = ["issuer", "year", "number", "kind", "pdf"]


@admin.register(Conference)
class ConferenceAdmin(ScopedAdmin):
    list_display = ["__str__", "authority", "scheme", "year", "held_on", "generation_state"]


@admin.register(ModelCellRecheck)
class ModelCellRecheckAdmin(ScopedAdmin):
    list_display = ["registration", "year", "proposal", "applied"]
