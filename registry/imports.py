"""Reading an uploaded spreadsheet for import, within bounds (issue 10 hole 7).

One reader for every import: the page import (`registry_import`, registry/views.py) and the
admin's import-export screens (through `registry.exports.SafeCSV` / `SafeXLSX`, named in
settings.IMPORT_EXPORT_FORMATS). Before any row is looked at, a file is refused with a
Vietnamese reason (`ImportRefused`) when

- it is larger than settings.IMPORT_MAX_UNCOMPRESSED_BYTES once uncompressed: for an .xlsx the
  sizes declared in its zip directory are added up *before* openpyxl opens it (a 0.3 MB file
  holding a 300 MB cell is refused without being unpacked; Python's zipfile never returns more
  than the declared size), for a .csv it is the file's own size;
- it has more than settings.IMPORT_MAX_ROWS data rows (counted while reading; reading stops at
  the first row over the limit).

The same natural key twice in one file (the same card number…) is a row error naming both rows;
the resources (registry/resources.py) report it, so the whole file is refused. Nothing in a
refused file is written: imports run in one transaction and roll back on any bad row.

Model-free at import time, so settings can load the formats; `registry_import` imports the
resources when called.
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .exports import FORMULA_STARTS

DEFAULT_MAX_ROWS = 5000
DEFAULT_MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
# An .xlsx written by a spreadsheet program has a few dozen parts; thousands mean a crafted file.
MAX_ZIP_ENTRIES = 1000


class ImportRefused(ValueError):
    """The file is refused as a whole, before any row is read into the database."""


def max_rows():
    return int(getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_uncompressed_bytes():
    return int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES))


def page_context(*, form, report, kinds, formats, template_url_name):
    """The context of an import page (templates/registry/_import_page.html): the form, the last
    report, the kinds with their template files (`template_url_name`: kind, format) and the limits."""
    return {
        "form": form,
        "report": report,
        "kinds": kinds,
        "formats": formats,
        "template_url_name": template_url_name,
        "max_rows": max_rows(),
        "max_megabytes": max_uncompressed_bytes() // (1024 * 1024),
    }


def _megabytes(size):
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


def _too_large(size):
    return ImportRefused(
        _(
            "Tệp quá lớn: nội dung giải nén %(size)s MB, vượt giới hạn %(limit)s MB. "
            "Hãy chia thành nhiều tệp nhỏ hơn; không dòng nào được ghi."
        )
        % {"size": _megabytes(size), "limit": _megabytes(max_uncompressed_bytes())}
    )


def _too_many_rows():
    return ImportRefused(
        _(
            "Tệp có hơn %(limit)s dòng dữ liệu, quá số dòng một lần nhập. "
            "Hãy chia thành nhiều tệp, mỗi tệp không quá %(limit)s dòng; không dòng nào được ghi."
        )
        % {"limit": f"{max_rows():,}".replace(",", ".")}
    )


def check_row_count(count):
    """ImportRefused when `count` data rows is more than one import may hold."""
    if count > max_rows():
        raise _too_many_rows()


def check_xlsx_size(data):
    """Refuse an .xlsx whose parts add up to more than the limit once unpacked (read from the zip directory)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportRefused(_("Không đọc được tệp: tệp hỏng hoặc không phải tệp .xlsx.")) from None
    total = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ZIP_ENTRIES or total > max_uncompressed_bytes():
        raise _too_large(total)


