"""Writes of the registry: ratings entered for a cell, imports from spreadsheets.

Keyword-only functions named <entity>_<action>, atomic; views and serializers stay thin.
"""

import io
import math
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX
from simple_history.utils import bulk_create_with_history

from .models import Member, Rating, RatingLevel
from .resources import RESOURCES

# SCHEMES §0 (QĐ 366-QĐ/TW, HD 43-HD/BTCTW): those rated EXCELLENT may not exceed
# 20% of those rated GOOD. Read literally, the base is the number rated exactly GOOD
# (not "GOOD or higher"), and "may not exceed" rounds the cap DOWN: cap = floor(0.2 × GOOD).
# 10 GOOD -> at most 2 EXCELLENT; 4 GOOD -> 0. The competent level may allow 25%.
EXCELLENT_CAP_SHARE = 0.20


@dataclass
class ExcellentCap:
    """The share rated EXCELLENT against the 20%-of-GOOD cap (SCHEMES §0)."""

    rated: int
    excellent: int
    good: int
    share: float = 0.20

    @property
    def cap(self):
        return math.floor(self.share * self.good + 1e-9)

    @property
    def exceeded(self):
        return self.excellent > self.cap

    @property
    def excellent_percent_of_good(self):
        return round(100 * self.excellent / self.good, 1) if self.good else None


def excellent_cap(levels, *, share=EXCELLENT_CAP_SHARE):
    """Count EXCELLENT and GOOD among `levels` (an iterable of RatingLevel values or blanks)."""
    levels = [level for level in levels if level]
    return ExcellentCap(
        rated=len(levels),
        excellent=sum(1 for level in levels if level == RatingLevel.EXCELLENT),
        good=sum(1 for level in levels if level == RatingLevel.GOOD),
        share=share,
    )


class RatingRefused(Exception):
    """Some subjects already have a rating for the year: nothing was written."""

    def __init__(self, member_ids):
        super().__init__(member_ids)
        self.member_ids = set(member_ids)


@transaction.atomic
def rating_record_for_members(*, year, levels, recorded_by):
    """Record one rating per member for `year`; `levels` maps Member -> RatingLevel.

    One rating per subject per year (SCHEMES §0): if any member is already rated
    for the year, nothing is written and RatingRefused names them. Rows are locked
    so two secretaries saving at once cannot both write.
    """
    members = {m.pk: m for m in levels}
    list(Member.objects.select_for_update().filter(pk__in=members))
    taken = set(Rating.objects.filter(year=year, member_id__in=members).values_list("member_id", flat=True))
    if taken:
        raise RatingRefused(taken)
    # bulk_create skips the history signals: write the audit rows alongside.
    return bulk_create_with_history(
        [Rating(member=member, year=year, level=level, recorded_by=recorded_by) for member, level in levels.items()],
        Rating,
        default_user=recorded_by,
    )


# --- import ---------------------------------------------------------------------------


@dataclass
class RowProblem:
    row: int  # row number as the spreadsheet shows it (the header is row 1)
    column: str
    message: str


@dataclass
class ImportReport:
    kind: str
    total_rows: int = 0
    new: int = 0
    updated: int = 0
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


def read_dataset(uploaded_file):
    """A tablib Dataset from an uploaded .xlsx or .csv file; ValueError with a Vietnamese reason otherwise."""
    name = (uploaded_file.name or "").lower()
    data = uploaded_file.read()
    try:
        if name.endswith(".xlsx"):
            dataset = XLSX().create_dataset(data)
        elif name.endswith(".csv"):
            dataset = CSV().create_dataset(data.decode("utf-8-sig"))
        else:
            raise ValueError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
    except UnicodeDecodeError:
        raise ValueError(_("Tệp CSV phải được lưu với bảng mã UTF-8.")) from None
    except ValueError:
        raise
    except Exception:  # openpyxl and tablib raise many kinds on a damaged file
        raise ValueError(_("Không đọc được tệp: tệp hỏng hoặc không đúng định dạng.")) from None
    # Spreadsheet programs leave fully empty rows at the end: drop them.
    keep = [row for row in dataset if any(cell not in (None, "") for cell in row)]
    headers = [str(h).strip() if h is not None else "" for h in dataset.headers or []]
    return tablib.Dataset(*keep, headers=headers)


def registry_import(*, kind, uploaded_file, user):
    """Import members, memberships or ratings from a file, all or nothing.

    Every row is validated; any bad row (wrong value, out-of-scope cell, second
    rating of a year…) rolls the whole file back, and the report names each bad
    row, its column and a Vietnamese reason.
    """
    resource = RESOURCES[kind](user=user)
    report = ImportReport(kind=kind)
    try:
        dataset = read_dataset(uploaded_file)
    except ValueError as exc:
        report.problems.append(RowProblem(row=0, column="", message=str(exc)))
        return report
    report.total_rows = len(dataset)
    missing = [str(h) for h in resource.required_headers() if str(h) not in (dataset.headers or [])]
    if missing:
        report.problems.append(RowProblem(row=1, column=", ".join(missing), message=_("Thiếu cột trong dòng tiêu đề.")))
        return report
    if not report.total_rows:
        report.problems.append(RowProblem(row=0, column="", message=_("Tệp không có dòng dữ liệu nào.")))
        return report

    result = resource.import_data(
        dataset,
        dry_run=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    for invalid in result.invalid_rows:
        for key, messages in invalid.error_dict.items():
            column = str(resource.column_for(key) or "")
            for message in messages:
                report.problems.append(RowProblem(row=invalid.number + 1, column=column, message=str(message)))
    for number, errors in result.row_errors():
        for error in errors:
            report.problems.append(RowProblem(row=number + 1, column="", message=_describe(error.error)))
    for error in result.base_errors:
        report.problems.append(RowProblem(row=0, column="", message=_describe(error.error)))
    report.problems.sort(key=lambda p: (p.row, p.column))
    if report.ok:
        report.new = result.totals.get("new", 0)
        report.updated = result.totals.get("update", 0)
    return report


def _describe(error):
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return _("Không ghi được dòng này (%(error)s).") % {"error": error}


def registry_export(*, kind, queryset, user, file_format):
    """Bytes and content type of an export of `queryset` (scoped again by the resource)."""
    resource = RESOURCES[kind](user=user)
    dataset = resource.export(queryset)
    return _render(dataset, file_format)


def registry_template(*, kind, user, file_format):
    """A template to fill in: the Vietnamese headers and one example row."""
    resource = RESOURCES[kind](user=user)
    return _render(resource.template_dataset(), file_format)


def _render(dataset, file_format):
    if file_format == "xlsx":
        content = XLSX().export_data(dataset)
        return content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    text = CSV().export_data(dataset)
    buffer = io.BytesIO()
    buffer.write(("\ufeff" + text).encode("utf-8"))  # BOM so spreadsheet programs read UTF-8
    return buffer.getvalue(), "text/csv; charset=utf-8"
