"""Exports never write formulas; sheets have Vietnamese names; dates are date cells (issue 10 hole 6, issue 11).

The rule is OWASP's CSV-injection rule: a text starting with = + - @ tab or CR is written with a
single quote in front, in xlsx and csv, so a spreadsheet program shows it instead of running it.
"""

import csv
import datetime
import io

import openpyxl
import pytest
from django.forms import BooleanField
from django.urls import reverse

from recognition import services
from recognition.models import State, SubjectKind
from tests.factories import MemberFactory, MembershipFactory, OrganizationFactory
from tests.recognition.conftest import OVERRIDE_REASON, advance, make_plan

FORMULA = '=HYPERLINK("http://x","y")'
DANGEROUS = [FORMULA, "+84 912", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


def _sheet(content):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def _csv_rows(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def members(tree):
    made = []
    for index, name in enumerate(DANGEROUS):
        member = MemberFactory(full_name=name, date_of_birth=datetime.date(1985, 8, 5 + index))
        MembershipFactory(member=member, cell=tree.cell_a1, start_date=datetime.date(2015, 1, 1))
        made.append(member)
    return made


@pytest.fixture
def secretary(client, users):
    client.force_login(users.secretary_a1)
    return client


def _names_in_sheet(sheet, column=2):
    return {
        sheet.cell(row=r, column=column).value: sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)
    }


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["export", "member_list"])
def test_members_xlsx_writes_formula_like_names_as_quoted_text(secretary, members, url_name):
    if url_name == "export":
        response = secretary.get(reverse("registry:export", args=["members", "xlsx"]))
    else:
        response = secretary.get(reverse("registry:members"), {"export": "xlsx"})
    sheet = _sheet(response.content)
    assert sheet.title == "Đảng viên"
    cells = _names_in_sheet(sheet)
    for name in DANGEROUS[:-1]:  # XML reading turns the CR of the last into a line feed
        cell = cells["'" + name]
        assert cell.data_type == "s"  # text, never "f" (formula)
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.django_db
def test_members_xlsx_dates_are_date_cells_shown_dd_mm_yyyy(secretary, members):
    sheet = _sheet(secretary.get(reverse("registry:export", args=["members", "xlsx"])).content)
    header = [c.value for c in sheet[1]]
    column = header.index("Ngày sinh") + 1
    birth = {sheet.cell(row=r, column=2).value: sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)}
    cell = birth["'" + FORMULA]
    assert cell.is_date and cell.value.date() == datetime.date(1985, 8, 5)
    assert cell.number_format == "DD/MM/YYYY"
    card = sheet.cell(row=2, column=1)
    assert card.data_type == "s"  # card numbers stay text (leading zeros kept)


@pytest.mark.django_db
def test_members_csv_quotes_formula_like_names_and_writes_dates_dd_mm_yyyy(secretary, members):
    rows = _csv_rows(secretary.get(reverse("registry:export", args=["members", "csv"])).content)
    header = rows[0]
    by_name = {row[1]: row for row in rows[1:]}
    for name in DANGEROUS:
        assert "'" + name in by_name
    assert name not in by_name
    assert by_name["'" + FORMULA][header.index("Ngày sinh")] == "05/08/1985"


@pytest.mark.django_db
def test_an_exported_formula_like_name_reimports_unchanged(secretary, members, tree):
    content = secretary.get(reverse("registry:export", args=["members", "xlsx"])).content
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = secretary.post(
        reverse("registry:import"), {"kind": "members", "file": SimpleUploadedFile("dv.xlsx", content)}
    )
    assert response.context["report"].ok, response.context["report"].problems
    members[0].refresh_from_db()
    assert members[0].full_name == FORMULA  # the quote is the export's, not part of the name


@pytest.fixture
def staff(client, users):
    users.secretary_a1.is_staff = True
    users.secretary_a1.save()
    client.force_login(users.secretary_a1)
    return client


