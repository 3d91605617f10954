"""Forms of the registry pages, and the date and time entry every portal form uses."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Gender, RatingLevel
from .resources import RESOURCES

# Date and time entry in Vietnamese order on any phone (issue 11). A browser's own date and time
# pickers (type="date"/"time") follow the phone's language and show "02:00 PM" or mm/dd/yyyy;
# these are text fields with the numeric keypad, written dd/mm/yyyy and hh:mm on the 24-hour clock.
# The numeric keypad of some phones has no "/" or ":", so digits alone are read too ("05032025",
# "1400"); static/js/validation.js writes them back as "05/03/2025" and "14:00" while typing.
# The ISO form (2025-03-05) stays accepted for links (?date=) and scripts.
DATE_ENTRY_FORMATS = ["%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d%m%Y", "%Y-%m-%d"]
TIME_ENTRY_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M", "%H,%M", "%Hh%M", "%Hg%M", "%Hh", "%H%M"]
# HTML patterns (the browser compiles them with the "v" flag: no bare "/" or "-" in classes).
DATE_ENTRY_PATTERN = r"\d{1,2}(/|\.|-)\d{1,2}(/|\.|-)\d{4}|\d{8}|\d{4}-\d{2}-\d{2}"
TIME_ENTRY_PATTERN = r"\d{1,2}((:|\.|,|h|g)\d{2}(:\d{2})?)?h?|\d{3,4}"
DATE_ENTRY_MESSAGE = _("Nhập ngày theo dạng dd/mm/yyyy, ví dụ 05/03/2025.")
TIME_ENTRY_MESSAGE = _("Nhập giờ theo dạng hh:mm (24 giờ), ví dụ 14:00.")


def parse_date_entry(value):
    """The date typed in a VietDateField, or None: "05/03/2025", "5.3.2025", "05032025", "2025-03-05"."""
    text = str(value or "").strip()
    for fmt in DATE_ENTRY_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class VietDateInput(forms.DateInput):
    """dd/mm/yyyy typed on the numeric keypad, whatever the phone's language."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(
            format="%d/%m/%Y",
            attrs={
                "inputmode": "numeric",
                "placeholder": _("dd/mm/yyyy"),
                "pattern": DATE_ENTRY_PATTERN,
                "maxlength": 10,
                "autocomplete": "off",
                "data-date-entry": "",
                "data-format-message": DATE_ENTRY_MESSAGE,
                **(attrs or {}),
            },
        )


