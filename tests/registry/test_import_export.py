"""Import and export of members, memberships and yearly ratings (issue 2, PLATFORM.md import traps)."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.models import Member, Membership, Rating, RatingLevel

from ..factories import RatingFactory
from .factories import roll


def upload(client, kind, text, name="tep.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(reverse("registry:import"), {"kind": kind, "file": SimpleUploadedFile(name, data)})


@pytest.fixture
def secretary(client, users):
    client.force_login(users.secretary_a1)
    return client


@pytest.mark.django_db
def test_a_file_with_one_bad_row_changes_nothing_and_names_row_and_column(secretary, tree):
    text = (
        "Số thẻ đảng viên,Họ và tên,Giới tính,Ngày sinh,Mã số chi bộ,Sinh hoạt từ ngày\n"
        f"90000001,Nguyễn Văn An,Nam,12/3/1980,{tree.cell_a1.pk},1/1/2024\n"
        f"90000002,Trần Thị Bình,Nữ,31/2/1985,{tree.cell_a1.pk},1/1/2024\n"
        f"90000003,Lê Văn Cường,Nam,1/6/1990,{tree.cell_a1.pk},1/1/2024\n"
    )
    response = upload(secretary, "members", text)
    assert response.status_code == 200
    assert not Member.objects.filter(card_number__startswith="9000000").exists()
    assert not Membership.objects.exists()
    report = response.context["report"]
    assert [(p.row, p.column) for p in report.problems] == [(3, "Ngày sinh")]
    assert "không phải là ngày hợp lệ" in report.problems[0].message
    page = response.content.decode()
    assert "Tệp có lỗi, chưa ghi dòng nào" in page and "Ngày sinh" in page


@pytest.mark.django_db
def test_a_good_file_imports_members_onto_the_roll(secretary, tree):
    text = (
        "Số thẻ đảng viên,Họ và tên,Giới tính,Ngày sinh,Ngày vào Đảng,Bí thư,Mã số chi bộ,Sinh hoạt từ ngày\n"
        f"90000001,Nguyễn Văn An,Nam,12/3/1980,19/5/2010,Có,{tree.cell_a1.pk},1/1/2024\n"
        f"90000002,Trần Thị Bình,Nữ,2/9/1985,,Không,{tree.cell_a1.pk},\n"
    )
    response = upload(secretary, "members", text)
    assert response.context["report"].ok, response.context["report"].problems
    an = Member.objects.get(card_number="90000001")
    assert an.is_secretary and an.admitted_on == datetime.date(2010, 5, 19)
    assert set(Member.objects.on_roll(tree.cell_a1, datetime.date(2024, 6, 1))) == {an}
    assert Member.objects.get(card_number="90000002").memberships.get().cell == tree.cell_a1


@pytest.mark.django_db
def test_a_row_naming_a_cell_out_of_scope_is_a_bad_row(secretary, tree):
    text = (
        "Số thẻ đảng viên,Họ và tên,Giới tính,Mã số chi bộ\n"
        f"90000001,Nguyễn Văn An,Nam,{tree.cell_a1.pk}\n"
        f"90000002,Trần Thị Bình,Nữ,{tree.cell_b.pk}\n"
    )
    report = upload(secretary, "members", text).context["report"]
    assert [(p.row, p.column) for p in report.problems] == [(3, "Mã số chi bộ")]
    assert "ngoài phạm vi" in report.problems[0].message
    assert not Member.objects.filter(card_number__startswith="9000000").exists()


@pytest.mark.django_db
def test_membership_import_into_another_cell_is_refused(secretary, tree):
    member = roll(tree.cell_a1, 1)[0]
    text = f"Số thẻ đảng viên,Mã số chi bộ,Từ ngày\n{member.card_number},{tree.cell_b.pk},1/7/2024\n"
    report = upload(secretary, "memberships", text).context["report"]
    assert (2, "Mã số chi bộ") in [(p.row, p.column) for p in report.problems]
    assert member.memberships.count() == 1


@pytest.mark.django_db
def test_membership_import_records_a_transfer_within_scope(client, users, tree):
    client.force_login(users.committee_staff_a)
    member = roll(tree.cell_a1, 1, start=datetime.date(2018, 1, 1))[0]
    text = (
        "Số thẻ đảng viên,Mã số chi bộ,Từ ngày,Đến ngày\n"
        f"{member.card_number},{tree.cell_a1.pk},1/1/2018,30/6/2024\n"
        f"{member.card_number},{tree.cell_a2.pk},1/7/2024,\n"
    )
    report = upload(client, "memberships", text).context["report"]
    assert report.ok, report.problems
    assert (report.new, report.updated) == (1, 1)
    assert list(Member.objects.on_roll(tree.cell_a2, datetime.date(2024, 7, 1))) == [member]
    assert list(Member.objects.on_roll(tree.cell_a1, datetime.date(2024, 7, 1))) == []


@pytest.mark.django_db
def test_import_refuses_a_second_rating_for_the_same_member_and_year(secretary, tree):
    first, second = roll(tree.cell_a1, 2)
    RatingFactory(member=first, year=2024, level=RatingLevel.GOOD)
    text = (
        "Số thẻ đảng viên,Năm,Xếp loại\n"
        f"{second.card_number},2024,HTTNV\n"
        f"{first.card_number},2024,Hoàn thành xuất sắc nhiệm vụ\n"
    )
    report = upload(secretary, "ratings", text).context["report"]
    assert [(p.row, p.column) for p in report.problems] == [(3, "Năm")]
    assert "đã được xếp loại năm 2024" in report.problems[0].message
    assert Rating.objects.count() == 1
    assert Rating.objects.get().level == RatingLevel.GOOD


@pytest.mark.django_db
def test_import_refuses_the_same_member_twice_in_one_file(secretary, tree):
    (member,) = roll(tree.cell_a1, 1)
    text = f"Số thẻ đảng viên,Năm,Xếp loại\n{member.card_number},2024,HTTNV\n{member.card_number},2024,HTNV\n"
    report = upload(secretary, "ratings", text).context["report"]
    assert [(p.row, p.column) for p in report.problems] == [(3, "Năm")]
    assert not Rating.objects.exists()


@pytest.mark.django_db
def test_ratings_import_from_xlsx_records_who_entered_them(secretary, users, tree):
    (member,) = roll(tree.cell_a1, 1)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Số thẻ đảng viên", "Mã số tổ chức đảng", "Năm", "Xếp loại"])
    sheet.append([member.card_number, None, 2024, "HTXSNV"])
    sheet.append([None, tree.cell_a1.pk, 2024, "Hoàn thành tốt nhiệm vụ"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = upload(secretary, "ratings", buffer.getvalue(), name="xep-loai.xlsx").context["report"]
    assert report.ok, report.problems
    assert Rating.objects.get(member=member).level == RatingLevel.EXCELLENT
    assert Rating.objects.get(organization=tree.cell_a1).recorded_by == users.secretary_a1


@pytest.mark.django_db
def test_a_bad_level_and_a_missing_column_are_explained_in_vietnamese(secretary, tree):
    (member,) = roll(tree.cell_a1, 1)
    report = upload(
        secretary, "ratings", f"Số thẻ đảng viên,Năm,Xếp loại\n{member.card_number},2024,Tốt lắm\n"
    ).context["report"]
    assert [(p.row, p.column) for p in report.problems] == [(2, "Xếp loại")]
    assert "không hợp lệ" in report.problems[0].message
    report = upload(secretary, "ratings", f"Số thẻ đảng viên,Năm\n{member.card_number},2024\n").context["report"]
    assert report.problems[0].column == "Xếp loại" and "Thiếu cột" in report.problems[0].message


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["members", "memberships", "ratings"])
def test_templates_have_vietnamese_headers_and_an_example_row(secretary, kind):
    response = secretary.get(reverse("registry:import_template", args=[kind, "xlsx"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert "Số thẻ đảng viên" in rows[0]
    csv = secretary.get(reverse("registry:import_template", args=[kind, "csv"])).content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Số thẻ đảng viên")


@pytest.mark.django_db
def test_the_member_template_filled_in_imports_cleanly(secretary, tree):
    content = secretary.get(reverse("registry:import_template", args=["members", "csv"])).content
    report = upload(secretary, "members", content, name="mau.csv").context["report"]
    assert report.ok, report.problems
    assert Member.objects.get(card_number="01234567").memberships.get().cell == tree.cell_a1


@pytest.mark.django_db
def test_an_export_reimports_as_an_update(secretary, tree):
    (member,) = roll(tree.cell_a1, 1)
    content = secretary.get(reverse("registry:export", args=["members", "xlsx"])).content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["Số thẻ đảng viên", "Họ và tên"]
    sheet.cell(row=2, column=2, value="Tên đã sửa")
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    report = upload(secretary, "members", buffer.getvalue(), name="dv.xlsx").context["report"]
    assert report.ok, report.problems
    assert report.updated == 1
    member.refresh_from_db()
    assert member.full_name == "Tên đã sửa"
