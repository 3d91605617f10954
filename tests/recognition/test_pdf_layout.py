"""Layout of the party documents, measured in the PDF (issue 11, "Documents"; SCHEMES §5).

A decision's closing block — the last article, "Nơi nhận" and the signature "T/M BAN
THƯỜNG VỤ … signer" — is one unit: it never lands alone on a page of its own and never
splits, and a decision that fits on one page stays on one page. The yearly recognition
list carries the party-document heading (issuer, "ĐẢNG CỘNG SẢN VIỆT NAM", place and
date, title) and a signature block like the decision's (Hướng dẫn 36-HD/VPTW).
"""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from recognition import services
from recognition.models import Decision, Registration, State
from tests.factories import OrganizationFactory

from .conftest import OVERRIDE_REASON, advance

pdfplumber = pytest.importorskip("pdfplumber")

pytestmark = pytest.mark.django_db

SIGNER = "Nguyễn Văn Khánh"
# Each repetition is about three lines of the decision: one to eight of them move the end of
# the body through the last quarter of page 1 and past it, the range where a closing block
# that is not kept together lands alone, or half, on page 2.
REASON = (
    "Chi bộ có đảng viên bị kỷ luật trong năm đánh giá; kết quả kiểm tra cho thấy chi bộ chưa "
    "thực hiện nghiêm nguyên tắc tập trung dân chủ, sinh hoạt chưa đều đặn và chưa kịp thời báo cáo. "
)


def _flat(text):
    return " ".join((text or "").split())


def _pages(pdf_bytes):
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        return [
            {
                "text": _flat(page.extract_text()),
                "hits": {
                    phrase: page.search(phrase, regex=False)
                    for phrase in ("Nơi nhận:", "T/M BAN THƯỜNG VỤ", SIGNER, "Điều 3.", "DANH SÁCH")
                },
            }
            for page in pdf.pages
        ]


def _page_of(pages, phrase):
    found = [i for i, page in enumerate(pages) if phrase in page["text"]]
    assert found, phrase
    return found[0]


def _recognized(users, plans, org, year=2024):
    registration = services.registration_create(user=users.admin, plan=plans.four_goods, year=year, organization=org)
    return advance(registration, State.APPRAISED_BOARD, users.admin)


def _revocation_pdf(tree, users, plans, reason):
    registration = _recognized(users, plans, tree.cell_b)
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
        comment=reason,
        issued_on=datetime.date(2025, 9, 2),
        signer_name=SIGNER,
        render=False,
    )
    registration.refresh_from_db()
    decision = registration.revocation_decision
    services.decision_render_pdf(decision=decision)
    with decision.pdf.open("rb") as handle:
        return _pages(handle.read())


def _assert_closing_block_together(pages):
    """ "Nơi nhận" and "T/M BAN THƯỜNG VỤ" side by side on one page, the signer under them,
    and the last article above them on that same page."""
    page_index = _page_of(pages, "Nơi nhận:")
    page = pages[page_index]
    assert _page_of(pages, "T/M BAN THƯỜNG VỤ") == page_index
    assert _page_of(pages, SIGNER) == page_index
    (recipients,) = page["hits"]["Nơi nhận:"]
    (signature,) = page["hits"]["T/M BAN THƯỜNG VỤ"]
    assert abs(recipients["top"] - signature["top"]) < 3  # one row: recipients left, signature right
    assert page["hits"][SIGNER][0]["top"] > signature["bottom"]
    # The page holds body text: the last article, above the closing block.
    assert "Quyết định có hiệu lực kể từ ngày ký." in page["text"]
    last_article = [hit for hit in page["hits"]["Điều 3."] if hit["top"] < recipients["top"]]
    assert last_article, "the last article must stay on the page of the signature"
    return page_index


def test_a_one_page_revocation_stays_on_one_page_with_its_signature(tree, users, plans):
    pages = _revocation_pdf(tree, users, plans, "Chi bộ có đảng viên bị kỷ luật trong năm đánh giá.")
    assert len(pages) == 1
    assert _assert_closing_block_together(pages) == 0
    assert "Căn cứ Điều lệ Đảng Cộng sản Việt Nam" in pages[0]["text"]


@pytest.mark.parametrize("repeat", [1, 2, 3, 4, 5, 6, 8])
def test_a_long_revocation_never_leaves_nơi_nhận_and_the_signer_alone_on_a_page(tree, users, plans, repeat):
    """Whatever the length of the reason, the closing block keeps the last article with it."""
    pages = _revocation_pdf(tree, users, plans, REASON * repeat)
    assert len(pages) <= 2
    index = _assert_closing_block_together(pages)
    if len(pages) == 2:
        assert index == 1
        assert "Hủy bỏ Quyết định số 1-QĐ/ĐUK" in pages[0]["text"]  # page 1 still opens the decision


