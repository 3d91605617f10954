"""The one way the portal writes spreadsheets: members, memberships, ratings, recognition lists, reports.

Every export — the portal pages, the admin's import-export screens and the recognition
documents — goes through `render_dataset` (directly, or through the `SafeCSV` / `SafeXLSX`
formats that settings give import-export), so every file follows the same rules (issue 10
hole 6, issue 11):

- Nothing is a formula. A text that a spreadsheet program would read as a formula or a DDE
  command — starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — is written
  with a single quote in front (the OWASP CSV-injection rule), in xlsx and in csv alike.
  A member called ``=HYPERLINK("http://x","y")`` stays a name.
- Every sheet has a Vietnamese name (the resource's `sheet_title`), never "Tablib Dataset".
- Dates are real date cells shown as dd/mm/yyyy in xlsx, and dd/mm/yyyy text in csv.

This module imports no models, so settings can name its formats.
"""

import csv
import datetime
import io

from django.utils.translation import gettext_lazy
from import_export.formats.base_formats import CSV, XLSX

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

# OWASP "CSV Injection": cells beginning with these are read as formulas by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_NUMBER_FORMAT = "DD/MM/YYYY"
DEFAULT_SHEET_TITLE = gettext_lazy("Dữ liệu")
# Excel refuses sheet names longer than 31 characters or holding any of these.
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def inert(value):
    """`value` as it may go into a cell: a text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def sheet_name(title):
    """A title Excel accepts as a sheet name (at most 31 characters, no []:*?/\\)."""
    text = str(title or DEFAULT_SHEET_TITLE).translate(_SHEET_FORBIDDEN).strip()
    return text[:31] or str(DEFAULT_SHEET_TITLE)


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _csv_text(value):
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = _as_date(value)
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    if isinstance(value, bool):
        return str(value)
    return str(inert(value) if isinstance(value, str) else value)


def xlsx_bytes(dataset, title=None):
    """An .xlsx workbook of `dataset`: one sheet named `title`, header row, no formulas, date cells."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name(title or dataset.title))
    if dataset.headers:
        sheet.append([str(inert(str(h))) for h in dataset.headers])
    for row in dataset:
        cells = []
        for value in row:
            value = _as_date(value)
            if isinstance(value, str):
                # Quoted first, so openpyxl never takes it for a formula; control characters
                # that XML cannot hold become "\ufffd" instead of failing the whole export.
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", inert(value)))
            else:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, datetime.date):
                    cell.number_format = DATE_NUMBER_FORMAT
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(dataset):
    """CSV text of `dataset` (no BOM): dates as dd/mm/yyyy, formula-like texts quoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if dataset.headers:
        writer.writerow([_csv_text(str(h)) for h in dataset.headers])
    for row in dataset:
        writer.writerow([_csv_text(value) for value in row])
    return buffer.getvalue()


def render_dataset(dataset, file_format, title=None):
    """(bytes, content type) of `dataset` as "xlsx" or "csv"; the sheet is named `title` or `dataset.title`."""
    if file_format == "xlsx":
        return xlsx_bytes(dataset, title), XLSX_CONTENT_TYPE
    if file_format == "csv":
        # BOM so spreadsheet programs read UTF-8.
        return ("\ufeff" + csv_text(dataset)).encode("utf-8"), CSV_CONTENT_TYPE
    raise ValueError(file_format)


class SheetResourceMixin:
    """For import-export resources: every export carries native values (dates stay dates)
    and the resource's Vietnamese `sheet_title`; `render_dataset` formats them."""

    sheet_title = DEFAULT_SHEET_TITLE

    def export(self, queryset=None, **kwargs):
        kwargs["force_native_type"] = True
        dataset = super().export(queryset, **kwargs)
        dataset.title = sheet_name(self.sheet_title)
        return dataset


# --- formats for django-import-export (settings.IMPORT_EXPORT_FORMATS) ------------------------


class SafeCSV(CSV):
    """CSV for the admin's import-export screens: the portal's export rules, the import bounds."""

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + csv_text(dataset)

    def create_dataset(self, in_stream, **kwargs):
        from .imports import load_dataset  # registry.imports reads FORMULA_STARTS from here

        data = in_stream.encode("utf-8") if isinstance(in_stream, str) else in_stream
        return load_dataset(data, "csv")


class SafeXLSX(XLSX):
    """XLSX for the admin's import-export screens: the portal's export rules, the import bounds."""

    def export_data(self, dataset, **kwargs):
        return xlsx_bytes(dataset)

    def create_dataset(self, in_stream, **kwargs):
        from .imports import load_dataset

        return load_dataset(in_stream, "xlsx")
