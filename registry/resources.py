"""Import and export of members, memberships and yearly ratings (django-import-export).

Column headers are Vietnamese. Every resource is built for one user
(`Resource(user=...)`): exports read through `visible_to(user)` and imports
accept only cells, members and organizations the user may edit
(`visible_to(user, EDIT_REGISTRY)`); anything else is a bad row, never a change.

Widgets raise `ValueError` with a Vietnamese message, so import-export reports
the row and the column instead of a traceback (see PLATFORM.md, import traps).

Exports carry native values and a Vietnamese sheet name; registry.exports writes them
(no formulas, real date cells). Imports are bounded by registry.imports; the same natural
key twice in one file (`natural_keys`) is a row error naming both rows (issue 10 hole 7).
"""

import datetime
import unicodedata

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from .exports import SheetResourceMixin
from .formats import short_date
from .imports import check_row_count, duplicate_rows
from .models import (
    CELL_KINDS,
    Gender,
    Member,
    Membership,
    Organization,
    Rating,
    RatingLevel,
)
from .scoping import EDIT_REGISTRY, VIEW


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _fold(text):
    """Lower-case and NFC-normalise, so "Hoàn thành tốt nhiệm vụ" matches however it was typed."""
    return unicodedata.normalize("NFC", _text(text)).casefold()


class VnDateWidget(widgets.Widget):
    """Dates as 25/4/2022 (also 2022-04-25 or a spreadsheet date cell)."""

    def clean(self, value, row=None, **kwargs):
        if value is None or _text(value) == "":
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _text(value)
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” không phải là ngày hợp lệ (ghi theo dạng 25/4/2022).") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value or None  # a date cell in xlsx (registry.exports)
        return short_date(value) if value else ""


class VnYearWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if text == "":
            return None
        try:
            return int(text)
        except ValueError:
            raise ValueError(_("“%(value)s” không phải là một năm (ví dụ 2024).") % {"value": text}) from None

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value
        return "" if value is None else str(value)


class VnBooleanWidget(widgets.Widget):
    """“Có” / “Không” (also x, 1, 0, yes, no); blank is “Không”. A subclass may read some words as
    “not recorded” (`UNKNOWN` -> None: criteria.resources.ThreeWayWidget)."""

    TRUE = {"có", "co", "x", "1", "true", "yes", "đúng"}
    FALSE = {"không", "khong", "0", "false", "no", "sai", ""}
    UNKNOWN = frozenset()
    INVALID = gettext_lazy("“%(value)s” không hợp lệ: ghi “Có” hoặc “Không”.")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        folded = _fold(value)
        if folded in self.TRUE:
            return True
        if folded in self.FALSE:
            return False
        if folded in self.UNKNOWN:
            return None
        raise ValueError(str(self.INVALID) % {"value": _text(value)})

    def render(self, value, obj=None, **kwargs):
        return _("Có") if value else _("Không")


class VnChoiceWidget(widgets.Widget):
    """A choice written as its Vietnamese label (or its code, or a short form)."""

    def __init__(self, choices, aliases=None, required=True, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.aliases = aliases or {}
        self.required = required

    def clean(self, value, row=None, **kwargs):
        folded = _fold(value)
        if folded == "":
            if self.required:
                raise ValueError(_("Không được để trống."))
            return ""
        for code, label in self.choices:
            if folded in (_fold(code), _fold(label)):
                return code
        for alias, code in self.aliases.items():
            if folded == _fold(alias):
                return code
        allowed = "; ".join(str(label) for _code, label in self.choices)
        raise ValueError(
            _("“%(value)s” không hợp lệ; chọn một trong: %(allowed)s.") % {"value": _text(value), "allowed": allowed}
        )

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class ScopedPkWidget(widgets.Widget):
    """An organization given by its number (mã số), accepted only inside the user's editing scope."""

    def __init__(self, queryset_factory, not_found_message, required=True, **kwargs):
        super().__init__(**kwargs)
        self.queryset_factory = queryset_factory
        self.not_found_message = not_found_message
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if text == "":
            if self.required:
                raise ValueError(_("Không được để trống."))
            return None
        if not text.isdigit():
            raise ValueError(_("“%(value)s” không phải là mã số (một số nguyên).") % {"value": text})
        obj = self.queryset_factory().filter(pk=int(text)).first()
        if obj is None:
            raise ValueError(self.not_found_message % {"value": text})
        return obj

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value.pk)


