"""Forms of the monthly work. Field checks only; the rules are checked once, in services."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from registry.formats import person_name
from registry.forms import VietDateField, VietDateInput, VietTimeField, VietTimeInput, parse_date_entry
from registry.models import Member, Organization
from registry.validators import validate_evidence_size

from . import selectors
from .models import AttendanceStatus, MeetingKind

# Dates dd/mm/yyyy and 24-hour times typed as text, never the phone's own pickers (registry.forms).
DateInput = VietDateInput
TimeInput = VietTimeInput


class DecimalInput(forms.TextInput):
    """A decimal typed on a phone: the decimal keypad, and a comma as Vietnamese writes it."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})


class VietDecimalField(forms.DecimalField):
    """A decimal that reads the Vietnamese decimal comma: "13,5" is 13.5, never 135."""

    widget = DecimalInput

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace(",", ".")
        return super().to_python(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)  # a text input: no browser step check, the server checks the range
        return attrs


class MeetingForm(forms.Form):
    """The meeting record; attendance rows are read from `att-<id>`, `reason-<id>`, `spoke-<id>`."""

    date = VietDateField(label=_("Ngày họp"))
    start_time = VietTimeField(label=_("Bắt đầu"))
    end_time = VietTimeField(label=_("Kết thúc"))
    kind = forms.ChoiceField(label=_("Hình thức"), choices=MeetingKind.choices, initial=MeetingKind.REGULAR)
    topic = forms.CharField(label=_("Chủ đề chuyên đề"), required=False, max_length=255)
    agenda = forms.CharField(label=_("Nội dung sinh hoạt"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    conclusions = forms.CharField(label=_("Kết luận"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    resolution = forms.CharField(label=_("Nghị quyết"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    votes_for = forms.IntegerField(label=_("Số tán thành mức điểm đề xuất"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Số không tán thành"), min_value=0, required=False)
    # Who chaired and who recorded the minutes: members of the day's roll, present (services.validate_meeting).
    chair = forms.ModelChoiceField(
        label=_("Chủ trì"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("— Chưa chọn —"),
        error_messages={"invalid_choice": _("Người chủ trì phải là đảng viên trong danh sách sinh hoạt ngày họp.")},
    )
    recorder = forms.ModelChoiceField(
        label=_("Thư ký ghi biên bản"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("— Chưa chọn —"),
        error_messages={
            "invalid_choice": _("Thư ký ghi biên bản phải là đảng viên trong danh sách sinh hoạt ngày họp.")
        },
    )
    separate_meeting = forms.BooleanField(
        label=_("Đây là một buổi họp riêng"),
        required=False,
        help_text=_("Chỉ đánh dấu khi chi bộ họp hai buổi cùng hình thức trong cùng một ngày."),
    )
    # One token per opened form: a second POST of the same form (a double tap) saves nothing new.
    submission_token = forms.CharField(required=False, widget=forms.HiddenInput(), max_length=64)
    attachment = forms.FileField(
        label=_("Tệp đính kèm (biên bản, nghị quyết)"),
        required=False,
        validators=[
            validate_evidence_size,
            FileExtensionValidator(
                settings.EVIDENCE_EXTENSIONS,
                message=_("Chỉ nhận tệp %(allowed)s.") % {"allowed": ", ".join(settings.EVIDENCE_EXTENSIONS)},
            ),
        ],
    )

    def __init__(self, *args, framework, cell=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework
        if cell is not None:
            # The chair and the recorder are chosen from the roll of the meeting's day, the day typed
            # (bound, or kept across the date-change reload) or the one the form opened with.
            day = parse_date_entry((self.data if self.is_bound else self.initial).get("date"))
            if day is not None:
                roll = Member.objects.filter(pk__in=[m.pk for m in selectors.roll_at(cell, day)])
                for name in ("chair", "recorder"):
                    self.fields[name].queryset = roll.order_by("full_name", "pk")
        self.section_fields = []
        for section in framework.sections.all():
            name = f"section_{section.code}"
            self.fields[name] = VietDecimalField(
                label=f"{section.title} ({section.points})",
                required=False,
                min_value=0,
                max_digits=5,
                decimal_places=2,
                widget=DecimalInput(attrs={"data-max": section.points, "class": "section-score"}),
            )
            self.section_fields.append(name)

    def sections(self):
        return [self[name] for name in self.section_fields]

    def service_data(self):
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if not k.startswith("section_") and k not in ("attachment", "submission_token")
        }
        data["section_scores"] = {
            name.removeprefix("section_"): self.cleaned_data[name]
            for name in self.section_fields
            if self.cleaned_data.get(name) is not None
        }
        return data


def parse_attendance(post):
    """{member id: {"status", "reason", "spoke"}} from the toggles of the attendance screen."""
    rows = {}
    valid = set(AttendanceStatus.values)
    for key, value in post.items():
        if key.startswith("att-") and key[4:].isdigit():
            pk = int(key[4:])
            rows[pk] = {
                "status": value if value in valid else AttendanceStatus.PRESENT,
                "reason": post.get(f"reason-{pk}", "").strip(),
                "spoke": post.get(f"spoke-{pk}") in ("on", "1", "true"),
            }
    return rows


class AttendeeReportForm(forms.Form):
    """The attendee's report: the items [001 §III.4(3)] lists."""

    arrived_at = VietTimeField(label=_("Thời gian dự"), required=False)
    unit_situation = forms.CharField(
        label=_("Tình hình cơ sở và chi bộ"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    meeting_conduct = forms.CharField(label=_("Tình hình tổ chức sinh hoạt"), widget=forms.Textarea(attrs={"rows": 3}))
    issues_raised = forms.CharField(
        label=_("Những vấn đề đã trao đổi, có ý kiến tại buổi sinh hoạt"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    issues_answered = forms.CharField(
        label=_("Những vấn đề tiếp thu, đã báo cáo"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    assessment = forms.CharField(label=_("Đánh giá chất lượng sinh hoạt"), widget=forms.Textarea(attrs={"rows": 3}))
    decided_score = VietDecimalField(label=_("Điểm quyết định"), min_value=0, max_digits=5, decimal_places=2)


class FourGoodsForm(forms.Form):
    """The month's four-goods self-assessment: points and achieved per criterion, the vote."""

    votes_for = forms.IntegerField(label=_("Số tán thành"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Số không tán thành"), min_value=0, required=False)

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework
        for criterion in framework.criteria:
            code = criterion["code"]
            self.fields[f"points_{code}"] = VietDecimalField(
                label=f"{code}. {criterion['title']} ({criterion['points']})",
                min_value=0,
                max_digits=5,
                decimal_places=2,
                widget=DecimalInput(attrs={"data-max": criterion["points"], "class": "fg-points"}),
            )
            self.fields[f"achieved_{code}"] = forms.BooleanField(
                label=_("Đạt"), required=False, widget=forms.CheckboxInput(attrs={"class": "fg-achieved"})
            )

    def rows(self):
        return [(self[f"points_{c}"], self[f"achieved_{c}"]) for c in self.framework.codes]

    def service_data(self):
        codes = self.framework.codes
        return {
            "points": {c: self.cleaned_data[f"points_{c}"] for c in codes},
            "achieved": {c: self.cleaned_data[f"achieved_{c}"] for c in codes},
            "votes_for": self.cleaned_data.get("votes_for") or 0,
            "votes_against": self.cleaned_data.get("votes_against") or 0,
        }


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Lý do mở lại"), widget=forms.Textarea(attrs={"rows": 2}))


class ScheduleForm(forms.Form):
    day_of_month = forms.IntegerField(label=_("Ngày sinh hoạt hằng tháng"), min_value=1, max_value=28)
    start_time = VietTimeField(label=_("Giờ bắt đầu"), required=False)
    place = forms.CharField(label=_("Địa điểm"), required=False, max_length=255)


class PostponementForm(forms.Form):
    original_date = VietDateField(label=_("Ngày họp theo lịch"))
    new_date = VietDateField(label=_("Ngày họp mới"))
    reason = forms.CharField(label=_("Lý do hoãn"), max_length=255)


class AssignmentForm(forms.Form):
    attendee = forms.ModelChoiceField(label=_("Cán bộ dự"), queryset=get_user_model().objects.none())
    cell = forms.ModelChoiceField(label=_("Chi bộ"), queryset=Organization.objects.none())
    start_date = VietDateField(label=_("Từ ngày"))
    end_date = VietDateField(label=_("Đến ngày"))

    def __init__(self, *args, cells, attendees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cell"].queryset = cells
        self.fields["attendee"].queryset = attendees
        self.fields["attendee"].label_from_instance = person_name

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data