class VietTimeInput(forms.TimeInput):
    """hh:mm on the 24-hour clock, typed on the numeric keypad: never "02:00 PM"."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(
            format="%H:%M",
            attrs={
                "inputmode": "numeric",
                "placeholder": _("hh:mm"),
                "pattern": TIME_ENTRY_PATTERN,
                "maxlength": 8,
                "autocomplete": "off",
                "data-time-entry": "",
                "data-format-message": TIME_ENTRY_MESSAGE,
                **(attrs or {}),
            },
        )


class VietDateField(forms.DateField):
    """A date written dd/mm/yyyy (the ISO form still read); the message says how to write it."""

    widget = VietDateInput
    input_formats = DATE_ENTRY_FORMATS
    default_error_messages = {"invalid": DATE_ENTRY_MESSAGE}


class VietTimeField(forms.TimeField):
    """A time on the 24-hour clock: "14:00", "14h", "14h30", "1400"."""

    widget = VietTimeInput
    input_formats = TIME_ENTRY_FORMATS
    default_error_messages = {"invalid": TIME_ENTRY_MESSAGE}


class RatingEntryForm(forms.Form):
    """One select per member of the cell for one year (SCHEMES §0: one rating per subject per year).

    Members already rated that year are shown, not offered again: a value posted for
    one of them is refused with a message, and the other typed values are kept.
    """

    def __init__(self, *args, members, existing, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        self.existing = existing
        self.year = year
        choices = [("", _("— chưa xếp loại —")), *RatingLevel.choices]
        for member in members:
            self.fields[self.field_name(member)] = forms.ChoiceField(
                label=member.full_name, choices=choices, required=False
            )

    @staticmethod
    def field_name(member):
        return f"member_{member.pk}"

    def rows(self):
        """(member, bound field, existing rating or None) for the template."""
        return [(m, self[self.field_name(m)], self.existing.get(m.pk)) for m in self.members]

    def has_unrated(self):
        return any(m.pk not in self.existing for m in self.members)

    def clean(self):
        cleaned = super().clean()
        for member in self.members:
            name = self.field_name(member)
            if cleaned.get(name) and member.pk in self.existing:
                self.add_error(
                    name,
                    _("%(name)s đã được xếp loại năm %(year)s; mỗi năm chỉ xếp loại một lần.")
                    % {"name": member.full_name, "year": self.year},
                )
        if not self.errors and not self.levels():
            raise forms.ValidationError(_("Chưa chọn xếp loại cho đảng viên nào."))
        return cleaned

    def levels(self):
        """{member: level} for the members given a level in this form."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {m: data[self.field_name(m)] for m in self.members if data.get(self.field_name(m))}

    def typed_levels(self):
        """Every level the form shows now (typed or already recorded), for the EXCELLENT-cap warning."""
        levels = [r.level for r in self.existing.values()]
        for member in self.members:
            if member.pk in self.existing:
                continue
            value = self[self.field_name(member)].value() if self.is_bound else None
            if value in RatingLevel.values:
                levels.append(value)
        return levels


def year_choices():
    this_year = timezone.localdate().year
    return [(y, y) for y in range(this_year, this_year - 10, -1)]


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên hoặc số thẻ"), required=False)
    cell = forms.ModelChoiceField(label=_("Chi bộ"), queryset=None, required=False, empty_label=_("Tất cả"))
    gender = forms.ChoiceField(label=_("Giới tính"), choices=[("", _("Tất cả")), *Gender.choices], required=False)
    position = forms.ChoiceField(
        label=_("Chức vụ"),
        required=False,
        choices=[
            ("", _("Tất cả")),
            ("is_secretary", _("Bí thư")),
            ("is_deputy_secretary", _("Phó bí thư")),
            ("is_committee_member", _("Cấp ủy viên")),
            ("is_leader", _("Lãnh đạo, quản lý")),
            ("is_unit_head", _("Người đứng đầu đơn vị")),
            ("is_direct_worker", _("Lao động trực tiếp")),
        ],
    )
    exempted = forms.ChoiceField(
        label=_("Miễn sinh hoạt"),
        required=False,
        choices=[("", _("Tất cả")), ("yes", _("Được miễn")), ("no", _("Không miễn"))],
    )
    sort = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        choices=[
            ("name", _("Họ tên A→Z")),
            ("-name", _("Họ tên Z→A")),
            ("card", _("Số thẻ tăng dần")),
            ("-card", _("Số thẻ giảm dần")),
            ("born", _("Ngày sinh (lớn tuổi trước)")),
            ("-born", _("Ngày sinh (trẻ tuổi trước)")),
            ("admitted", _("Ngày vào Đảng (sớm trước)")),
            ("-admitted", _("Ngày vào Đảng (muộn trước)")),
        ],
    )

    def __init__(self, *args, cells, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cell"].queryset = cells


IMPORT_KINDS = [
    ("members", _("Đảng viên")),
    ("memberships", _("Sinh hoạt tại chi bộ (chuyển đến, chuyển đi)")),
    ("ratings", _("Xếp loại chất lượng hằng năm")),
]
assert {k for k, _label in IMPORT_KINDS} == set(RESOURCES)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại dữ liệu"), choices=IMPORT_KINDS)
    file = forms.FileField(label=_("Tệp .xlsx hoặc .csv"))

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        if file.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp quá lớn; tối đa 5 MB."))
        return file
