"""Flags of a cell (SCHEMES §1.1 G2, §2.2 T1–T2)."""

import datetime

import pytest

from evaluations.selectors import (
    FLAG_FEW_SPEAKERS,
    FLAG_LONG_ABSENCE,
    FLAG_NO_MEETING,
    FLAG_NO_THEMATIC,
    FLAG_SHORT,
    FLAG_UNEXCUSED,
    flags_for_cell,
    flags_for_cells,
)

from .factories import file_meeting, members_on

pytestmark = pytest.mark.django_db
END_OF_YEAR = datetime.date(2026, 1, 15)


def _codes(flags, code):
    return [f for f in flags if f.code == code]


def _year_of_meetings(user, cell, members, absent_months=(), absentee=None, **kwargs):
    for month in range(1, 13):
        absent = [absentee] if absentee is not None and month in absent_months else []
        kind = "combined" if month % 3 == 0 else "regular"
        file_meeting(
            user, cell, members, datetime.date(2025, month, 5), kind=kind, minutes=130, absent=absent, **kwargs
        )


def test_three_consecutive_absences_are_not_flagged_but_four_are(tree, users):
    """Absent more than 3 consecutive meetings, any reason (SCHEMES §2.2 T2)."""
    members = members_on(tree.cell_a1, 6)
    three, four = members[0], members[1]
    three.full_name, four.full_name = "Ba Lần", "Bốn Lần"
    three.save()
    four.save()
    for month in range(1, 13):
        absent = []
        if month in (2, 3, 4):
            absent.append(three)
        if month in (6, 7, 8, 9):
            absent.append(four)
        kind = "combined" if month % 3 == 0 else "regular"
        file_meeting(
            users.secretary_a1,
            tree.cell_a1,
            members,
            datetime.date(2025, month, 5),
            kind=kind,
            minutes=130,
            absent=absent,
        )

    long = _codes(flags_for_cell(tree.cell_a1, 2025, END_OF_YEAR), FLAG_LONG_ABSENCE)
    assert [f.member_id for f in long] == [four.pk]
    assert "Bốn Lần vắng 4 lần sinh hoạt liên tiếp (từ 05/06/2025 đến 05/09/2025)" in long[0].message


def test_any_absence_without_reason_is_flagged(tree, users):
    members = members_on(tree.cell_a1, 5)
    members[2].full_name = "Không Lý Do"
    members[2].save()
    file_meeting(users.secretary_a1, tree.cell_a1, members, datetime.date(2025, 2, 5), unexcused=[members[2]])
    flags = _codes(flags_for_cell(tree.cell_a1, 2025, END_OF_YEAR), FLAG_UNEXCUSED)
    assert len(flags) == 1
    assert "vắng không lý do (Không Lý Do)" in flags[0].message


def test_months_without_a_record_and_quarters_without_thematic_meeting_are_flagged(tree, users):
    members = members_on(tree.cell_a1, 5)
    for month in (1, 2, 3, 5, 6):  # April missing; no thematic meeting at all
        file_meeting(users.secretary_a1, tree.cell_a1, members, datetime.date(2025, month, 5))
    flags = flags_for_cell(tree.cell_a1, 2025, today=datetime.date(2025, 7, 20))
    assert [f.message for f in _codes(flags, FLAG_NO_MEETING)] == ["Tháng 4/2025 chưa có biên bản sinh hoạt thường kỳ."]
    assert [f.message for f in _codes(flags, FLAG_NO_THEMATIC)] == [
        "Quý I/2025 chưa sinh hoạt chuyên đề.",
        "Quý II/2025 chưa sinh hoạt chuyên đề.",
    ]


def test_the_current_month_and_quarter_are_not_flagged_before_they_end(tree, users):
    members = members_on(tree.cell_a1, 5)
    file_meeting(users.secretary_a1, tree.cell_a1, members, datetime.date(2025, 1, 5), kind="combined", minutes=130)
    flags = flags_for_cell(tree.cell_a1, 2025, today=datetime.date(2025, 2, 10))
    assert not _codes(flags, FLAG_NO_MEETING)
    assert not _codes(flags, FLAG_NO_THEMATIC)


def test_short_meetings_and_too_few_speakers_are_flagged(tree, users):
    members = members_on(tree.cell_a1, 12)  # 10–30 members: 5 speakers
    file_meeting(users.secretary_a1, tree.cell_a1, members, datetime.date(2025, 1, 5), minutes=89, speakers=5)
    file_meeting(users.secretary_a1, tree.cell_a1, members, datetime.date(2025, 2, 5), minutes=90, speakers=4)
    file_meeting(
        users.secretary_a1, tree.cell_a1, members, datetime.date(2025, 3, 5), kind="combined", minutes=120, speakers=5
    )
    flags = flags_for_cell(tree.cell_a1, 2025, END_OF_YEAR)
    assert [f.message for f in _codes(flags, FLAG_SHORT)] == [
        "Sinh hoạt ngày 05/01/2025 kéo dài 89 phút, dưới 90 phút theo quy định."
    ]
    assert [f.message for f in _codes(flags, FLAG_FEW_SPEAKERS)] == [
        "Sinh hoạt ngày 05/02/2025 chỉ có 4 đảng viên phát biểu, yêu cầu tối thiểu 5."
    ]


def test_flags_for_many_cells_take_a_fixed_number_of_queries(tree, users, django_assert_max_num_queries):
    for cell in (tree.cell_a1, tree.cell_a2):
        members = members_on(cell, 4)
        for month in (1, 2):
            file_meeting(users.admin, cell, members, datetime.date(2025, month, 5))
    with django_assert_max_num_queries(3):  # frameworks, meetings, attendance
        flags = flags_for_cells([tree.cell_a1, tree.cell_a2], 2025, END_OF_YEAR)
    assert set(flags) == {tree.cell_a1.pk, tree.cell_a2.pk}
