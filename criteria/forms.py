"""Forms of the yearly facts and nominations pages (issue 12).

A blank answer means "not recorded" (None), never "no" (False): the rules report a blank as
missing data and a "no" as not met, so every yes/no fact is a three-way choice.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .citations import cite, in_force_key
from .engine import plans_in_force
from .models import OrganizationYear, Scheme
from .services import NOMINATION_FIELDS, YEAR_FIELDS

UNKNOWN, YES, NO = "", "yes", "no"
THREE_WAY = [(UNKNOWN, _("Chưa ghi nhận")), (YES, _("Có")), (NO, _("Không"))]


def _three_way(value):
    return {YES: True, NO: False}.get(value)


def three_way_initial(value):
    """The choice a stored True / False / None shows."""
    return {True: YES, False: NO}.get(value, UNKNOWN)


class ThreeWayField(forms.TypedChoiceField):
    """Có / Không / Chưa ghi nhận -> True / False / None."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=THREE_WAY, coerce=_three_way, empty_value=None, **kwargs)


# Where each fact comes from: the section of the issuing document that reads it.
YEAR_HELP = {
    "admission_target": _("Chỉ tiêu kết nạp đảng viên được giao trong năm [000 §II.2.3(2); 002 §II.1.1]."),
    "admitted_count": _("Số đảng viên mới đã kết nạp trong năm [000 §II.2.3(2); 002 §II.1.1]."),
    "unit_targets_met": _(
        "Cơ quan, đơn vị hoàn thành các chỉ tiêu, nhiệm vụ chính trị được giao [002 §II.1.1, §II.2.1; 003 §II.2.1]."
    ),
    "committee_meetings": _("Số kỳ họp thường lệ của đảng ủy cơ sở trong năm [002 §II.2.2]."),
    "congress_meetings": _("Số kỳ họp (hội nghị) đảng bộ trong năm [002 §II.2.2]."),
    "organizations_disciplined": _("Số tổ chức đảng trực thuộc bị thi hành kỷ luật trong năm [002 §II.2.3]."),
    "directive05_planned": _("Học tập, xây dựng kế hoạch thực hiện Chỉ thị 05-CT/TW trong năm [003 §II.2.1]."),
    "directive05_in_agenda": _("Đưa việc học tập và làm theo Bác vào nội dung sinh hoạt thường kỳ [003 §II.2.1]."),
    "initiatives_commended": _(
        "Có giải pháp, sáng kiến, cách làm hay được cấp có thẩm quyền tuyên dương, khen thưởng [003 §II.2.1]."
    ),
    "note": _("Nguồn số liệu, văn bản kèm theo."),
}
BOOLEAN_FIELDS = {"unit_targets_met", "directive05_planned", "directive05_in_agenda", "initiatives_commended"}


class OrganizationYearForm(forms.Form):
    """Every OrganizationYear field for one organization and year; blank means "not recorded"."""

    def __init__(self, *args, instance=None, organization=None, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        meta = OrganizationYear._meta
        # The help texts cite the documents by their numbers: the organization's plans in force for theirs.
        in_force = in_force_key(plans_in_force(list(Scheme), organization, year).values())
        for name in YEAR_FIELDS:
            label = meta.get_field(name).verbose_name
            label = label[:1].upper() + label[1:]
            if name in BOOLEAN_FIELDS:
                field = ThreeWayField(label=label, help_text=cite(str(YEAR_HELP[name]), in_force=in_force))
            elif name == "note":
                field = forms.CharField(
                    label=label,
                    help_text=cite(str(YEAR_HELP[name]), in_force=in_force),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
            else:
                field = forms.IntegerField(
                    label=label,
                    help_text=cite(str(YEAR_HELP[name]), in_force=in_force),
                    required=False,
                    min_value=0,
                    max_value=32767,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )
            self.fields[name] = field
            if instance is not None:
                value = getattr(instance, name)
                self.initial[name] = three_way_initial(value) if name in BOOLEAN_FIELDS else value

    def values(self):
        return {name: self.cleaned_data.get(name) for name in YEAR_FIELDS}


NOMINATION_LABELS = {
    "nominated_by_grassroots": _("Được cơ sở suy tôn, bình xét"),
    "trusted": _("Được lãnh đạo và tập thể người lao động tín nhiệm"),
    "confirmed_by_committee": _("Được cấp ủy xác nhận, đề nghị"),
}


class NominationsForm(forms.Form):
    """Three yes / no / not-recorded columns per member on the roll [003 §II.2.2, last bullet].

    Members the user may not write (not on their current roll) are shown, not offered."""

    def __init__(self, *args, members, existing, writable_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        self.existing = existing
        self.writable_ids = writable_ids
        for member in members:
            stored = existing.get(member.pk)
            for name in NOMINATION_FIELDS:
                key = self.field_name(member, name)
                label = f"{member.full_name}: {NOMINATION_LABELS[name]}"
                self.fields[key] = ThreeWayField(
                    label=label,
                    disabled=member.pk not in writable_ids,
                    widget=forms.Select(attrs={"aria-label": label}),
                )
                self.initial[key] = three_way_initial(getattr(stored, name, None))

    @staticmethod
    def field_name(member, name):
        return f"m{member.pk}_{name}"

    def rows(self):
        """(member, [bound fields]) for the template."""
        return [(m, [self[self.field_name(m, name)] for name in NOMINATION_FIELDS]) for m in self.members]

    def values(self):
        """{member: {field: value}} for the members this user may write."""
        return {
            m: {name: self.cleaned_data.get(self.field_name(m, name)) for name in NOMINATION_FIELDS}
            for m in self.members
            if m.pk in self.writable_ids
        }


class FactsImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại dữ liệu"), choices=())
    file = forms.FileField(label=_("Tệp .xlsx hoặc .csv"))

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        if file.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp quá lớn; tối đa 5 MB."))
        return file
