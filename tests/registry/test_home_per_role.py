"""The start page per role (issue 11): it starts from the work.

- a secretary sees, for her cell, last month's and this month's missing meeting record and
  four-goods self-assessment [SCHEMES §1.1 G2, §2.2 T1–T2: one regular meeting and one
  self-assessment each month], and for each scheme what the cell still lacks;
- grassroots staff see how many of their cells have not filed last month's record;
- appraisers and the standing committee see the registrations waiting for them (SCHEMES §5).

The page is recognition.home.home, served at "/" (config/urls.py), so the whole middleware
stack, CSP included, runs.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from criteria.models import Scheme
from evaluations.models import AttendeeAssignment, FourGoodsAssessment
from evaluations.selectors import previous_month
from recognition import services as recognition_services
from tests.evaluations.factories import file_meeting, members_on
from tests.factories import OrganizationFactory, UserFactory, appoint
from tests.recognition.conftest import make_plan

pytestmark = [pytest.mark.django_db]


def _months():
    today = timezone.localdate()
    last = previous_month(today)
    return today, last, (today.year, today.month)


def _home(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _last_month_day(last):
    return datetime.date(last[0], last[1], 10)


def test_the_secretary_sees_both_months_missing_record_and_self_assessment(client, tree, users):
    today, last, this = _months()
    html = _home(client, users.secretary_a1)
    for year, month in (last, this):
        assert f"Tháng {month}/{year} chưa có biên bản sinh hoạt" in html
        assert f"Tháng {month}/{year} chưa có bản tự đánh giá “Bốn tốt”" in html
        assert f"/four-goods/{tree.cell_a1.pk}/{year}/{month}/" in html
    assert f"/meetings/cell/{tree.cell_a1.pk}/new/" in html
    # Only her own cell: the other secretary's cell is not on her page.
    assert tree.cell_a1.name in html
    assert tree.cell_b.name not in html


def test_a_filed_month_leaves_the_secretarys_list(client, tree, users):
    today, last, this = _months()
    members = members_on(tree.cell_a1, 5)
    file_meeting(users.secretary_a1, tree.cell_a1, members, _last_month_day(last))
    FourGoodsAssessment.objects.create(organization=tree.cell_a1, year=last[0], month=last[1], score=90, passed=True)
    html = _home(client, users.secretary_a1)
    assert f"Tháng {last[1]}/{last[0]} chưa có biên bản sinh hoạt" not in html
    assert f"Tháng {last[1]}/{last[0]} chưa có bản tự đánh giá" not in html
    assert f"Tháng {this[1]}/{this[0]} chưa có biên bản sinh hoạt" in html


def test_the_secretary_sees_each_scheme_with_what_the_cell_still_lacks(client, tree, users):
    html = _home(client, users.secretary_a1)
    assert "Còn phải làm theo từng danh hiệu" in html
    for scheme in (Scheme.MODEL_CELL, Scheme.MEETING_QUALITY, Scheme.FOUR_GOODS, Scheme.EXEMPLARY):
        assert str(Scheme(scheme).label) in html
    # A cell with no meeting and no rating cannot be eligible: the engine's reasons are listed.
    assert "chưa đạt" in html or "thiếu dữ liệu" in html


def test_grassroots_staff_see_how_many_cells_have_not_filed_last_month(client, tree, users):
    today, last, this = _months()
    html = _home(client, users.committee_staff_a)
    assert f"2/2 chi bộ chưa có biên bản tháng {last[1]}/{last[0]}" in html
    assert f"/meetings/committee/{tree.committee_a.pk}/" in html
    file_meeting(users.secretary_a1, tree.cell_a1, members_on(tree.cell_a1, 3), _last_month_day(last))
    html = _home(client, users.committee_staff_a)
    assert f"1/2 chi bộ chưa có biên bản tháng {last[1]}/{last[0]}" in html
    # The cells they lock are their queue, not a secretary's to-do list.
    assert "chưa có bản tự đánh giá" not in html


def test_appraisers_see_the_registrations_waiting_for_them(client, tree, users):
    plan = make_plan("four_goods", tree.block)
    year = min(max(timezone.localdate().year - 1, plan.period_start_year), plan.period_end_year)
    for cell in (tree.cell_a1, tree.cell_a2):
        registration = recognition_services.registration_create(
            user=users.admin, plan=plan, year=year, organization=cell
        )
        recognition_services.registration_submit(registration=registration, user=users.admin)
    html = _home(client, users.committee_staff_a)
    assert "Đăng ký chờ bạn xử lý" in html
    assert "Đã gửi đăng ký: 2" in html
    assert "/recognition/queue/?state=submitted" in html
    # The secretary registers but does not appraise: nothing waits for her.
    assert "Đăng ký chờ bạn xử lý" not in _home(client, users.secretary_a1)


def test_an_assigned_attendee_and_the_secretary_see_the_report_still_due(client, tree, users):
    today, last, this = _months()
    day = _last_month_day(last)
    AttendeeAssignment.objects.create(
        user=users.attendee, cell=tree.cell_a1, start_date=datetime.date(last[0], last[1], 1), end_date=today
    )
    meeting = file_meeting(users.secretary_a1, tree.cell_a1, members_on(tree.cell_a1, 4), day)
    shown = f"{day.day:02d}/{day.month:02d}/{day.year}"  # dd/mm/yyyy (issue 11)
    html = _home(client, users.attendee)
    assert f"Viết báo cáo dự sinh hoạt: {tree.cell_a1.name}, ngày {shown}" in html
    assert f"/meetings/{meeting.pk}/report/" in html
    assert f"Buổi sinh hoạt ngày {shown} chờ báo cáo của cán bộ dự sinh hoạt" in _home(client, users.secretary_a1)
    # The other cell has no attendee assigned: nothing waits there.
    assert "chờ báo cáo" not in _home(client, users.secretary_b)


def test_the_secretary_sees_the_plans_registration_deadline_still_ahead(client, tree, users):
    plan = make_plan("exemplary", tree.block)
    plan.issued_on = timezone.localdate()  # the newest plan of the scheme is the one in force
    plan.params = {**plan.params, "registration": {"deadline": "12-31"}}
    plan.save()
    year = timezone.localdate().year
    html = _home(client, users.secretary_a1)
    assert "Hạn đăng ký theo kế hoạch" in html
    assert f"31/12/{year}</span> — {Scheme(Scheme.EXEMPLARY).label}" in html


def _queries_for_a_secretary_of(client, tree, count, username):
    secretary = UserFactory(username=username)
    cells = [
        OrganizationFactory(name=f"Chi bộ {username} {i}", kind="subordinate_cell", parent=tree.committee_a)
        for i in range(count)
    ]
    for cell in cells:
        appoint(secretary, cell, "cell_secretary")
        members_on(cell, 3)
    client.force_login(secretary)
    client.get("/")  # warm the per-process caches (plans, frameworks)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    assert all(cell.name in html for cell in cells)
    return len(queries)


def test_the_secretarys_home_costs_the_same_queries_for_one_cell_or_five(client, tree, users):
    one = _queries_for_a_secretary_of(client, tree, 1, "bithu_mot")
    five = _queries_for_a_secretary_of(client, tree, 5, "bithu_nam")
    assert one == five
    assert five <= 30  # measured 28 (issue 11)
