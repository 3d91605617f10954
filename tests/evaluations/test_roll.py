"""The roll at a meeting's date comes from membership history; exempted members are off it (SCHEMES §2.1)."""

import datetime

import pytest

from evaluations.selectors import roll_at
from tests.factories import MemberFactory, MembershipFactory

from .factories import attendance_for, file_meeting, members_on

pytestmark = pytest.mark.django_db


def test_roll_follows_a_transfer_and_leaves_out_an_exempted_member(tree, users):
    stays = members_on(tree.cell_a1, 3)
    moved = MemberFactory(full_name="Trần Thị Chuyển")
    MembershipFactory(
        member=moved, cell=tree.cell_a1, start_date=datetime.date(2015, 1, 1), end_date=datetime.date(2025, 3, 31)
    )
    MembershipFactory(member=moved, cell=tree.cell_a2, start_date=datetime.date(2025, 4, 1))
    exempted = MemberFactory(full_name="Lê Văn Miễn", exempted_since=datetime.date(2025, 2, 1))
    MembershipFactory(member=exempted, cell=tree.cell_a1, start_date=datetime.date(2015, 1, 1))

    january = roll_at(tree.cell_a1, datetime.date(2025, 1, 10))
    march = roll_at(tree.cell_a1, datetime.date(2025, 3, 31))
    april = roll_at(tree.cell_a1, datetime.date(2025, 4, 1))

    assert set(january) == {*stays, moved, exempted}
    assert set(march) == {*stays, moved}
    assert set(april) == set(stays)
    assert roll_at(tree.cell_a2, datetime.date(2025, 4, 1)) == [moved]

    meeting = file_meeting(users.secretary_a1, tree.cell_a1, stays, datetime.date(2025, 4, 5))
    assert meeting.roll_size == 3
    assert meeting.attendance_rate == 100


def test_a_member_not_on_the_roll_that_day_is_refused(tree, users):
    from django.core.exceptions import ValidationError

    stays = members_on(tree.cell_a1, 3)
    stranger = members_on(tree.cell_b, 1)[0]
    stranger.full_name = "Phạm Văn Lạ"
    stranger.save()
    with pytest.raises(ValidationError) as error:
        file_meeting(users.secretary_a1, tree.cell_a1, [*stays, stranger], datetime.date(2025, 4, 5))
    # Refused by id: a member outside the secretary's scope is never named (issue 10, hole 5).
    assert "Phạm Văn Lạ" not in str(error.value)
    assert f"Không có trong danh sách đảng viên của chi bộ ngày 05/04/2025: {stranger.pk}." in str(error.value)
    assert attendance_for(stays)  # the helper itself works on the proper roll