class ScopedMemberWidget(widgets.Widget):
    """A member given by party card number, accepted only inside the user's editing scope."""

    def __init__(self, queryset_factory, required=True, **kwargs):
        super().__init__(**kwargs)
        self.queryset_factory = queryset_factory
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if text == "":
            if self.required:
                raise ValueError(_("Không được để trống."))
            return None
        member = self.queryset_factory().filter(card_number=text).first()
        if member is None:
            raise ValueError(_("Không có đảng viên số thẻ %(value)s trong phạm vi bạn phụ trách.") % {"value": text})
        return member

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.card_number


class ScopedResource(SheetResourceMixin, resources.ModelResource):
    """A resource bound to one user: exports and imports stay inside that user's scope."""

    # What identifies a record within one file: (resource field names, what the key is called
    # in "Dòng 3 và dòng 5 trùng …", with %(value)s for the key's value). A row whose key an
    # earlier row already had is refused, with the whole file (issue 10 hole 7).
    natural_keys = ()

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self._duplicates = {}
        self._row_number = None

    # Querysets the widgets use, built lazily so a resource is cheap to create.
    def editable_cells(self):
        return Organization.objects.visible_to(self.user, EDIT_REGISTRY).filter(kind__in=CELL_KINDS)

    def editable_organizations(self):
        return Organization.objects.visible_to(self.user, EDIT_REGISTRY)

    def editable_members(self):
        return Member.objects.visible_to(self.user, EDIT_REGISTRY)

    # Column that errors about the whole row (uniqueness, overlaps) are reported against.
    row_error_field = None

    def column_for(self, key):
        """The Vietnamese column header an error key (model field or resource field) belongs to."""
        if key == NON_FIELD_ERRORS and self.row_error_field:
            return self.fields[self.row_error_field].column_name
        for name, field in self.fields.items():
            if key in (name, field.attribute):
                return field.column_name
        return None

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        import_validation_errors = self.duplicate_errors(import_validation_errors)
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as exc:
            # Django's generic "Constraint … is violated" repeats what clean() already said
            # in Vietnamese; keep it only when it is the sole message.
            errors = {}
            for key, messages in exc.message_dict.items():
                kept = [m for m in messages if "Constraint “" not in m]
                if kept:
                    errors[key] = kept
            raise ValidationError(errors or exc.message_dict) from None

    # Resource field names whose columns must be in the file; other columns may be left out.
    required_fields = ()

    def required_headers(self):
        return [self.fields[name].column_name for name in self.required_fields]

    def before_import(self, dataset, **kwargs):
        check_row_count(len(dataset))  # the readers refuse first; this holds for any dataset
        self._present_headers = {str(h) for h in dataset.headers or []}
        self._duplicates = self.duplicates_in(dataset)

    def _key_part(self, name, row):
        field = self.fields[name]
        value = row.get(field.column_name)
        if isinstance(field.widget, (VnDateWidget, VnYearWidget)):
            try:
                value = field.widget.clean(value)
            except ValueError:
                pass  # the row's own check reports it
        if isinstance(value, datetime.date):
            return short_date(value)
        return _text(value)

    def duplicates_in(self, dataset):
        """{row number: message} for every row repeating the natural key of an earlier row.

        Row numbers are those the spreadsheet shows (the header is row 1)."""
        messages = {}
        headers = list(dataset.headers or [])
        for names, label in self.natural_keys:
            if not all(str(self.fields[name].column_name) in headers for name in names):
                continue
            keys = []
            for index, values in enumerate(dataset, start=2):
                row = dict(zip(headers, values, strict=False))
                parts = tuple(self._key_part(name, row) for name in names)
                keys.append((index, parts if all(parts) else None))
            for number, (first, parts) in duplicate_rows(keys).items():
                messages.setdefault(number, []).append(
                    (
                        names[0],
                        _("Dòng %(first)s và dòng %(row)s trùng %(what)s; mỗi bản ghi chỉ ghi một dòng.")
                        % {"first": first, "row": number, "what": label % {"value": ", ".join(parts)}},
                    )
                )
        return messages

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """An empty row between data rows (kept so row numbers match the spreadsheet) is not a record."""
        if all(value is None or _text(value) == "" for value in row.values()):
            return True
        return super().skip_row(instance, original, row, import_validation_errors)

    def import_row(self, row, instance_loader, **kwargs):
        number = kwargs.get("row_number")
        self._row_number = None if number is None else number + 1
        return super().import_row(row, instance_loader, **kwargs)

    def duplicate_errors(self, errors):
        """`errors` with the repeated-key message of the current row added against its key column."""
        errors = dict(errors or {})
        for name, message in self._duplicates.get(self._row_number, []):
            key = self.fields[name].attribute or name
            if key not in errors:
                errors[key] = ValidationError(message)
        return errors

    def get_import_fields(self):
        present = getattr(self, "_present_headers", None)
        chosen = super().get_import_fields()
        if present is None:
            return chosen
        return [f for f in chosen if str(f.column_name) in present]

    @classmethod
    def example_row(cls, user):
        raise NotImplementedError

    def template_dataset(self):
        """Headers only plus one example row: the downloadable template."""
        dataset = self.export(self._meta.model.objects.none())
        dataset.append(self.example_row(self.user))
        return dataset


