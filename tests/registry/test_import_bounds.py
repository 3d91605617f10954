"""Imports are bounded and all-or-nothing (issue 10 hole 7).

A file over settings.IMPORT_MAX_ROWS rows or unpacking to more than
settings.IMPORT_MAX_UNCOMPRESSED_BYTES is refused with a Vietnamese reason before any
row is read into the database; the same card number twice in one file is a row error
naming both rows. Nothing of a refused file is written, on the page and in the admin.
"""

import io
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.models import Member, Membership

HEADER = "Số thẻ đảng viên,Họ và tên,Giới tính,Mã số chi bộ,Sinh hoạt từ ngày\n"


def _upload(client, kind, data, name):
    return client.post(reverse("registry:import"), {"kind": kind, "file": SimpleUploadedFile(name, data)})


@pytest.fixture
def secretary(client, users):
    client.force_login(users.secretary_a1)
    return client


def _members_csv(tree, count):
    lines = [f"9{n:07d},Nguyễn Văn {n},Nam,{tree.cell_a1.pk},1/1/2024\n" for n in range(count)]
    return (HEADER + "".join(lines)).encode("utf-8")


def _bomb_xlsx(cell_bytes):
    """A valid workbook whose one cell holds `cell_bytes` characters: small on disk, huge unpacked."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["Số thẻ đảng viên", "Họ và tên", "Giới tính"])
    workbook.active.append(["90000001", "PLACEHOLDER", "Nam"])
    plain = io.BytesIO()
    workbook.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if b"PLACEHOLDER" not in data:
                target.writestr(info, data)
                continue
            before, after = data.split(b"PLACEHOLDER")
            with target.open(info.filename, "w", force_zip64=True) as part:
                part.write(before)
                chunk = b"A" * (1024 * 1024)
                for _ in range(cell_bytes // len(chunk)):
                    part.write(chunk)
                part.write(after)
    return out.getvalue()


@pytest.mark.django_db
def test_a_file_over_the_row_limit_is_refused_before_any_row_is_written(secretary, tree, settings):
    assert settings.IMPORT_MAX_ROWS == 5000  # the default the README names
    response = _upload(secretary, "members", _members_csv(tree, 5001), "dv.csv")
    (problem,) = response.context["report"].problems
    assert "hơn 5.000 dòng" in problem.message and "không dòng nào được ghi" in problem.message
    assert "hơn 5.000 dòng" in response.content.decode()
    assert not Member.objects.exists() and not Membership.objects.exists()


@pytest.mark.django_db
def test_the_row_limit_follows_the_setting_and_a_file_at_the_limit_imports(secretary, tree, settings):
    settings.IMPORT_MAX_ROWS = 3
    refused = _upload(secretary, "members", _members_csv(tree, 4), "dv.csv").context["report"]
    assert not refused.ok and "hơn 3 dòng" in refused.problems[0].message
    assert not Member.objects.exists()
    report = _upload(secretary, "members", _members_csv(tree, 3), "dv.csv").context["report"]
    assert report.ok, report.problems
    assert Member.objects.count() == 3


@pytest.mark.django_db
def test_a_small_xlsx_holding_a_300_mb_cell_is_refused_without_being_unpacked(secretary, tree, monkeypatch):
    data = _bomb_xlsx(300 * 1024 * 1024)
    assert len(data) < 1024 * 1024  # well under the 5 MB upload limit

    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open a file over the size limit")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    tracemalloc.start()
    response = _upload(secretary, "members", data, "dv.xlsx")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    (problem,) = response.context["report"].problems
    assert "Tệp quá lớn" in problem.message and "300,0 MB" in problem.message and "20,0 MB" in problem.message
    assert peak < 30 * 1024 * 1024
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_the_same_card_number_twice_in_a_file_is_refused_naming_both_rows(secretary, tree):
    text = (
        HEADER
        + f"90000001,Nguyễn Văn An,Nam,{tree.cell_a1.pk},1/1/2024\n"
        + f"90000002,Trần Thị Bình,Nữ,{tree.cell_a1.pk},1/1/2024\n"
        + f"90000001,Nguyễn Văn Ân,Nam,{tree.cell_a1.pk},1/1/2024\n"
    )
    response = _upload(secretary, "members", text.encode("utf-8"), "dv.csv")
    problems = response.context["report"].problems
    assert [(p.row, p.column) for p in problems] == [(4, "Số thẻ đảng viên")]
    assert "Dòng 2 và dòng 4 trùng số thẻ đảng viên 90000001" in problems[0].message
    assert "Dòng 2 và dòng 4 trùng số thẻ đảng viên 90000001" in response.content.decode()
    assert not Member.objects.exists() and not Membership.objects.exists()


@pytest.mark.django_db
def test_the_same_membership_twice_in_a_file_is_refused(secretary, tree):
    from .factories import roll

    (member,) = roll(tree.cell_a1, 1)
    text = (
        "Số thẻ đảng viên,Mã số chi bộ,Từ ngày,Đến ngày\n"
        f"{member.card_number},{tree.cell_a2.pk},1/7/2024,\n"
        f"{member.card_number},{tree.cell_a2.pk},01/07/2024,31/12/2024\n"
    )
    report = _upload(secretary, "memberships", text.encode("utf-8"), "sh.csv").context["report"]
    assert any("Dòng 2 và dòng 3 trùng" in p.message for p in report.problems)
    assert not Membership.objects.filter(cell=tree.cell_a2).exists()


@pytest.fixture
def staff(client, users):
    users.secretary_a1.is_staff = True
    users.secretary_a1.save()
    client.force_login(users.secretary_a1)
    return client


def _admin_import(client, data, name, fmt):
    url = reverse("admin:registry_member_import")
    form = client.get(url).context["form"]
    index = next(str(i) for i, label in form.fields["format"].choices if str(label).lower() == fmt)
    return client.post(url, {"resource": "0", "format": index, "import_file": SimpleUploadedFile(name, data)})


@pytest.mark.django_db
def test_admin_import_refuses_the_same_card_number_twice_naming_both_rows(staff, tree):
    text = (
        HEADER
        + f"90000001,Nguyễn Văn An,Nam,{tree.cell_a1.pk},1/1/2024\n"
        + f"90000001,Nguyễn Văn Ân,Nam,{tree.cell_a1.pk},1/1/2024\n"
    )
    response = _admin_import(staff, text.encode("utf-8"), "dv.csv", "csv")
    assert "Dòng 2 và dòng 3 trùng số thẻ đảng viên 90000001" in response.content.decode()
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_admin_import_refuses_a_file_over_the_row_limit_with_the_reason(staff, tree, settings):
    settings.IMPORT_MAX_ROWS = 2
    response = _admin_import(staff, _members_csv(tree, 3), "dv.csv", "csv")
    assert not Member.objects.exists()
    assert "hơn 2 dòng" in response.content.decode()


@pytest.mark.django_db
def test_the_import_page_names_both_limits(secretary):
    page = secretary.get(reverse("registry:import")).content.decode()
    assert "Mỗi tệp tối đa 5.000 dòng dữ liệu và 20 MB khi giải nén" in page


@pytest.mark.django_db
def test_an_empty_row_between_data_rows_keeps_the_row_numbers_of_the_spreadsheet(secretary, tree):
    text = (
        HEADER
        + f"90000001,Nguyễn Văn An,Nam,{tree.cell_a1.pk},1/1/2024\n"
        + ",,,,\n"
        + f"90000001,Nguyễn Văn Ân,Nam,{tree.cell_a1.pk},1/1/2024\n"
        + ",,,,\n"
    )
    problems = _upload(secretary, "members", text.encode("utf-8"), "dv.csv").context["report"].problems
    assert [p.row for p in problems] == [4]
    assert "Dòng 2 và dòng 4 trùng" in problems[0].message
    good = HEADER + f"90000001,Nguyễn Văn An,Nam,{tree.cell_a1.pk},1/1/2024\n,,,,\n"
    report = _upload(secretary, "members", good.encode("utf-8"), "dv.csv").context["report"]
    assert report.ok and report.new == 1
