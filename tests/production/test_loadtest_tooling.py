"""The province load test's tooling (issue 13), without running locust.

* loadtest/accounts.py: each simulated secretary is its own account appointed to its own
  cell (so no two users file for the same cell), and running it again changes nothing;
* loadtest/common.py post_outcome: a write counts only when the portal redirected to the
  record; a form shown again with its errors (200) is a failure, with the first error message
  (issue 13: "a write counts only when it was saved ... never when the form came back with errors");
* loadtest/verify.py compare: a write locust counted that is not in the database is reported.
"""

import pytest
from django.urls import reverse

from criteria import demo as criteria_demo
from evaluations.models import Meeting
from loadtest.accounts import PREFIX, ensure_accounts, ensure_registrations
from loadtest.common import first_error, post_outcome
from loadtest.verify import compare, found_counts
from recognition.models import Registration, State
from registry.models import Appointment, OrganizationKind, Role
from registry.scoping import FILE_MONTHLY, can
from tests.evaluations.factories import members_on
from tests.factories import BlockFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    """Province > 2 blocks > (a grassroots committee of 3 subordinate cells, 2 grassroots cells),
    every cell with 3 members on its roll, and one empty cell (no members: no secretary for it)."""
    root = BlockFactory(name="Tỉnh ủy", parent=None)
    cells = []
    for b in range(2):
        block = BlockFactory(name=f"Đảng bộ Khối {b + 1}", parent=root)
        committee = OrganizationFactory(kind=OrganizationKind.GRASSROOTS_COMMITTEE, parent=block)
        cells += [OrganizationFactory(kind=OrganizationKind.SUBORDINATE_CELL, parent=committee) for _ in range(3)]
        cells += [OrganizationFactory(kind=OrganizationKind.GRASSROOTS_CELL, parent=block) for _ in range(2)]
    for cell in cells:
        for _ in range(3):
            MembershipFactory(cell=cell)
    empty = OrganizationFactory(kind=OrganizationKind.GRASSROOTS_CELL, parent=root.children.first())
    return type("Province", (), {"root": root, "cells": cells, "empty": empty})


def _appointments():
    return sorted(
        Appointment.objects.filter(user__username__startswith=PREFIX).values_list(
            "user__username", "role", "organization_id"
        )
    )


def test_each_secretary_is_appointed_to_a_different_cell(province):
    manifest = ensure_accounts(password="mat-khau-kiem-thu", secretaries=8, standing=2, grassroots_staff=2)
    secretaries = Appointment.objects.filter(user__username__startswith=f"{PREFIX}bithu-")
    assert secretaries.count() == 8
    assert set(secretaries.values_list("role", flat=True)) == {Role.CELL_SECRETARY}
    cells = list(secretaries.values_list("organization_id", flat=True))
    assert len(set(cells)) == 8  # one secretary per cell, never two for the same cell
    assert province.empty.pk not in cells  # a cell with nobody on its roll files nothing
    assert [s["cell"] for s in manifest["secretaries"]] == [
        secretaries.get(user__username=s["username"]).organization_id for s in manifest["secretaries"]
    ]
    # Each may file for its own cell and for no other secretary's cell (registry/scoping.py).
    for appointment in secretaries.select_related("user", "organization"):
        assert can(appointment.user, FILE_MONTHLY, appointment.organization)
        others = [c for c in province.cells if c.pk in cells and c.pk != appointment.organization_id]
        assert not any(can(appointment.user, FILE_MONTHLY, other) for other in others)
    # Standing members at two different blocks, plus the province's.
    standing = Appointment.objects.filter(user__username__startswith=f"{PREFIX}thuongvu-", role=Role.STANDING_COMMITTEE)
    assert standing.count() == 3
    assert len(set(standing.values_list("organization_id", flat=True))) == 3


def test_running_the_account_script_again_changes_nothing(province, django_user_model):
    first = ensure_accounts(password="mat-khau-kiem-thu", secretaries=8, standing=2, grassroots_staff=2)
    users, appointments = django_user_model.objects.count(), _appointments()
    second = ensure_accounts(password="mat-khau-kiem-thu", secretaries=8, standing=2, grassroots_staff=2)
    assert first["created"] == users  # the first run made every account
    assert second["created"] == 0
    assert django_user_model.objects.count() == users
    assert _appointments() == appointments
    assert second["secretaries"] == first["secretaries"]
    user = django_user_model.objects.get(username=f"{PREFIX}bithu-001")
    assert user.check_password("mat-khau-kiem-thu")