def test_some_reason_length_spills_to_a_second_page(tree, users, plans):
    """The parametrized lengths do reach the two-page case the layout rule is about."""
    pages = _revocation_pdf(tree, users, plans, REASON * 3)
    assert len(pages) == 2
    assert _assert_closing_block_together(pages) == 1


def test_the_collective_four_goods_decision_signs_before_its_annex(tree, users, plans):
    """The 2024 four-goods decision: body and signature together, the list on its own page."""
    cells = [tree.cell_b] + [OrganizationFactory(name=f"Chi bộ Trường THPT số {i}", parent=tree.block) for i in (1, 2)]
    registrations = [_recognized(users, plans, cell) for cell in cells]
    conference = services.conference_create(
        user=users.standing,
        authority=tree.block,
        plan=plans.four_goods,
        year=2024,
        held_on=datetime.date(2025, 2, 14),
        signer_name=SIGNER,
    )
    services.conference_decide(
        conference=conference,
        user=users.standing,
        recognize=registrations,
        overrides={r.pk: OVERRIDE_REASON for r in registrations},
    )
    Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(commended=True)
    services.conference_generate_decisions(conference=conference, user=users.standing)
    decision = Decision.objects.get()
    services.decision_render_pdf(decision=decision)
    with decision.pdf.open("rb") as handle:
        pages = _pages(handle.read())
    signature_page = _assert_closing_block_together(pages)
    annex_page = next(i for i, page in enumerate(pages) if page["text"].startswith("DANH SÁCH"))
    assert signature_page < annex_page
    assert "Chi bộ Trường THPT số 2" in pages[annex_page]["text"]


def test_the_recognition_list_pdf_has_the_party_heading_title_issuer_and_signature(tree, users, plans, client):
    recognized = []
    for cell in (tree.cell_b, OrganizationFactory(name="Chi bộ Sở Nội vụ", parent=tree.block)):
        registration = _recognized(users, plans, cell)
        services.registration_recognize(
            override_reason=OVERRIDE_REASON,
            registration=registration,
            user=users.standing,
            issued_on=datetime.date(2025, 2, 20),
            signer_title="PHÓ BÍ THƯ",
            signer_name="Hoàng Thị Lan",
            render=False,
        )
        recognized.append(cell)
    client.force_login(users.standing)
    with time_machine.travel("2025-03-05 09:00 +0700", tick=False):
        response = client.get(
            reverse("recognition:recognition_lists"),
            {"scheme": "four_goods", "year": 2024, "organization": tree.block.pk, "format": "pdf"},
        )
    assert response["Content-Type"] == "application/pdf"
    pages = _pages(response.content)
    text = " ".join(page["text"] for page in pages)
    # Heading: the province above a root issuer, the issuer (Đảng ủy for a Đảng bộ), the party,
    # place and the Vietnamese date of the day it is printed.
    assert "ĐẢNG BỘ TỈNH YÊN BÁI" in text
    assert "ĐẢNG ỦY KHỐI CƠ QUAN VÀ" in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "Yên Bái, ngày 5 tháng 3 năm 2025" in text
    assert "-DS/ĐU" in text
    # Title and subject, then the rows with their decisions in dd/mm/yyyy.
    assert "DANH SÁCH" in text
    assert "Các tổ chức đảng, mô hình, cá nhân đạt “bốn tốt” năm 2024" in text
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        rows = [[_flat(cell) for cell in row] for page in pdf.pages for table in page.extract_tables() for row in table]
    assert rows[0][:4] == ["STT", "Tổ chức, mô hình, cá nhân", "Đơn vị", "Số quyết định"]
    assert {row[1] for row in rows[1:]} == {cell.name for cell in recognized}
    assert {row[3] for row in rows[1:]} == {"1-QĐ/ĐUK, 20/02/2025", "2-QĐ/ĐUK, 20/02/2025"}
    # Signature block: for the standing committee, the title and name of the issuer's signer.
    assert "Nơi nhận:" in text and "Lưu Văn phòng Đảng ủy Khối cơ quan và doanh nghiệp tỉnh" in text
    assert "T/M BAN THƯỜNG VỤ" in text and "PHÓ BÍ THƯ" in text and "Hoàng Thị Lan" in text
    assert "\ufffd" not in text
    last = pages[-1]
    assert last["hits"]["Nơi nhận:"] and last["hits"]["T/M BAN THƯỜNG VỤ"]
    assert abs(last["hits"]["Nơi nhận:"][0]["top"] - last["hits"]["T/M BAN THƯỜNG VỤ"][0]["top"]) < 3
