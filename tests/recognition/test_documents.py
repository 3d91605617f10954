"""Decision PDFs as party documents, conference generation, lists and reports (SCHEMES §4.1, §5)."""

import datetime
import io
import shutil
import subprocess
import tempfile

import openpyxl
import pytest
from django.urls import reverse

from recognition import services
from recognition.models import Decision, GenerationState, State, SubjectKind
from tests.factories import MemberFactory, MembershipFactory, OrganizationFactory

from .conftest import OVERRIDE_REASON, advance

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


def _pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _recognized(tree, users, plans, org, scheme="four_goods", year=2024, **kwargs):
    registration = services.registration_create(
        user=users.admin, plan=getattr(plans, scheme), year=year, organization=org, **kwargs
    )
    return advance(registration, State.APPRAISED_BOARD, users.admin)


@needs_poppler
@pytest.mark.django_db
def test_a_single_decision_pdf_holds_number_date_issuer_subject_and_intact_vietnamese(tree, users, plans):
    registration = _recognized(tree, users, plans, tree.cell_b, scheme="model_cell", year=2025)
    services.registration_recognize(
        override_reason=OVERRIDE_REASON,
        registration=registration,
        user=users.standing,
        issued_on=datetime.date(2025, 3, 20),
        signer_name="Nguyễn Văn Khánh",
        render=False,
    )
    decision = Decision.objects.get()
    services.decision_render_pdf(decision=decision)
    text = _pdf_text(decision.pdf.path)
    flat = " ".join(text.split())
    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 1-QĐ/ĐUK",
        "Yên Bái, ngày 20 tháng 3 năm 2025",
        "QUYẾT ĐỊNH",
        "Công nhận chi bộ kiểu mẫu năm 2025",
        "Căn cứ Điều lệ Đảng Cộng sản Việt Nam",
        "Xét đề nghị của Ban Tổ chức",
        "Điều 1.",
        "Điều 2.",
        "Điều 3.",
        "Chi bộ Ban Dân tộc",
        "Nơi nhận:",
        "Lưu Văn phòng",
        "T/M BAN THƯỜNG VỤ",
        "BÍ THƯ",
        "Nguyễn Văn Khánh",
    ):
        assert expected in flat, expected
    assert "ĐẢNG ỦY KHỐI CƠ QUAN VÀ" in text  # the issuer in capitals, tone marks intact
    assert "\ufffd" not in text
    fonts = subprocess.run(["pdffonts", decision.pdf.path], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("Liberation" in row[0] or "Times" in row[0] for row in rows)
    assert all(row[-5] == "yes" for row in rows), fonts  # "emb" column


@needs_poppler
@pytest.mark.django_db
def test_a_collective_decision_has_an_annex_table_of_every_recognized_subject(tree, users, plans):
    cells = [tree.cell_b] + [OrganizationFactory(name=f"Chi bộ Trường THPT số {i}", parent=tree.block) for i in (1, 2)]
    registrations = [_recognized(tree, users, plans, cell) for cell in cells]
    conference = services.conference_create(
        user=users.standing,
        authority=tree.block,
        plan=plans.four_goods,
        year=2024,
        held_on=datetime.date(2025, 2, 14),
        signer_title="PHÓ BÍ THƯ",
        signer_name="Hoàng Thị Lan",
    )
    done, errors = services.conference_decide(
        conference=conference,
        user=users.standing,
        recognize=registrations,
        overrides={r.pk: OVERRIDE_REASON for r in registrations},
    )
    assert (len(done), errors) == (3, [])
    services.conference_generate_decisions(conference=conference, user=users.standing)
    conference.refresh_from_db()
    assert conference.progress()["state"] == GenerationState.DONE
    assert (conference.generation_done, conference.generation_total) == (1, 1)
    decision = Decision.objects.get()
    assert decision.kind == "collective"
    flat = " ".join(_pdf_text(decision.pdf.path).split())
    assert "DANH SÁCH" in flat and "có danh sách kèm theo" in flat
    assert "Kèm theo Quyết định số 1-QĐ/ĐUK" in flat
    assert "Căn cứ kết luận của Hội nghị Ban Thường vụ" in flat
    for cell in cells:
        assert cell.name in flat
    assert "PHÓ BÍ THƯ" in flat and "Hoàng Thị Lan" in flat
    # Re-running is idempotent: no new decision, no new number, the same file.
    pdf_name = decision.pdf.name
    services.conference_generate_decisions(conference=conference, user=users.standing)
    assert Decision.objects.count() == 1
    decision.refresh_from_db()
    assert decision.pdf.name == pdf_name


@needs_poppler
@pytest.mark.django_db
def test_a_revocation_decision_names_the_revoked_decision_and_the_reason(tree, users, plans):
    registration = _recognized(tree, users, plans, tree.cell_b)
    services.registration_recognize(
        override_reason=OVERRIDE_REASON,
        registration=registration,
        user=users.standing,
        issued_on=datetime.date(2025, 3, 20),
        render=False,
    )
    services.registration_revoke(
        registration=registration,
        user=users.standing,
        comment="Chi bộ có đảng viên bị kỷ luật trong năm đánh giá.",
        issued_on=datetime.date(2025, 9, 2),
        render=False,
    )
    registration.refresh_from_db()
    decision = registration.revocation_decision
    services.decision_render_pdf(decision=decision)
    flat = " ".join(_pdf_text(decision.pdf.path).split())
    assert "Số 2-QĐ/ĐUK" in flat and "Yên Bái, ngày 02 tháng 9 năm 2025" not in flat
    assert "Yên Bái, ngày 2 tháng 9 năm 2025" in flat
    assert "Hủy bỏ Quyết định số 1-QĐ/ĐUK" in flat
    assert "Chi bộ có đảng viên bị kỷ luật trong năm đánh giá." in flat


@pytest.mark.django_db
def test_the_conference_page_issues_decisions_through_the_task_and_reports_progress(
    tree, users, plans, client, django_capture_on_commit_callbacks
):
    registrations = [_recognized(tree, users, plans, tree.cell_b)]
    conference = services.conference_create(
        user=users.standing, authority=tree.block, plan=plans.four_goods, year=2024, held_on=datetime.date(2025, 2, 14)
    )
    client.force_login(users.standing)
    url = reverse("recognition:conference_detail", args=[conference.pk])
    page = client.get(url)
    assert registrations[0].subject_name in page.content.decode()
    client.post(url, {"recognize": [str(registrations[0].pk)], f"override_{registrations[0].pk}": OVERRIDE_REASON})
    registrations[0].refresh_from_db()
    assert registrations[0].state == State.RECOGNIZED and registrations[0].decision is None
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("recognition:conference_issue", args=[conference.pk]))
    status = client.get(reverse("recognition:conference_status", args=[conference.pk])).json()
    assert status["state"] == "done" and status["percent"] == 100
    assert status["decisions"][0]["number"] == "1-QĐ/ĐUK" and status["decisions"][0]["pdf"]
    decision = Decision.objects.get()
    response = client.get(reverse("recognition:decision_pdf", args=[decision.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_decision_pdfs_are_served_only_in_scope(tree, users, plans, client):
    registration = _recognized(tree, users, plans, tree.cell_b)
    services.registration_recognize(
        override_reason=OVERRIDE_REASON, registration=registration, user=users.standing, render=False
    )
    decision = Decision.objects.get()
    services.decision_render_pdf(decision=decision)
    url = reverse("recognition:decision_pdf", args=[decision.pk])
    client.force_login(users.secretary_b)  # the recognized cell sees its decision
    assert client.get(url).status_code == 200
    client.force_login(users.secretary_a1)  # another cell does not
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_yearly_recognition_list_exports_xlsx_csv_and_pdf_with_vietnamese_headers(tree, users, plans, client):
    for cell in (tree.cell_b, OrganizationFactory(name="Chi bộ Sở Nội vụ", parent=tree.block)):
        services.registration_recognize(
            override_reason=OVERRIDE_REASON,
            registration=_recognized(tree, users, plans, cell),
            user=users.standing,
            render=False,
        )
    client.force_login(users.standing)
    url = reverse("recognition:recognition_lists")
    base = {"scheme": "four_goods", "year": 2024, "organization": tree.block.pk}
    xlsx = client.get(url, {**base, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("STT", "Tổ chức, mô hình, cá nhân", "Loại đối tượng", "Đơn vị")
    assert {r[1] for r in rows[1:]} == {"Chi bộ Ban Dân tộc", "Chi bộ Sở Nội vụ"}
    csv = client.get(url, {**base, "format": "csv"}).content.decode("utf-8-sig")
    header = csv.splitlines()[0]
    assert header.startswith("STT,") and "Số quyết định" in header
    assert "1-QĐ/ĐUK" in csv
    pdf = client.get(url, {**base, "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    client.force_login(users.secretary_a1)  # out of scope: nothing of cell B
    xlsx = client.get(url, {"scheme": "four_goods", "year": 2024, "format": "xlsx"})
    assert len(list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.values)) == 1


@needs_poppler
@pytest.mark.django_db
def test_the_exemplary_registration_report_lists_models_and_individuals_as_pdf_and_xlsx(tree, users, plans, client):
    member = MemberFactory(full_name="Lê Văn Bình")
    MembershipFactory(member=member, cell=tree.cell_a1)
    services.registration_create(
        user=users.committee_staff_a,
        plan=plans.exemplary,
        year=2021,
        organization=tree.committee_a,
        subject_kind=SubjectKind.MODEL,
        model_name="Mô hình “Dân vận khéo” trong thu ngân sách",
        model_type=7,
    )
    services.registration_create(
        user=users.committee_staff_a,
        plan=plans.exemplary,
        year=2021,
        organization=tree.cell_a1,
        subject_kind=SubjectKind.MEMBER,
        member=member,
        member_position="Phó Trưởng phòng",
        registrant=tree.committee_a,
    )
    client.force_login(users.committee_staff_a)
    url = reverse("recognition:registration_report")
    query = {"plan": plans.exemplary.pk, "organization": tree.committee_a.pk, "phase": "2021-2023"}
    pdf = client.get(url, {**query, "format": "pdf"})
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf.content)
        handle.flush()
        flat = " ".join(_pdf_text(handle.name).split())
    assert "BÁO CÁO" in flat and "giai đoạn 2021-2023" in flat
    assert "Mô hình “Dân vận khéo” trong thu ngân sách" in flat and "Đảng bộ Sở Tài chính" in flat
    assert "Lê Văn Bình, Phó Trưởng phòng" in flat
    assert "Ban Tuyên giáo" in flat and "T/M BAN THƯỜNG VỤ" in flat
    xlsx = client.get(url, {**query, "format": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert rows[0][:3] == ("STT", "Loại", "Tên mô hình / Họ và tên")
    assert {r[2] for r in rows[1:]} == {"Mô hình “Dân vận khéo” trong thu ngân sách", "Lê Văn Bình"}