def _cell_widget(resource_getter, required=True):
    return ScopedPkWidget(
        lambda: resource_getter().editable_cells(),
        gettext_lazy("Chi bộ mã số %(value)s không có hoặc nằm ngoài phạm vi bạn phụ trách."),
        required=required,
    )


def _first_cell_id(user):
    cell = Organization.objects.visible_to(user, EDIT_REGISTRY).filter(kind__in=CELL_KINDS).first()
    return str(cell.pk) if cell else "1"


def _current_cell_annotations(queryset):
    current = Membership.objects.filter(member=OuterRef("pk"), end_date__isnull=True).order_by("-start_date")
    return queryset.annotate(
        current_cell_id=Subquery(current.values("cell_id")[:1]),
        current_cell_name=Subquery(current.values("cell__name")[:1]),
    )


class MemberResource(ScopedResource):
    """Members (đảng viên). A new member needs the cell they join and the date they join it."""

    card_number = fields.Field(attribute="card_number", column_name=gettext_lazy("Số thẻ đảng viên"))
    full_name = fields.Field(attribute="full_name", column_name=gettext_lazy("Họ và tên"))
    date_of_birth = fields.Field(
        attribute="date_of_birth", column_name=gettext_lazy("Ngày sinh"), widget=VnDateWidget()
    )
    gender = fields.Field(
        attribute="gender",
        column_name=gettext_lazy("Giới tính"),
        widget=VnChoiceWidget(Gender.choices, aliases={"nu": "F", "male": "M", "female": "F"}),
    )
    admitted_on = fields.Field(
        attribute="admitted_on", column_name=gettext_lazy("Ngày vào Đảng"), widget=VnDateWidget()
    )
    official_on = fields.Field(
        attribute="official_on", column_name=gettext_lazy("Ngày chính thức"), widget=VnDateWidget()
    )
    exempted_since = fields.Field(
        attribute="exempted_since", column_name=gettext_lazy("Miễn sinh hoạt từ ngày"), widget=VnDateWidget()
    )
    is_secretary = fields.Field(attribute="is_secretary", column_name=gettext_lazy("Bí thư"), widget=VnBooleanWidget())
    is_deputy_secretary = fields.Field(
        attribute="is_deputy_secretary", column_name=gettext_lazy("Phó bí thư"), widget=VnBooleanWidget()
    )
    is_committee_member = fields.Field(
        attribute="is_committee_member", column_name=gettext_lazy("Cấp ủy viên"), widget=VnBooleanWidget()
    )
    is_leader = fields.Field(
        attribute="is_leader", column_name=gettext_lazy("Lãnh đạo, quản lý"), widget=VnBooleanWidget()
    )
    is_unit_head = fields.Field(
        attribute="is_unit_head", column_name=gettext_lazy("Người đứng đầu đơn vị"), widget=VnBooleanWidget()
    )
    is_direct_worker = fields.Field(
        attribute="is_direct_worker", column_name=gettext_lazy("Lao động trực tiếp"), widget=VnBooleanWidget()
    )
    # Not model fields: where a new member joins. Export shows the current cell.
    join_cell = fields.Field(attribute="_join_cell", column_name=gettext_lazy("Mã số chi bộ"))
    join_date = fields.Field(
        attribute="_join_date", column_name=gettext_lazy("Sinh hoạt từ ngày"), widget=VnDateWidget()
    )
    cell_name = fields.Field(column_name=gettext_lazy("Tên chi bộ"), readonly=True)

    required_fields = ("card_number", "full_name", "gender")
    row_error_field = "card_number"
    natural_keys = ((("card_number",), gettext_lazy("số thẻ đảng viên %(value)s")),)
    sheet_title = gettext_lazy("Đảng viên")

    class Meta:
        model = Member
        fields = (
            "card_number",
            "full_name",
            "date_of_birth",
            "gender",
            "admitted_on",
            "official_on",
            "exempted_since",
            "is_secretary",
            "is_deputy_secretary",
            "is_committee_member",
            "is_leader",
            "is_unit_head",
            "is_direct_worker",
            "join_cell",
            "join_date",
            "cell_name",
        )
        import_id_fields = ("card_number",)
        clean_model_instances = True
        skip_unchanged = False
        skip_diff = True

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["join_cell"].widget = _cell_widget(lambda: self, required=False)

    def get_queryset(self):
        # Only members the user may edit are updated; any other card number is a new member,
        # and a card number already in use elsewhere fails the uniqueness check.
        return self.editable_members()

    def get_instance(self, instance_loader, row):
        number = _text(row.get(self.fields["card_number"].column_name))
        if not number:
            return None
        return self.get_queryset().filter(card_number=number).first()

    def filter_export(self, queryset, **kwargs):
        return _current_cell_annotations(queryset.visible_to(self.user, VIEW))

    def dehydrate_join_cell(self, member):
        value = getattr(member, "current_cell_id", None)
        return "" if value is None else str(value)

    def dehydrate_join_date(self, member):
        return ""

    def dehydrate_cell_name(self, member):
        return getattr(member, "current_cell_name", None) or ""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if instance.pk is None and "_join_cell" not in errors and getattr(instance, "_join_cell", None) is None:
            errors["_join_cell"] = ValidationError(_("Đảng viên mới cần mã số chi bộ nơi sinh hoạt."))
        super().validate_instance(instance, errors, validate_unique)

    def after_save_instance(self, instance, row, **kwargs):
        cell = getattr(instance, "_join_cell", None)
        if cell is not None and not instance.memberships.exists():
            Membership.objects.create(
                member=instance, cell=cell, start_date=getattr(instance, "_join_date", None) or timezone.localdate()
            )

    @classmethod
    def example_row(cls, user):
        return [
            "01234567",
            "Nguyễn Thị Thu Hà",
            "15/8/1985",
            "Nữ",
            "19/5/2010",
            "19/5/2011",
            "",
            "Không",
            "Không",
            "Không",
            "Có",
            "Không",
            "Không",
            _first_cell_id(user),
            "01/01/2024",
            "",
        ]


