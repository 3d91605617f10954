"""Import and export of the yearly facts and nominations (django-import-export), Vietnamese headers.

Built on registry.resources.ScopedResource: one resource per user; an organization or member outside
the user's write scope is a bad row naming the row, and the whole file is refused (the bounded,
all-or-nothing import of registry.imports). Rows are written through criteria.services, so every
write is checked and announced (registry.signals.facts_changed) like one from the pages.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from registry.models import Member, Organization
from registry.resources import ScopedPkWidget, ScopedResource, VnBooleanWidget, VnYearWidget, _text
from registry.scoping import EDIT_REGISTRY, VIEW

from . import services
from .models import MemberNomination, OrganizationYear


class ThreeWayWidget(VnBooleanWidget):
    """“Có” / “Không” / blank (or “Chưa ghi nhận”): True / False / None. A blank is NOT “Không”."""

    FALSE = {"không", "khong", "0", "false", "no", "sai"}
    UNKNOWN = {"", "chưa ghi nhận", "chua ghi nhan", "?"}
    INVALID = gettext_lazy("“%(value)s” không hợp lệ: ghi “Có”, “Không” hoặc để trống.")

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return _("Có") if value else _("Không")


class CountWidget(widgets.Widget):
    """A whole number of at least 0; blank is "not recorded"."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if text == "":
            return None
        if not text.isdigit():
            raise ValueError(_("“%(value)s” không phải là số nguyên không âm.") % {"value": text})
        return int(text)

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value
        return "" if value is None else str(value)


def _year_field(name, header, widget):
    return fields.Field(attribute=name, column_name=header, widget=widget)


class OrganizationYearResource(ScopedResource):
    """Yearly facts of party organizations [002 §II.1.1, §II.2.2–§II.2.3; 000 §II.2.3(2); 003 §II.2.1].

    One row per organization and year: a row for a year already recorded changes it."""

    organization = fields.Field(attribute="organization", column_name=gettext_lazy("Mã số tổ chức đảng"))
    organization_name = fields.Field(
        attribute="organization__name", column_name=gettext_lazy("Tên tổ chức đảng"), readonly=True
    )
    year = fields.Field(attribute="year", column_name=gettext_lazy("Năm"), widget=VnYearWidget())
    admission_target = _year_field("admission_target", gettext_lazy("Chỉ tiêu kết nạp đảng viên"), CountWidget())
    admitted_count = _year_field("admitted_count", gettext_lazy("Số đảng viên đã kết nạp"), CountWidget())
    unit_targets_met = _year_field(
        "unit_targets_met", gettext_lazy("Hoàn thành các chỉ tiêu, nhiệm vụ chính trị"), ThreeWayWidget()
    )
    committee_meetings = _year_field(
        "committee_meetings", gettext_lazy("Số kỳ họp thường lệ của đảng ủy"), CountWidget()
    )
    congress_meetings = _year_field("congress_meetings", gettext_lazy("Số kỳ họp đảng bộ"), CountWidget())
    organizations_disciplined = _year_field(
        "organizations_disciplined", gettext_lazy("Số tổ chức đảng trực thuộc bị kỷ luật"), CountWidget()
    )
    directive05_planned = _year_field(
        "directive05_planned", gettext_lazy("Xây dựng kế hoạch thực hiện Chỉ thị 05"), ThreeWayWidget()
    )
    directive05_in_agenda = _year_field(
        "directive05_in_agenda", gettext_lazy("Học tập và làm theo Bác trong sinh hoạt thường kỳ"), ThreeWayWidget()
    )
    initiatives_commended = _year_field(
        "initiatives_commended", gettext_lazy("Có sáng kiến được tuyên dương, khen thưởng"), ThreeWayWidget()
    )
    note = fields.Field(attribute="note", column_name=gettext_lazy("Ghi chú"))

    required_fields = ("organization", "year")
    row_error_field = "year"
    natural_keys = ((("organization", "year"), gettext_lazy("mã số tổ chức và năm (%(value)s)")),)
    sheet_title = gettext_lazy("Số liệu năm")

    class Meta:
        model = OrganizationYear
        fields = (
            "organization",
            "organization_name",
            "year",
            *services.YEAR_FIELDS,
        )
        import_id_fields = ("organization", "year")
        clean_model_instances = True
        skip_diff = True

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["organization"].widget = ScopedPkWidget(
            lambda: Organization.objects.writable_by(self.user, EDIT_REGISTRY),
            gettext_lazy("Tổ chức đảng mã số %(value)s không có hoặc nằm ngoài phạm vi bạn phụ trách."),
        )

    def get_queryset(self):
        return OrganizationYear.objects.writable_by(self.user, EDIT_REGISTRY)

    def get_instance(self, instance_loader, row):
        try:
            organization = self.fields["organization"].clean(row)
            year = self.fields["year"].clean(row)
        except (ValueError, KeyError):
            return None  # import_instance reports the refusal against its column
        if organization is None or year is None:
            return None
        return self.get_queryset().filter(organization=organization, year=year).first()

    def filter_export(self, queryset, **kwargs):
        return (
            queryset.visible_to(self.user, VIEW).select_related("organization").order_by("-year", "organization__path")
        )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # One row per organization and year is the natural key: the stored row is updated, never doubled.
        super().validate_instance(instance, import_validation_errors, validate_unique=False)

    def do_instance_save(self, instance, is_create):
        record, _created = services.organization_year_save(
            user=self.user,
            organization=instance.organization,
            year=instance.year,
            values={name: getattr(instance, name) for name in services.YEAR_FIELDS},
        )
        instance.pk = record.pk

    @classmethod
    def example_row(cls, user):
        org = Organization.objects.writable_by(user, EDIT_REGISTRY).order_by("path").last()
        return [
            str(org.pk) if org else "1",
            org.name if org else "",
            str(timezone.localdate().year - 1),
            "2",
            "2",
            "Có",
            "",
            "",
            "",
            "Có",
            "Có",
            "",
            "",
        ]


