"""The minutes of a cell meeting (biên bản sinh hoạt chi bộ) as an A4 party document.

Printed from the saved meeting record so the portal replaces the paper step (issue 11):
heading as in Hướng dẫn 36-HD/VPTW (the party organization above, the cell, "ĐẢNG CỘNG
SẢN VIỆT NAM", place and date), time and place, attendance against the roll with the
absent and why (SCHEMES §1.1 G2, §2.1), speakers, content, conclusions, resolution, the
members' vote on the proposed quality level (SCHEMES §2.1) and the signature lines of the
recorder and the chair, with their names when the record holds them (Meeting.chair and
Meeting.recorder, members present at the meeting); older records keep the dotted lines to
be written by hand.
"""

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from registry.formats import long_date, person_name
from registry.pdf import html_to_pdf, party_heading

from .models import AttendanceStatus, MeetingKind, MeetingSchedule


def clock(value):
    """ "14 giờ 00", the way minutes write a time of day."""
    if value is None:
        return ""
    return _("%(h)02d giờ %(m)02d") % {"h": value.hour, "m": value.minute}


def percent(part, whole):
    """ "83,33" (Vietnamese decimal comma), or "" when there is nothing to divide by."""
    if not whole:
        return ""
    return number((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01")))


def number(value):
    """ "91" or "87,5": a score without trailing zeros, with the Vietnamese decimal comma."""
    if value is None:
        return ""
    text = f"{Decimal(value):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def meeting_title(meeting):
    """The subject line under "BIÊN BẢN": the kind of meeting, its month and its topic."""
    month = {"month": meeting.date.month, "year": meeting.date.year}
    if meeting.kind == MeetingKind.THEMATIC:
        title = _("Sinh hoạt chuyên đề tháng %(month)d năm %(year)d") % month
    elif meeting.kind == MeetingKind.COMBINED:
        title = _("Sinh hoạt chi bộ thường kỳ tháng %(month)d năm %(year)d kết hợp sinh hoạt chuyên đề") % month
    else:
        title = _("Sinh hoạt chi bộ thường kỳ tháng %(month)d năm %(year)d") % month
    return title


def minutes_context(meeting):
    cell = meeting.cell
    attendances = list(meeting.attendances.select_related("member").order_by("member__full_name", "pk"))
    absent = [a for a in attendances if a.status != AttendanceStatus.PRESENT]
    speakers = [a.member for a in attendances if a.spoke]
    schedule = MeetingSchedule.objects.filter(cell=cell).first()
    report = getattr(meeting, "attendee_report", None) if hasattr(meeting, "attendee_report") else None
    voted = meeting.votes_for + meeting.votes_against
    return {
        **party_heading(cell, cell.name, meeting.date),
        "meeting": meeting,
        "title": meeting_title(meeting),
        "day_text": long_date(meeting.date),
        "start_text": clock(meeting.start_time),
        "end_text": clock(meeting.end_time),
        "meeting_place": schedule.place if schedule and schedule.place else "",
        "absent": absent,
        "speakers": speakers,
        "attendee_name": person_name(report.attendee) if report else "",
        "attendee_arrived": clock(report.arrived_at) if report and report.arrived_at else "",
        "rate_text": percent(meeting.present_count, meeting.roll_size),
        "voted": voted > 0,
        "votes_for_rate": percent(meeting.votes_for, meeting.present_count),
        "score_text": number(meeting.effective_score),
    }


def render_minutes(meeting):
    """The minutes of `meeting` as PDF bytes."""
    return html_to_pdf(render_to_string("evaluations/pdf/minutes.html", minutes_context(meeting)))
