"""Helpers for the monthly-work tests: members on a cell's roll, meetings filed through the service."""

import datetime

from evaluations import services
from evaluations.models import AttendanceStatus
from tests.factories import MemberFactory, MembershipFactory


def members_on(cell, count, start=datetime.date(2015, 1, 1), **member_fields):
    members = []
    for _i in range(count):
        member = MemberFactory(**member_fields)
        MembershipFactory(member=member, cell=cell, start_date=start)
        members.append(member)
    return members


def attendance_for(members, absent=(), unexcused=(), speakers=None):
    """Everyone present unless listed; the first `speakers` present members spoke."""
    rows = {}
    spoken = 0
    for member in members:
        if member in unexcused:
            status = AttendanceStatus.UNEXCUSED
        elif member in absent:
            status = AttendanceStatus.EXCUSED
        else:
            status = AttendanceStatus.PRESENT
        spoke = status == AttendanceStatus.PRESENT and (speakers is None or spoken < speakers)
        spoken += spoke
        rows[member.pk] = {"status": status, "reason": "Đi công tác" if status == "excused" else "", "spoke": spoke}
    return rows


def file_meeting(user, cell, members, day, *, kind="regular", start=(14, 0), minutes=100, topic="", **attendance):
    start_time = datetime.time(*start)
    end = datetime.datetime.combine(day, start_time) + datetime.timedelta(minutes=minutes)
    data = {
        "date": day,
        "start_time": start_time,
        "end_time": end.time(),
        "kind": kind,
        "topic": topic or ("Học tập và làm theo Bác" if kind != "regular" else ""),
        "section_scores": {"preparation": 14, "attendance": 19, "conduct": 42, "closing": 18},
    }
    rows = attendance_for(members, **attendance)
    # the members present vote (issue 11: a vote count above them is refused)
    data["votes_for"] = sum(1 for row in rows.values() if row["status"] == AttendanceStatus.PRESENT)
    return services.meeting_save(
        user=user,
        cell=cell,
        data=data,
        attendance=rows,
        today=datetime.date(2030, 1, 1),
    )