def _admin_export(client, model, title):
    url = reverse(f"admin:registry_{model}_export")
    form = client.get(url).context["form"]
    data = {name: "on" for name, field in form.fields.items() if isinstance(field, BooleanField)}
    data["format"] = next(str(i) for i, label in form.fields["format"].choices if str(label).lower() == title)
    data["resource"] = "0"
    return client.post(url, data)


@pytest.mark.django_db
def test_admin_members_export_xlsx_has_vietnamese_sheet_and_no_formulas(staff, members):
    response = _admin_export(staff, "member", "xlsx")
    sheet = _sheet(response.content)
    assert sheet.title == "Đảng viên"
    cells = _names_in_sheet(sheet)
    assert cells["'" + FORMULA].data_type == "s"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    dates = [c for row in sheet.iter_rows(min_row=2) for c in row if c.is_date]
    assert dates and all(c.number_format == "DD/MM/YYYY" for c in dates)


@pytest.mark.django_db
def test_admin_members_export_csv_quotes_formula_like_names(staff, members):
    rows = _csv_rows(_admin_export(staff, "member", "csv").content)
    names = {row[1] for row in rows[1:]}
    assert {"'" + name for name in DANGEROUS} <= names


# --- recognition lists and registration reports (SCHEMES §5, seed 003) ---------------------------


@pytest.fixture
def plans(tree):
    from criteria.models import Scheme

    return type("Plans", (), {s: make_plan(s, tree.block) for s in (Scheme.FOUR_GOODS, Scheme.EXEMPLARY)})


@pytest.mark.django_db
def test_recognition_list_xlsx_and_csv_write_a_formula_named_cell_as_text(tree, users, plans, client):
    cell = OrganizationFactory(name=FORMULA, parent=tree.block)
    registration = services.registration_create(user=users.admin, plan=plans.four_goods, year=2024, organization=cell)
    advance(registration, State.APPRAISED_BOARD, users.admin)
    services.registration_recognize(
        registration=registration,
        user=users.standing,
        issued_on=datetime.date(2025, 3, 20),
        render=False,
        override_reason=OVERRIDE_REASON,  # no facts here: the verdict is "not eligible" (issue 12)
    )
    client.force_login(users.standing)
    query = {"scheme": "four_goods", "year": 2024, "organization": tree.block.pk}
    sheet = _sheet(client.get(reverse("recognition:recognition_lists"), {**query, "format": "xlsx"}).content)
    assert sheet.title == "Danh sách công nhận"
    header = [c.value for c in sheet[1]]
    subject = sheet.cell(row=2, column=header.index("Tổ chức, mô hình, cá nhân") + 1)
    assert (subject.value, subject.data_type) == ("'" + FORMULA, "s")
    issued = sheet.cell(row=2, column=header.index("Ngày quyết định") + 1)
    assert issued.is_date and issued.value.date() == datetime.date(2025, 3, 20)
    assert issued.number_format == "DD/MM/YYYY"
    rows = _csv_rows(client.get(reverse("recognition:recognition_lists"), {**query, "format": "csv"}).content)
    assert rows[1][rows[0].index("Tổ chức, mô hình, cá nhân")] == "'" + FORMULA
    assert rows[1][rows[0].index("Ngày quyết định")] == "20/03/2025"


@pytest.mark.django_db
def test_registration_report_xlsx_writes_a_formula_named_model_as_text(tree, users, plans, client):
    services.registration_create(
        user=users.committee_staff_a,
        plan=plans.exemplary,
        year=2021,
        organization=tree.committee_a,
        subject_kind=SubjectKind.MODEL,
        model_name=FORMULA,
        model_type=7,
    )
    client.force_login(users.committee_staff_a)
    query = {"plan": plans.exemplary.pk, "organization": tree.committee_a.pk, "phase": "2021-2023", "format": "xlsx"}
    sheet = _sheet(client.get(reverse("recognition:registration_report"), query).content)
    assert sheet.title == "Đăng ký mô hình, điển hình"
    names = [sheet.cell(row=r, column=3) for r in range(2, sheet.max_row + 1)]
    assert [(c.value, c.data_type) for c in names] == [("'" + FORMULA, "s")]