def _restore(value):
    """Undo the quote an export put before a formula-like text (registry.exports.inert)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0, 0):
        return value.date()
    return value


def _blank(row):
    return all(value is None or (isinstance(value, str) and value.strip() == "") for value in row)


def _dataset(header, rows):
    headers = [str(h).strip() if h is not None else "" for h in header]
    width = len(headers)
    shaped = [tuple((list(row) + [None] * width)[:width]) for row in rows]
    return tablib.Dataset(*shaped, headers=headers)


def _read_rows(rows):
    """Header and data rows from an iterator of row tuples, refusing more than the row limit."""
    header = next(rows, None)
    if header is None:
        return [], []
    limit = max_rows()
    kept, blanks = [], 0
    for row in rows:
        if _blank(row):
            # Kept only when data follows, so row numbers stay those the spreadsheet shows;
            # the resources skip them (ScopedResource.skip_row). Trailing empty rows are dropped.
            blanks += 1
            continue
        if len(kept) + blanks >= limit:
            raise _too_many_rows()
        kept.extend([()] * blanks)
        blanks = 0
        kept.append(tuple(_restore(value) for value in row))
    return header, kept


def _load_xlsx(data):
    check_xlsx_size(data)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise ImportRefused(_("Không đọc được tệp: tệp hỏng hoặc không đúng định dạng.")) from None
    try:
        header, rows = _read_rows(workbook.active.iter_rows(values_only=True))
    except ImportRefused:
        raise
    except Exception:
        raise ImportRefused(_("Không đọc được tệp: tệp hỏng hoặc không đúng định dạng.")) from None
    finally:
        workbook.close()
    return _dataset(header, rows)


def _load_csv(data):
    if len(data) > max_uncompressed_bytes():
        raise _too_large(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(_("Tệp CSV phải được lưu với bảng mã UTF-8.")) from None
    try:
        header, rows = _read_rows(iter(csv.reader(io.StringIO(text, newline=""))))
    except csv.Error:
        raise ImportRefused(_("Không đọc được tệp: tệp hỏng hoặc không đúng định dạng.")) from None
    return _dataset(header, rows)


def load_dataset(data, file_format):
    """A tablib Dataset of an uploaded file's bytes ("xlsx" or "csv"), within the bounds; ImportRefused otherwise."""
    if file_format == "xlsx":
        return _load_xlsx(data)
    if file_format == "csv":
        return _load_csv(data)
    raise ImportRefused(_("Chỉ nhận tệp .xlsx hoặc .csv."))


def read_upload(uploaded_file):
    """The Dataset of an uploaded .xlsx or .csv file (by its name), within the bounds."""
    name = (uploaded_file.name or "").lower()
    file_format = name.rsplit(".", 1)[-1] if "." in name else ""
    if file_format not in ("xlsx", "csv"):
        raise ImportRefused(_("Chỉ nhận tệp .xlsx hoặc .csv."))
    size = getattr(uploaded_file, "size", None)
    if file_format == "csv" and size is not None and size > max_uncompressed_bytes():
        raise _too_large(size)  # refused before the upload is read into memory
    return load_dataset(uploaded_file.read(), file_format)


def duplicate_rows(keys):
    """`keys` maps a spreadsheet row number to its natural key (None when blank);
    returns {later row: (first row, key)} for every key met before."""
    first_seen, duplicates = {}, {}
    for number, key in keys:
        if key is None:
            continue
        if key in first_seen:
            duplicates[number] = (first_seen[key], key)
        else:
            first_seen[key] = number
    return duplicates


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


def _describe(error):
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return _("Không ghi được dòng này (%(error)s).") % {"error": error}


class BoundedImportAdminMixin:
    """For import-export admins: show why a file was refused instead of the library's
    "'ImportRefused' encountered while trying to read file"."""

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportRefused):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)


def registry_import(*, kind, uploaded_file, user, resources=None):
    """Import members, memberships or ratings from an uploaded file, all or nothing.

    The file is read within the bounds above; every row is validated; any bad row (wrong
    value, out-of-scope cell, a second rating of a year, the same key twice in the file…)
    rolls the whole file back, and the report names each bad row, its column and a
    Vietnamese reason.
    """
    # Imported here: settings load this module (through registry.exports) before the app registry.
    from .resources import RESOURCES

    # `resources`: another app's {kind: resource class} read through the same bounds (criteria/fact_views.py).
    resource = (resources or RESOURCES)[kind](user=user)
    report = ImportReport(kind=kind)
    try:
        dataset = read_upload(uploaded_file)
    except ImportRefused as exc:
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

    result = resource.import_data(dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True)
    for invalid in result.invalid_rows:
        for key, messages in invalid.error_dict.items():
            column = str(resource.column_for(key) or "")
            for message in messages:
                report.problems.append(RowProblem(row=invalid.number + 1, column=column, message=str(message)))
    for number, errors in result.row_errors():
        for error in errors:
            report.problems.append(RowProblem(row=number + 1, column="", message=_describe(error.error)))
    for error in result.base_errors:
        message = str(error.error) if isinstance(error.error, ImportRefused) else _describe(error.error)
        report.problems.append(RowProblem(row=0, column="", message=message))
    report.problems.sort(key=lambda p: (p.row, p.column))
    if report.ok:
        report.new = result.totals.get("new", 0)
        report.updated = result.totals.get("update", 0)
    return report
