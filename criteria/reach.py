"""The earliest year a cell can still reach each recognition, from its facts so far (issue 11).

Plain functions over the criteria engine's facts (criteria.facts); every number comes from the
plan's params, never from here. Only what the rules let one derive is said:

- Model cell, G1 [000 §II.1(1), §IV.1; SCHEMES §1.1]: a window of `years` consecutive years,
  every one rated GOOD or higher and at least `min_excellent` EXCELLENT. A window holding a year
  below GOOD can never pass; nor one whose unrated years are fewer than the EXCELLENT years it
  still lacks. The first later assessment year whose window can still pass is the answer (for a
  year below GOOD: the year it leaves the window). The other criteria (G2–G7, the type-specific
  ones) are checked year by year and are not projected here.
- Meeting quality [001 §II.1.2; SCHEMES §2.2] and four-goods [002 §II.1.2, 004 §II.4.2;
  SCHEMES §3] are yearly: this year while the months left can still make it, else next year.
  A completed month without a regular meeting (or quarter without a thematic one), a meeting
  under the attendance target, an unexcused absence, a run of absences over the limit, a regular
  meeting rated below `year_good.min_level_each`, too few months left for the good meetings or
  the passing self-assessed months still missing: each of these rules this year out. What is
  decided only at the year's end (the yearly rating, discipline) is not projected.
  Months left are counted at one regular meeting a month, the regime's own pace [001 §II.1.2(1)].
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from registry.formats import short_date

from .models import Scheme
from .rules.common import QUALITY_RANK, at_least, meeting_level, quality_label, rating_label, reaches, year_range_text


@dataclass(frozen=True)
class Reach:
    """The earliest assessment year still reachable, whether that is the year looked at, and why."""

    year: int  # the earliest year (for the model cell: the last year of its window)
    now: bool  # True when `year` is the year looked at (this window, this year)
    sentence: str
    window: tuple | None = None  # (first, last) of the model cell's window
    reasons: list = field(default_factory=list)


# ----------------------------------------------------------------------------- model cell, G1


def _window_blockers(ratings, first, last, min_excellent):
    """([years below GOOD], EXCELLENT missing beyond what the unrated years could give) for one window."""
    years = range(first, last + 1)
    below = [y for y in years if ratings.get(y) is not None and not at_least(ratings[y], "GOOD")]
    excellent = sum(1 for y in years if ratings.get(y) == "EXCELLENT")
    unrated = sum(1 for y in years if ratings.get(y) is None)
    return below, excellent, unrated, max(0, min_excellent - excellent - unrated)


def model_cell_reach(ratings, target_year, *, years, min_excellent):
    """The first assessment year >= `target_year` whose G1 window can still pass [000 §II.1(1)].

    `ratings`: {year: "EXCELLENT" | "GOOD" | "PASS" | "FAIL"}; a year absent is not rated yet.
    The window of assessment year T is T - years + 1 .. T.
    """
    first = target_year - years + 1
    below, excellent, unrated, lacking = _window_blockers(ratings, first, target_year, min_excellent)
    window_text = year_range_text(range(first, target_year + 1))
    if not below and not lacking:
        still = max(0, min_excellent - excellent)
        if unrated == 0:
            sentence = _("Giai đoạn %(w)s đạt tiêu chí xếp loại các năm liền (G1).") % {"w": window_text}
        else:
            sentence = _(
                "Giai đoạn %(w)s vẫn có thể đạt G1: %(u)d năm chưa xếp loại cần Hoàn thành tốt nhiệm vụ trở lên,"
                " trong đó ít nhất %(e)d năm Hoàn thành xuất sắc nhiệm vụ."
            ) % {"w": window_text, "u": unrated, "e": still}
        return Reach(target_year, True, sentence, (first, target_year))
    reasons = [_("năm %(y)d chỉ xếp loại %(l)s") % {"y": y, "l": rating_label(ratings[y])} for y in below]
    if not below:
        reasons.append(
            _("chỉ còn %(u)d năm chưa xếp loại mà còn thiếu %(n)d năm Hoàn thành xuất sắc nhiệm vụ (cần %(m)d)")
            % {"u": unrated, "n": min_excellent - excellent, "m": min_excellent}
        )
    year = target_year + 1
    # Past the last rated year every year is unrated, so a window can always still pass there.
    last_rated = max((y for y, level in ratings.items() if level is not None), default=target_year)
    while year <= max(last_rated, target_year) + years:
        later_below, _e, _u, later_lacking = _window_blockers(ratings, year - years + 1, year, min_excellent)
        if not later_below and not later_lacking:
            break
        year += 1
    later_first = year - years + 1
    sentence = _(
        "Giai đoạn %(w)s không thể đạt G1 nữa vì %(why)s. Sớm nhất có thể đạt ở kỳ xét năm %(t)d (giai đoạn %(w2)s)"
    ) % {
        "w": window_text,
        "why": "; ".join(reasons),
        "t": year,
        "w2": year_range_text(range(later_first, year + 1)),
    }
    left = [y for y in below if y < later_first]
    if left:
        sentence += _(", khi năm %(y)s ra khỏi giai đoạn") % {"y": ", ".join(str(y) for y in left)}
    return Reach(year, False, sentence + ".", (later_first, year), reasons)


# ---------------------------------------------------------------------------- yearly schemes


def _completed_months(year, today):
    """Months of `year` already over on `today` (all twelve for a past year)."""
    if today.year > year:
        return 12
    if today.year < year:
        return 0
    return 12 if (today.month, today.day) == (12, 31) else today.month - 1


def _regime_reasons(meetings, year, today):
    """A completed month without a regular meeting, a completed quarter without a thematic one [001 §II.1.2(1)]."""
    done = _completed_months(year, today)
    regular = {m.date.month for m in meetings if m.is_regular}
    thematic = {(m.date.month - 1) // 3 + 1 for m in meetings if m.is_thematic}
    reasons = [
        _("tháng %(m)d/%(y)d không có biên bản sinh hoạt thường kỳ") % {"m": month, "y": year}
        for month in range(1, done + 1)
        if month not in regular
    ]
    reasons += [
        _("quý %(q)d/%(y)d không có sinh hoạt chuyên đề") % {"q": q, "y": year}
        for q in range(1, done // 3 + 1)
        if q not in thematic
    ]
    return reasons


def _months_left(meetings, year, today):
    """Months of `year` from `today` on that have no regular meeting yet: each can still bring one."""
    if today.year > year:
        return 0
    start = 1 if today.year < year else today.month
    held = {m.date.month for m in meetings if m.is_regular}
    return sum(1 for month in range(start, 13) if month not in held)


def _quality_reasons(meetings, year, today, params):
    """Year quality good: every regular meeting at `min_level_each` or better, at least
    `min_good_meetings` good [001 §II.1.2(3); SCHEMES §2.2 T3] — still possible with the months left?"""
    rule = params["year_good"]
    regular = [m for m in meetings if m.is_regular]
    levels = [(m, meeting_level(m, params)) for m in regular]
    reasons = [
        _("cuộc họp ngày %(d)s chỉ đạt mức %(l)s, mọi cuộc họp thường kỳ cần từ mức %(min)s")
        % {"d": short_date(m.date), "l": quality_label(level), "min": quality_label(rule["min_level_each"])}
        for m, level in levels
        if level and QUALITY_RANK[level] < QUALITY_RANK[rule["min_level_each"]]
    ]
    good = sum(1 for _m, level in levels if level == "good")
    open_ = sum(1 for _m, level in levels if not level) + _months_left(meetings, year, today)
    if good + open_ < rule["min_good_meetings"]:
        reasons.append(
            _("mới có %(g)d cuộc họp đạt mức Tốt, thời gian còn lại nhiều nhất thêm %(o)d cuộc, không đủ %(n)d")
            % {"g": good, "o": open_, "n": rule["min_good_meetings"]}
        )
    return reasons, good, open_


def _conduct_reasons(meetings, params):
    """Attendance target, no unexcused absence, no run of absences over the limit [001 §II.1.2(2)]."""
    reasons = []
    threshold = params["min_attendance_pct"]
    for m in meetings:
        if m.roll_size and not reaches(m.present, m.roll_size, threshold):
            reasons.append(
                _("cuộc họp ngày %(d)s có %(p)d/%(r)d đảng viên dự, cần từ %(t)d%%")
                % {"d": short_date(m.date), "p": m.present, "r": m.roll_size, "t": threshold}
            )
        if m.unexcused:
            reasons.append(_("cuộc họp ngày %(d)s có đảng viên vắng không có lý do") % {"d": short_date(m.date)})
    limit = params["max_consecutive_absences"]
    runs, worst = {}, {}
    for m in sorted(meetings, key=lambda m: m.date):
        runs = {pk: runs.get(pk, 0) + 1 for pk in m.absences}
        for pk, run in runs.items():
            if run > limit and run > worst.get(pk, (0, ""))[0]:
                worst[pk] = (run, m.absences[pk][1])
    for run, name in sorted(worst.values(), key=lambda item: item[1]):
        reasons.append(
            _("đồng chí %(name)s vắng %(n)d lần liên tiếp (tối đa %(max)d)") % {"name": name, "n": run, "max": limit}
        )
    return reasons


def _yearly(year, reasons, possible_text):
    if reasons:
        sentence = _("Năm %(y)d không thể đạt nữa vì %(why)s. Sớm nhất có thể đạt vào năm %(next)d.") % {
            "y": year,
            "why": "; ".join(reasons),
            "next": year + 1,
        }
        return Reach(year + 1, False, sentence, reasons=reasons)
    return Reach(year, True, possible_text)


def meeting_quality_reach(meetings, year, today, params):
    """This year or next for the meeting-quality recognition (MQ1–MQ5) [001 §II.1.2]."""
    meetings = [m for m in meetings if m.date.year == year]
    quality, good, open_ = _quality_reasons(meetings, year, today, params)
    reasons = _regime_reasons(meetings, year, today) + _conduct_reasons(meetings, params) + quality
    need = params["year_good"]["min_good_meetings"]
    possible = _(
        "Năm %(y)d vẫn có thể đạt: đã có %(g)d cuộc họp thường kỳ đạt mức Tốt (cần %(n)d), còn %(o)d cuộc có thể đạt;"
        " mọi cuộc họp còn lại cần đạt từ mức %(min)s, đủ người dự và không ai vắng không lý do."
    ) % {"y": year, "g": good, "n": need, "o": open_, "min": quality_label(params["year_good"]["min_level_each"])}
    return _yearly(year, reasons, possible)


def four_goods_reach(meetings, months, year, today, params):
    """This year or next for four-goods: the meeting regime and quality (FG2.1, FG2.2) [002 §II.1.2;
    004 §II.3.2] and, where the plan has one, the monthly self-assessment (FG5) [004 §II.4.2.2]."""
    meetings = [m for m in meetings if m.date.year == year]
    quality, _good, _open = _quality_reasons(meetings, year, today, params)
    reasons = _regime_reasons(meetings, year, today) + quality
    rule = params.get("monthly")
    possible = _("Năm %(y)d vẫn có thể đạt nếu các tháng còn lại giữ đủ các tiêu chí.") % {"y": year}
    if rule:
        passed = sum(1 for f in months.values() if f.passed and f.score >= rule["pass_score"])
        at_most = passed + 12 - len(months)
        if at_most < rule["min_passing_months"]:
            reasons.append(
                _("đã có %(f)d tháng tự đánh giá không đạt, nhiều nhất chỉ còn %(p)d/12 tháng đạt, cần %(m)d")
                % {"f": len(months) - passed, "p": at_most, "m": rule["min_passing_months"]}
            )
        possible = _(
            "Năm %(y)d vẫn có thể đạt: đã có %(p)d tháng tự đánh giá đạt (cần %(m)d/12), còn %(o)d tháng chưa tự"
            " đánh giá; các tháng còn lại cần giữ đủ các tiêu chí."
        ) % {"y": year, "p": passed, "m": rule["min_passing_months"], "o": 12 - len(months)}
    return _yearly(year, reasons, possible)


# ------------------------------------------------------------------------------- for a cell


def reach_for(scheme, facts, *, target_year, today, params):
    """The Reach of `scheme` for one cell's facts, or None for a scheme not projected here."""
    if scheme == Scheme.MODEL_CELL:
        rule = params["windows"]["gr_cell" if facts.kind == "gr_cell" else "sub_cell"]
        return model_cell_reach(facts.ratings, target_year, years=rule["years"], min_excellent=rule["min_excellent"])
    if scheme == Scheme.MEETING_QUALITY:
        return meeting_quality_reach(facts.meetings, today.year, today, params)
    if scheme == Scheme.FOUR_GOODS:
        return four_goods_reach(facts.meetings, facts.four_goods.get(today.year, {}), today.year, today, params)
    return None


def rating_years_needed(target_year, today, params):
    """(first, last) of the ratings the model-cell projection reads: the window and the years after it."""
    longest = max(w["years"] for w in params["windows"].values())
    return target_year - longest + 1, max(target_year, today.year)
