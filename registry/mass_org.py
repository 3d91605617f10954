"""Mass-organization ratings: the yearly rating of each mass organization of a cell's unit
(trade union, youth union, women's union, veterans) by its own superiors [000 §II.1(3); SCHEMES §1.2].

Stored as registry.Rating rows whose subject is the mass organization (one per organization and
year, SCHEMES §0, never overwritten). Written by whoever holds EDIT_REGISTRY for the cell the mass
organization belongs to; the page lives in the cell's workflow (criteria/fact_views.py), the API is
registry/api.py's ratings, the import template and resource are below.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields
from simple_history.utils import bulk_create_with_history

from .models import MassOrganization, Rating, RatingLevel
from .resources import LEVEL_ALIASES, ScopedPkWidget, ScopedResource, VnChoiceWidget, VnYearWidget
from .scoping import EDIT_REGISTRY, VIEW
from .services import registry_record_save
from .signals import facts_changed


class MassOrgRatingRefused(Exception):
    """Some mass organizations already have a rating for the year: nothing was written."""

    def __init__(self, mass_organization_ids):
        super().__init__(mass_organization_ids)
        self.mass_organization_ids = set(mass_organization_ids)


@transaction.atomic
def mass_org_ratings_record(*, user, year, levels):
    """Record one rating per mass organization for `year`; `levels` maps MassOrganization -> RatingLevel.

    Each mass organization is re-read through the write half of the policy (its cell under the
    user's EDIT_REGISTRY): one outside answers 404 and nothing is written. One rating per subject
    per year (SCHEMES §0): any already rated makes MassOrgRatingRefused, nothing written.
    """
    ids = sorted({m.pk for m in levels})
    writable = MassOrganization.objects.writable_by(user, EDIT_REGISTRY).select_for_update().filter(pk__in=ids)
    stored = {m.pk: m for m in writable}
    if set(stored) != set(ids):
        raise Http404
    taken = set(
        Rating.objects.filter(year=year, mass_organization_id__in=ids).values_list("mass_organization_id", flat=True)
    )
    if taken:
        raise MassOrgRatingRefused(taken)
    rows = [
        Rating(mass_organization=stored[m.pk], year=year, level=level, recorded_by=user) for m, level in levels.items()
    ]
    for row in rows:
        row.full_clean(validate_unique=False, validate_constraints=False)
    created = bulk_create_with_history(rows, Rating, default_user=user)
    facts_changed.send(
        sender=Rating, organization_ids=sorted({m.cell_id for m in stored.values()}), member_ids=[], year=year
    )
    return created


@transaction.atomic
def rating_api_save(*, user, serializer, **extra):
    """A rating written through the API (registry_record_save), then the stored verdicts told (issue 12)."""
    rating = registry_record_save(user=user, serializer=serializer, **extra)
    organization_ids = [rating.organization_id] if rating.organization_id else []
    if rating.mass_organization_id:
        organization_ids.append(rating.mass_organization.cell_id)
    facts_changed.send(
        sender=Rating,
        organization_ids=organization_ids,
        member_ids=[rating.member_id] if rating.member_id else [],
        year=rating.year,
    )
    return rating


def mass_org_entry(cell, year):
    """(mass organizations of `cell`, {mass organization id: its rating of `year`}), two queries."""
    mass_orgs = list(MassOrganization.objects.filter(cell=cell).order_by("kind", "name"))
    existing = {r.mass_organization_id: r for r in Rating.objects.filter(year=year, mass_organization__in=mass_orgs)}
    return mass_orgs, existing


class MassOrgRatingForm(forms.Form):
    """One select per mass organization of the cell for one year; those already rated are shown, not offered."""

    def __init__(self, *args, mass_orgs, existing, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.mass_orgs = mass_orgs
        self.existing = existing
        self.year = year
        choices = [("", _("— chưa xếp loại —")), *RatingLevel.choices]
        for mass_org in mass_orgs:
            if mass_org.pk not in existing:
                self.fields[self.field_name(mass_org)] = forms.ChoiceField(
                    label=mass_org.name, choices=choices, required=False
                )

    @staticmethod
    def field_name(mass_org):
        return f"mass_org_{mass_org.pk}"

    def rows(self):
        """(mass organization, bound field or None, existing rating or None) for the template."""
        return [
            (m, None if m.pk in self.existing else self[self.field_name(m)], self.existing.get(m.pk))
            for m in self.mass_orgs
        ]

    def has_unrated(self):
        return any(m.pk not in self.existing for m in self.mass_orgs)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.levels():
            raise forms.ValidationError(_("Chưa chọn xếp loại cho đoàn thể nào."))
        return cleaned

    def levels(self):
        data = getattr(self, "cleaned_data", {})
        return {m: data[self.field_name(m)] for m in self.mass_orgs if data.get(self.field_name(m))}


class MassOrgRatingResource(ScopedResource):
    """Yearly ratings of mass organizations (by their number), one new rating per row [000 §II.1(3)]."""

    mass_organization = fields.Field(attribute="mass_organization", column_name=gettext_lazy("Mã số đoàn thể"))
    subject_name = fields.Field(column_name=gettext_lazy("Tên đoàn thể"), readonly=True)
    cell_name = fields.Field(column_name=gettext_lazy("Chi bộ"), readonly=True)
    year = fields.Field(attribute="year", column_name=gettext_lazy("Năm"), widget=VnYearWidget())
    level = fields.Field(
        attribute="level",
        column_name=gettext_lazy("Xếp loại"),
        widget=VnChoiceWidget(RatingLevel.choices, aliases=LEVEL_ALIASES),
    )

    required_fields = ("mass_organization", "year", "level")
    row_error_field = "year"
    natural_keys = ((("year", "mass_organization"), gettext_lazy("năm xếp loại và mã số đoàn thể (%(value)s)")),)
    sheet_title = gettext_lazy("Xếp loại đoàn thể")

    class Meta:
        model = Rating
        fields = ("mass_organization", "subject_name", "cell_name", "year", "level")
        force_init_instance = True
        clean_model_instances = True
        skip_diff = True

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["mass_organization"].widget = ScopedPkWidget(
            lambda: MassOrganization.objects.writable_by(self.user, EDIT_REGISTRY),
            gettext_lazy("Đoàn thể mã số %(value)s không có hoặc nằm ngoài phạm vi bạn phụ trách."),
        )
        self._written = set()

    def get_import_id_fields(self):
        return []

    def filter_export(self, queryset, **kwargs):
        return (
            queryset.visible_to(self.user, VIEW)
            .filter(mass_organization__isnull=False)
            .select_related("mass_organization__cell")
            .order_by("-year", "mass_organization__cell__path", "mass_organization__name")
        )

    def dehydrate_subject_name(self, rating):
        return rating.mass_organization.name if rating.mass_organization_id else ""

    def dehydrate_cell_name(self, rating):
        return rating.mass_organization.cell.name if rating.mass_organization_id else ""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not errors and instance.year and instance.mass_organization_id:
            if Rating.objects.filter(year=instance.year, mass_organization=instance.mass_organization_id).exists():
                errors["year"] = ValidationError(
                    _("Đoàn thể này đã được xếp loại năm %(year)s; mỗi năm chỉ xếp loại một lần.")
                    % {"year": instance.year}
                )
        super().validate_instance(instance, errors, validate_unique)

    def before_save_instance(self, instance, row, **kwargs):
        instance.recorded_by = self.user if self.user and self.user.is_authenticated else None

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            self._written.add((instance.mass_organization.cell_id, instance.year))

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        for year in sorted({year for _cell, year in self._written}):
            facts_changed.send(
                sender=Rating,
                organization_ids=sorted({cell for cell, y in self._written if y == year}),
                member_ids=[],
                year=year,
            )

    @classmethod
    def example_row(cls, user):
        first = MassOrganization.objects.writable_by(user, EDIT_REGISTRY).first()
        return [
            str(first.pk) if first else "1",
            first.name if first else "",
            first.cell.name if first else "",
            str(timezone.localdate().year - 1),
            str(RatingLevel.GOOD.label),
        ]