class MemberNominationResource(ScopedResource):
    """Nominations of direct workers as exemplars [003 §II.2.2, last bullet], one row per member and year.

    A member is accepted only where their current membership is (MemberQuerySet.writable_by)."""

    member = fields.Field(attribute="member", column_name=gettext_lazy("Số thẻ đảng viên"))
    member_name = fields.Field(attribute="member__full_name", column_name=gettext_lazy("Họ và tên"), readonly=True)
    year = fields.Field(attribute="year", column_name=gettext_lazy("Năm"), widget=VnYearWidget())
    nominated_by_grassroots = _year_field(
        "nominated_by_grassroots", gettext_lazy("Được cơ sở suy tôn, bình xét"), ThreeWayWidget()
    )
    trusted = _year_field(
        "trusted", gettext_lazy("Được lãnh đạo và tập thể người lao động tín nhiệm"), ThreeWayWidget()
    )
    confirmed_by_committee = _year_field(
        "confirmed_by_committee", gettext_lazy("Được cấp ủy xác nhận, đề nghị"), ThreeWayWidget()
    )

    required_fields = ("member", "year")
    row_error_field = "year"
    natural_keys = ((("member", "year"), gettext_lazy("số thẻ đảng viên và năm (%(value)s)")),)
    sheet_title = gettext_lazy("Bình xét điển hình")

    class Meta:
        model = MemberNomination
        fields = ("member", "member_name", "year", *services.NOMINATION_FIELDS)
        import_id_fields = ("member", "year")
        clean_model_instances = True
        skip_diff = True

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        from registry.resources import ScopedMemberWidget

        self.fields["member"].widget = ScopedMemberWidget(lambda: self.editable_members())

    def editable_members(self):
        return Member.objects.writable_by(self.user, EDIT_REGISTRY)

    def get_queryset(self):
        return MemberNomination.objects.filter(member__in=self.editable_members().values("pk"))

    def get_instance(self, instance_loader, row):
        try:
            member = self.fields["member"].clean(row)
            year = self.fields["year"].clean(row)
        except (ValueError, KeyError):
            return None
        if member is None or year is None:
            return None
        return self.get_queryset().filter(member=member, year=year).first()

    def filter_export(self, queryset, **kwargs):
        return queryset.visible_to(self.user, VIEW).select_related("member").order_by("-year", "member__full_name")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        super().validate_instance(instance, import_validation_errors, validate_unique=False)

    def do_instance_save(self, instance, is_create):
        saved = services.member_nominations_save(
            user=self.user,
            year=instance.year,
            values={instance.member: {name: getattr(instance, name) for name in services.NOMINATION_FIELDS}},
        )
        instance.pk = saved[instance.member.pk].pk

    @classmethod
    def example_row(cls, user):
        member = Member.objects.writable_by(user, EDIT_REGISTRY).order_by("full_name", "pk").first()
        return [
            member.card_number if member else "01234567",
            member.full_name if member else "",
            str(timezone.localdate().year - 1),
            "Có",
            "Có",
            "",
        ]


RESOURCES = {
    "organization_years": OrganizationYearResource,
    "nominations": MemberNominationResource,
}