class MembershipResource(ScopedResource):
    """Time on a cell's roll. A row with the same member, cell and start date updates the end date."""

    member = fields.Field(attribute="member", column_name=gettext_lazy("Số thẻ đảng viên"))
    member_name = fields.Field(attribute="member__full_name", column_name=gettext_lazy("Họ và tên"), readonly=True)
    cell = fields.Field(attribute="cell", column_name=gettext_lazy("Mã số chi bộ"))
    cell_name = fields.Field(attribute="cell__name", column_name=gettext_lazy("Tên chi bộ"), readonly=True)
    start_date = fields.Field(attribute="start_date", column_name=gettext_lazy("Từ ngày"), widget=VnDateWidget())
    end_date = fields.Field(attribute="end_date", column_name=gettext_lazy("Đến ngày"), widget=VnDateWidget())

    required_fields = ("member", "cell", "start_date")
    row_error_field = "start_date"
    natural_keys = (
        (("member", "cell", "start_date"), gettext_lazy("đảng viên, chi bộ và ngày bắt đầu sinh hoạt (%(value)s)")),
    )
    sheet_title = gettext_lazy("Quá trình sinh hoạt")

    class Meta:
        model = Membership
        fields = ("member", "member_name", "cell", "cell_name", "start_date", "end_date")
        import_id_fields = ("member", "cell", "start_date")
        clean_model_instances = True
        skip_diff = True

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["member"].widget = ScopedMemberWidget(lambda: self.editable_members())
        self.fields["cell"].widget = _cell_widget(lambda: self)

    def get_queryset(self):
        return Membership.objects.visible_to(self.user, EDIT_REGISTRY)

    def get_instance(self, instance_loader, row):
        # A value the widgets refuse makes the row new; import_instance then reports
        # the refusal against its column.
        try:
            params = {self.fields[name].attribute: self.fields[name].clean(row) for name in self.get_import_id_fields()}
        except (ValueError, KeyError):
            return None
        if any(value is None for value in params.values()):
            return None
        return self.get_queryset().filter(**params).first()

    def filter_export(self, queryset, **kwargs):
        return queryset.visible_to(self.user, VIEW).select_related("member", "cell")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if instance.start_date is None and "start_date" not in errors:
            errors["start_date"] = ValidationError(_("Không được để trống."))
        super().validate_instance(instance, errors, validate_unique)

    @classmethod
    def example_row(cls, user):
        return ["01234567", "", _first_cell_id(user), "", "01/01/2024", ""]


