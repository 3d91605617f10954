"""Forms of the recognition pages: only input validation; the services apply the rules."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from criteria.models import Plan, Scheme
from registry.forms import VietDateField
from registry.models import Member, Organization
from registry.scoping import REGISTER

from .models import State, SubjectKind
from .workflow import ACTIONS


class PlanChoiceField(forms.ModelChoiceField):
    """Plans named with their issuer: a block's own copy carries the seed's number (criteria.demo_plans),
    so the number alone would list two identical choices."""

    def label_from_instance(self, plan):
        return f"{plan.number} ({plan.issuer_name}) — {plan.title}"


class RegistrationForm(forms.Form):
    plan = PlanChoiceField(queryset=Plan.objects.none(), label=_("Kế hoạch"))
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    subject_kind = forms.ChoiceField(choices=SubjectKind.choices, label=_("Loại đối tượng"))
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=_("Tổ chức (đối tượng hoặc đơn vị thực hiện)")
    )
    model_name = forms.CharField(label=_("Tên mô hình"), required=False, max_length=255)
    model_type = forms.TypedChoiceField(
        label=_("Loại mô hình"), required=False, coerce=int, empty_value=None, choices=[("", "—")]
    )
    member = forms.ModelChoiceField(queryset=Member.objects.none(), label=_("Đảng viên"), required=False)
    member_position = forms.CharField(label=_("Chức vụ"), required=False, max_length=255)
    commendation_proposed = forms.BooleanField(label=_("Đề nghị biểu dương tiêu biểu"), required=False)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .params import fallback_model_types

        self.fields["plan"].queryset = Plan.objects.visible_to(user).order_by("scheme", "-issued_on")
        self.fields["organization"].queryset = Organization.objects.visible_to(user, REGISTER)
        self.fields["member"].queryset = Member.objects.visible_to(user, REGISTER)
        self.fields["model_type"].choices = [("", "—")] + [
            (n, f"({n}) {entry['name']}") for n, entry in fallback_model_types().items()
        ]
        self.fields["year"].initial = timezone.localdate().year


class BulkRegistrationForm(forms.Form):
    committee = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Đảng bộ cơ sở"))
    plan = PlanChoiceField(queryset=Plan.objects.none(), label=_("Kế hoạch"))
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = Organization.objects.visible_to(user, REGISTER).filter(
            kind__in=["gr_committee", "partial"]
        )
        self.fields["plan"].queryset = Plan.objects.visible_to(user).filter(
            scheme__in=[Scheme.MODEL_CELL, Scheme.FOUR_GOODS, Scheme.MEETING_QUALITY]
        )
        self.fields["year"].initial = timezone.localdate().year


class ActionForm(forms.Form):
    """One button of the registration page: the action (a name of the workflow table) and its comment.

    Recognizing issues a numbered decision: the decider confirms having seen its preview
    (`confirm_decision`). When the verdict recomputed now is not eligible the decider writes why
    the subject is recognized anyway (`override_reason`); whether one is needed is decided by
    the transition service on the stored registration, which reports a missing one on this field."""

    action = forms.ChoiceField(choices=[(a.name, a.label) for a in ACTIONS.values()], label=_("Thao tác"))
    comment = forms.CharField(
        label=_("Ý kiến, lý do"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    attachment = forms.FileField(label=_("Tệp đính kèm"), required=False)
    commend = forms.BooleanField(label=_("Biểu dương tiêu biểu"), required=False)
    override_reason = forms.CharField(
        label=_("Lý do công nhận dù chưa đủ điều kiện"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "aria-required": "true"}),
    )
    confirm_decision = forms.BooleanField(
        label=_("Tôi đã xem bản xem trước quyết định và xác nhận ban hành quyết định có số"), required=False
    )

    CONFIRM_MISSING = _(
        "Hãy xem bản xem trước quyết định và đánh dấu xác nhận trước khi công nhận, ban hành quyết định."
    )


class YearField(forms.IntegerField):
    """A year as a person types it in a filter: "2025", or "năm 2025" (the one number in the text)."""

    default_error_messages = {"invalid": _("Năm không hợp lệ: hãy nhập bốn chữ số, ví dụ 2025.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        kwargs.setdefault("label", _("Năm"))
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "size": 6}))
        super().__init__(**kwargs)
        self.error_messages["min_value"] = self.error_messages["max_value"] = self.error_messages["invalid"]

    def to_python(self, value):
        if isinstance(value, str):
            numbers = re.findall(r"\d+", value)
            if len(numbers) == 1:
                value = numbers[0]
        return super().to_python(value)


class RegistrationFilterForm(forms.Form):
    """Filters of the registrant's list; a wrong value is shown as an error, the list still shown."""

    scheme = forms.ChoiceField(choices=[("", _("Tất cả"))] + Scheme.choices, required=False, label=_("Phong trào"))
    year = YearField(required=False)
    state = forms.ChoiceField(choices=[("", _("Tất cả"))] + State.choices, required=False, label=_("Trạng thái"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "f-%s")
        super().__init__(*args, **kwargs)

    def filters(self):
        """The valid filters only (an invalid one is dropped and reported by the form)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Tên tài liệu"), max_length=255, required=False)
    file = forms.FileField(label=_("Tệp minh chứng"))


class QueueFilterForm(forms.Form):
    scheme = forms.ChoiceField(choices=[("", _("Tất cả phong trào"))] + Scheme.choices, required=False)
    year = YearField(required=False)
    state = forms.ChoiceField(
        choices=[("", _("Mọi trạng thái"))]
        + [(s.value, s.label) for s in (State.SUBMITTED, State.APPRAISED_GRASSROOTS, State.APPRAISED_BOARD)],
        required=False,
    )
    late = forms.BooleanField(required=False, label=_("Chỉ đăng ký quá hạn"))


class ConferenceForm(forms.Form):
    authority = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Cấp ủy"))
    plan = PlanChoiceField(queryset=Plan.objects.none(), label=_("Kế hoạch"))
    year = forms.IntegerField(label=_("Năm xét"), min_value=2000, max_value=2100)
    held_on = VietDateField(label=_("Ngày họp"))
    signer_title = forms.ChoiceField(
        label=_("Chức vụ người ký"), choices=[("BÍ THƯ", "BÍ THƯ"), ("PHÓ BÍ THƯ", "PHÓ BÍ THƯ")]
    )
    signer_name = forms.CharField(label=_("Họ tên người ký"), max_length=120)

    def __init__(self, *args, user, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities
        self.fields["plan"].queryset = Plan.objects.visible_to(user)
        self.fields["year"].initial = timezone.localdate().year - 1
        self.fields["held_on"].initial = timezone.localdate()


class RecognitionListForm(forms.Form):
    scheme = forms.ChoiceField(choices=Scheme.choices, label=_("Phong trào"))
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, label=_("Trong phạm vi tổ chức")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.visible_to(user).exclude(
            kind__in=["gr_cell", "sub_cell"]
        )
