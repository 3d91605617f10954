"""Exports with Vietnamese headers (django-import-export): yearly recognition lists, registration reports.

Written by registry.exports.render_dataset like every export of the portal: a Vietnamese sheet
name, no formulas (a subject named "=HYPERLINK(…)" stays text), decision dates as date cells.
"""

from django.utils.translation import gettext_lazy
from import_export import fields, resources

from registry.exports import SheetResourceMixin

from .models import Registration


class RecognitionListResource(SheetResourceMixin, resources.ModelResource):
    """Yearly recognition list by scheme, year and subtree (SCHEMES §5)."""

    sheet_title = gettext_lazy("Danh sách công nhận")

    stt = fields.Field(column_name="STT")
    subject = fields.Field(column_name="Tổ chức, mô hình, cá nhân")
    kind = fields.Field(column_name="Loại đối tượng")
    unit = fields.Field(column_name="Đơn vị")
    scheme_name = fields.Field(column_name="Phong trào")
    year_value = fields.Field(attribute="year", column_name="Năm")
    authority_name = fields.Field(column_name="Cấp công nhận")
    decision_number = fields.Field(column_name="Số quyết định")
    decision_date = fields.Field(column_name="Ngày quyết định")
    commended_text = fields.Field(column_name="Biểu dương tiêu biểu")
    override_text = fields.Field(column_name="Công nhận dù chưa đủ điều kiện (lý do)")

    class Meta:
        model = Registration
        fields = (
            "stt",
            "subject",
            "kind",
            "unit",
            "scheme_name",
            "year_value",
            "authority_name",
            "decision_number",
            "decision_date",
            "commended_text",
            "override_text",
        )
        export_order = fields

    def before_export(self, queryset, **kwargs):
        self._counter = 0

    def dehydrate_stt(self, obj):
        self._counter = getattr(self, "_counter", 0) + 1
        return self._counter

    def dehydrate_subject(self, obj):
        return obj.subject_name

    def dehydrate_kind(self, obj):
        return obj.get_subject_kind_display()

    def dehydrate_unit(self, obj):
        if obj.subject_kind == "organization":
            return obj.organization.parent.name if obj.organization.parent_id else ""
        return obj.organization.name

    def dehydrate_scheme_name(self, obj):
        return obj.get_scheme_display()

    def dehydrate_authority_name(self, obj):
        return obj.authority.name

    def dehydrate_decision_number(self, obj):
        return obj.decision.display_number if obj.decision_id else ""

    def dehydrate_decision_date(self, obj):
        return obj.decision.issued_on if obj.decision_id else None  # a date cell (dd/mm/yyyy)

    def dehydrate_commended_text(self, obj):
        return "Tiêu biểu" if obj.commended else ""

    def dehydrate_override_text(self, obj):
        """Recognized over a verdict that found the subject not eligible: the reason written (issue 12)."""
        return obj.override_reason if obj.recognized_over_verdict else ""


class RegistrationReportResource(SheetResourceMixin, resources.ModelResource):
    """The exemplary registration report as a sheet: models (name, executing unit), individuals
    (name, position, unit) [003, report template]."""

    sheet_title = gettext_lazy("Đăng ký mô hình, điển hình")

    stt = fields.Field(column_name="STT")
    kind = fields.Field(column_name="Loại")
    name = fields.Field(column_name="Tên mô hình / Họ và tên")
    model_type_name = fields.Field(column_name="Loại mô hình")
    position = fields.Field(attribute="member_position", column_name="Chức vụ")
    unit = fields.Field(column_name="Đơn vị thực hiện / Đơn vị công tác")
    state_name = fields.Field(column_name="Trạng thái")

    class Meta:
        model = Registration
        fields = ("stt", "kind", "name", "model_type_name", "position", "unit", "state_name")
        export_order = fields

    def __init__(self, *, model_types=None, **kwargs):
        super().__init__(**kwargs)
        self.model_types = model_types or {}

    def dehydrate_stt(self, obj):
        self._counter = getattr(self, "_counter", 0) + 1
        return self._counter

    def dehydrate_kind(self, obj):
        return obj.get_subject_kind_display()

    def dehydrate_name(self, obj):
        return obj.subject_name

    def dehydrate_model_type_name(self, obj):
        if obj.model_type is None:
            return ""
        return f"({obj.model_type}) {self.model_types.get(obj.model_type, {}).get('name', '')}"

    def dehydrate_unit(self, obj):
        return obj.organization.name

    def dehydrate_state_name(self, obj):
        return obj.get_state_display()
