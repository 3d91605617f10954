"""Meeting quality — chất lượng sinh hoạt chi bộ (SCHEMES §2, [001 §II.1.2]), per cell and year.

Block-wide targets (T3 share of good cells, T4 unit head as secretary, T5 ratings) are
indicators: see criteria.indicators.
"""

from registry.formats import short_date

from ..i18n import gettext as _
from .common import Findings, check_meeting_regime, not_applicable, reaches, year_quality


def mq1_regime(org, year, params):
    """MQ1: a regular meeting every month, a thematic meeting every quarter [001 §II.1.2(1)]."""
    f = Findings("MQ1", _("Sinh hoạt thường kỳ hằng tháng, chuyên đề mỗi quý"), "[001 §II.1.2(1)]")
    check_meeting_regime(f, org, [year], params)
    return f.result(_("Năm %(y)d sinh hoạt thường kỳ đủ các tháng, chuyên đề đủ các quý") % {"y": year})


def mq2_attendance(org, year, params):
    """MQ2: attendance at every meeting at least 95% of the roll, exempted members off it [001 §II.1.2(2)]."""
    f = Findings("MQ2", _("Tỷ lệ đảng viên dự sinh hoạt từ 95% trở lên"), "[001 §II.1.2(2)]")
    threshold = params["min_attendance_pct"]
    meetings = org.meetings_in(year)
    if not meetings:
        f.miss(_("Năm %(y)d chưa có dữ liệu sinh hoạt chi bộ") % {"y": year})
    evidence = []
    for m in meetings:
        if m.roll_size == 0:
            f.miss(_("Cuộc họp ngày %(d)s chưa điểm danh") % {"d": short_date(m.date)})
            continue
        if not reaches(m.present, m.roll_size, threshold):
            rate = round(100.0 * m.present / m.roll_size, 2)
            evidence.append({"date": m.date, "present": m.present, "roll": m.roll_size, "rate": rate})
            if f.full:
                f.more()
                continue
            f.fail(
                _("Cuộc họp ngày %(d)s có %(p)d/%(r)d đảng viên dự (%(rate)s%%), cần từ %(t)d%% trở lên")
                % {"d": short_date(m.date), "p": m.present, "r": m.roll_size, "rate": f"{rate:g}", "t": threshold}
            )
    f.evidence["meetings_checked"] = len(meetings)
    f.evidence["meetings_below"] = evidence
    return f.result(_("Năm %(y)d mọi cuộc họp có từ %(t)d%% đảng viên dự trở lên") % {"y": year, "t": threshold})


def mq3_no_unexcused(org, year, params):
    """MQ3: no member absent without a reason [001 §II.1.2(2)]."""
    f = Findings("MQ3", _("Không có đảng viên vắng mặt không có lý do"), "[001 §II.1.2(2)]")
    meetings = org.meetings_in(year)
    if not meetings:
        f.miss(_("Năm %(y)d chưa có dữ liệu sinh hoạt chi bộ") % {"y": year})
    offenders = []
    for m in meetings:
        absent = sorted(name for status, name in m.absences.values() if status == "unexcused")
        if m.unexcused:
            who = (": " + ", ".join(absent)) if absent else ""
            f.fail(
                _("Cuộc họp ngày %(d)s có %(n)d đảng viên vắng không có lý do%(who)s")
                % {"d": short_date(m.date), "n": m.unexcused, "who": who}
            )
            offenders.append({"date": m.date, "members": absent})
    f.evidence["unexcused"] = offenders
    return f.result(_("Năm %(y)d không có đảng viên vắng mặt không có lý do") % {"y": year})


def consecutive_absences(org, year):
    """member_id -> (name, longest run of consecutive absences, date the run started) over the year's meetings."""
    runs, best = {}, {}
    meetings = sorted(org.meetings_in(year), key=lambda m: m.date)
    for m in meetings:
        absent_now = set(m.absences)
        for member_id in list(runs):
            if member_id not in absent_now:
                del runs[member_id]
        for member_id, (_status, name) in m.absences.items():
            count, start = runs.get(member_id, (0, m.date))
            runs[member_id] = (count + 1, start)
            if count + 1 > best.get(member_id, (None, 0, None))[1]:
                best[member_id] = (name, count + 1, start)
    return best


def mq4_consecutive_absences(org, year, params):
    """MQ4: nobody absent more than 3 times in a row in the year; flag the member [001 §II.1.2(2)]."""
    limit = params["max_consecutive_absences"]
    f = Findings("MQ4", _("Không có đảng viên vắng quá 3 lần liên tiếp trong năm"), "[001 §II.1.2(2)]")
    if not org.meetings_in(year):
        f.miss(_("Năm %(y)d chưa có dữ liệu sinh hoạt chi bộ") % {"y": year})
    flagged = []
    for member_id, (name, run, start) in sorted(consecutive_absences(org, year).items(), key=lambda item: item[1][0]):
        if run > limit:
            flagged.append({"member_id": member_id, "name": name, "run": run, "from": start})
            f.fail(
                _("Đồng chí %(name)s vắng %(n)d lần liên tiếp từ cuộc họp ngày %(d)s (tối đa %(max)d)")
                % {"name": name, "n": run, "d": short_date(start), "max": limit}
            )
    f.evidence["flagged"] = flagged
    return f.result(_("Năm %(y)d không có đảng viên vắng quá %(max)d lần liên tiếp") % {"y": year, "max": limit})


def mq5_year_quality(org, year, params):
    """MQ5: every meeting assessed; the year good: all regular meetings fair+ and at least 7 good [001 §II.1.2(3)]."""
    f = Findings("MQ5", _("Chất lượng sinh hoạt chi bộ năm đạt mức Tốt"), "[001 §II.1.2(3)]")
    _good, evidence, failures, missing = year_quality(org, year, params)
    for text in failures:
        f.fail(text)
    for text in missing:
        f.miss(text)
    f.evidence.update(evidence)
    rule = params["year_good"]
    return f.result(
        _("Năm %(y)d mọi cuộc họp thường kỳ đạt Khá trở lên, %(g)s cuộc đạt Tốt (cần %(n)d)")
        % {"y": year, "g": evidence.get("good"), "n": rule["min_good_meetings"]}
    )


RULES = [mq1_regime, mq2_attendance, mq3_no_unexcused, mq4_consecutive_absences, mq5_year_quality]


def evaluate(org, year, params):
    if not org.is_cell:
        return [
            not_applicable(
                "MQ", _("Đối tượng xét chất lượng sinh hoạt chi bộ"), "[001 §II.3]", _("Chỉ áp dụng với chi bộ.")
            )
        ]
    return [rule(org, year, params) for rule in RULES]