def test_registrations_wait_for_the_standing_committee_and_are_topped_up_not_duplicated(province):
    criteria_demo.populate()  # the seed plans (fixtures/plans.json): the model-cell plan runs to 2025
    manifest = ensure_registrations(
        ensure_accounts(password="x", secretaries=4, standing=2, grassroots_staff=2), per_block=2
    )
    waiting = Registration.objects.filter(state=State.APPRAISED_BOARD)
    assert waiting.count() == 4
    for standing in manifest["standing"]:
        assert len(standing["registrations"]) == 2
        assert set(waiting.filter(pk__in=standing["registrations"]).values_list("authority_id", flat=True)) == {
            standing["org"]
        }  # each standing member decides only registrations of its own block
    again = ensure_registrations(
        ensure_accounts(password="x", secretaries=4, standing=2, grassroots_staff=2), per_block=2
    )
    assert again["registrations_created"] == 0
    assert Registration.objects.count() == 4


# --------------------------------------------------------------------------- judging a POST


@pytest.fixture
def filing(client, tree, users):
    members = members_on(tree.cell_a1, 5)
    client.force_login(users.secretary_a1)
    data = {
        "date": "05/03/2025",
        "start_time": "14:00",
        "end_time": "16:00",
        "kind": "regular",
        "votes_for": "5",
        "votes_against": "0",
        **{f"att-{m.pk}": "present" for m in members},
    }
    return client, data, reverse("evaluations:meeting_create", args=[tree.cell_a1.pk])


MEETING = r"^/meetings/\d+/$"


def test_a_form_shown_again_with_errors_is_a_failure_with_its_first_message(filing):
    client, data, url = filing
    response = client.post(url, {**data, "votes_for": "200"})
    assert response.status_code == 200  # the portal shows the form again
    outcome = post_outcome(response.status_code, response.get("Location", ""), MEETING, response.content.decode())
    assert not outcome.saved
    assert "Số phiếu tán thành (200) vượt số đảng viên có mặt (5)." in outcome.reason
    assert not Meeting.objects.exists()


def test_a_redirect_to_the_record_is_a_saved_write(filing):
    client, data, url = filing
    response = client.post(url, data)
    outcome = post_outcome(response.status_code, response["Location"], MEETING, "")
    meeting = Meeting.objects.get()
    assert outcome.saved
    assert outcome.record == f"/meetings/{meeting.pk}/"


def test_a_redirect_elsewhere_or_an_error_status_is_not_a_saved_write():
    assert not post_outcome(302, "/meetings/cell/7/", MEETING).saved  # "being saved": sent back to the cell
    assert not post_outcome(302, "/accounts/login/?next=/meetings/cell/7/new/", MEETING).saved
    assert not post_outcome(500, "", MEETING, "<h1>Lỗi</h1>").saved
    refused = post_outcome(409, "", r"^/recognition/r/3/$", '<ul class="messages"><li class="msg-error">Không thể '
                           "“Công nhận” khi đăng ký đang ở trạng thái “Đã công nhận”.</li></ul>")  # fmt: skip
    assert not refused.saved
    assert "đang ở trạng thái “Đã công nhận”" in refused.reason
    assert post_outcome(302, "http://127.0.0.1:8190/meetings/12/", MEETING).saved  # an absolute Location


def test_the_first_error_message_is_read_from_a_field_error_list():
    html = '<form><ul class="errorlist"><li>Cần ghi rõ lý do công nhận dù chưa đủ điều kiện.</li></ul></form>'
    assert first_error(html) == "Cần ghi rõ lý do công nhận dù chưa đủ điều kiện."
    assert first_error("<p>Đã lưu.</p>") == ""


# --------------------------------------------------------------------------- counting what was saved


def test_a_write_counted_by_locust_but_missing_in_the_database_is_reported(filing, django_user_model):
    import datetime

    from django.utils import timezone

    since = timezone.now() - datetime.timedelta(seconds=1)
    found = found_counts(since)  # nothing written by lt- accounts yet
    rows, ok = compare({"meetings": ["/meetings/1/"], "four_goods": [], "decisions": []}, found)
    assert not ok
    assert ("meetings", 1, 0, False) in rows
    rows, ok = compare({"meetings": [], "four_goods": [], "decisions": []}, found)
    assert ok


def test_page_group_percentiles_come_from_the_merged_response_times():
    from loadtest.summary import group_table, percentile

    histogram = {"50": 9, "900": 1}  # nine answers in 50 ms, one in 900 ms (as JSON keeps locust's buckets)
    assert percentile(histogram, 0.50) == 50
    assert percentile(histogram, 0.95) == 900  # the 10th of 10 answers: one slow page in ten shows at p95
    table = group_table({"dashboard": {"histogram": histogram, "requests": 10, "failures": 1, "max": 912.4}})
    assert table == [("dashboard", 10, 1, 50, 900, 912)]