LEVEL_ALIASES = {
    "HTXSNV": RatingLevel.EXCELLENT,
    "HTTNV": RatingLevel.GOOD,
    "HTNV": RatingLevel.PASS,
    "KHTNV": RatingLevel.FAIL,
}


class RatingResource(ScopedResource):
    """Yearly quality ratings (SCHEMES §0) of members (by card number) or organizations (by number).

    Every row records a new rating: a subject already rated that year is a bad row,
    never an overwrite (one rating per subject per year).
    """

    member = fields.Field(attribute="member", column_name=gettext_lazy("Số thẻ đảng viên"))
    organization = fields.Field(attribute="organization", column_name=gettext_lazy("Mã số tổ chức đảng"))
    subject_name = fields.Field(column_name=gettext_lazy("Tên đối tượng"), readonly=True)
    year = fields.Field(attribute="year", column_name=gettext_lazy("Năm"), widget=VnYearWidget())
    level = fields.Field(
        attribute="level",
        column_name=gettext_lazy("Xếp loại"),
        widget=VnChoiceWidget(RatingLevel.choices, aliases=LEVEL_ALIASES),
    )

    required_fields = ("year", "level")
    row_error_field = "year"
    # SCHEMES §0: one rating per subject per year.
    natural_keys = (
        (("year", "member"), gettext_lazy("năm xếp loại và số thẻ đảng viên (%(value)s)")),
        (("year", "organization"), gettext_lazy("năm xếp loại và mã số tổ chức (%(value)s)")),
    )
    sheet_title = gettext_lazy("Xếp loại chất lượng")

    class Meta:
        model = Rating
        fields = ("member", "organization", "subject_name", "year", "level")
        force_init_instance = True
        clean_model_instances = True
        skip_diff = True

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["member"].widget = ScopedMemberWidget(lambda: self.editable_members(), required=False)
        self.fields["organization"].widget = ScopedPkWidget(
            lambda: self.editable_organizations(),
            gettext_lazy("Tổ chức đảng mã số %(value)s không có hoặc nằm ngoài phạm vi bạn phụ trách."),
            required=False,
        )

    def get_import_id_fields(self):
        return []

    def filter_export(self, queryset, **kwargs):
        return (
            queryset.visible_to(self.user, VIEW)
            .filter(mass_organization__isnull=True)
            .select_related("member", "organization")
            .order_by("-year", "organization__path", "member__full_name")
        )

    def dehydrate_subject_name(self, rating):
        subject = rating.member or rating.organization
        return str(subject) if subject else ""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not errors.keys() & {"member", "organization"}:
            if instance.member_id and instance.organization_id:
                errors["organization"] = ValidationError(
                    _("Mỗi dòng chỉ xếp loại một đối tượng: ghi số thẻ đảng viên hoặc mã số tổ chức, không ghi cả hai.")
                )
            elif not instance.member_id and not instance.organization_id:
                errors["member"] = ValidationError(_("Ghi số thẻ đảng viên hoặc mã số tổ chức đảng được xếp loại."))
        if not errors and instance.year:
            duplicate = Rating.objects.filter(year=instance.year)
            duplicate = (
                duplicate.filter(member=instance.member_id)
                if instance.member_id
                else duplicate.filter(organization=instance.organization_id)
            )
            if duplicate.exists():
                errors["year"] = ValidationError(
                    _("Đối tượng này đã được xếp loại năm %(year)s; mỗi năm chỉ xếp loại một lần.")
                    % {"year": instance.year}
                )
        super().validate_instance(instance, errors, validate_unique)

    def before_save_instance(self, instance, row, **kwargs):
        instance.recorded_by = self.user if self.user and self.user.is_authenticated else None

    @classmethod
    def example_row(cls, user):
        return ["01234567", "", "", str(timezone.localdate().year - 1), str(RatingLevel.GOOD.label)]


RESOURCES = {
    "members": MemberResource,
    "memberships": MembershipResource,
    "ratings": RatingResource,
}
