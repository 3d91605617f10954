"""Checks shared by several schemes: ratings, yearly rolls, member attestations, meetings."""

from registry.formats import short_date

from ..i18n import gettext as _
from ..results import MET, MISSING, NOT_APPLICABLE, NOT_MET, CriterionResult

RATING_RANK = {"EXCELLENT": 4, "GOOD": 3, "PASS": 2, "FAIL": 1}
QUALITY_RANK = {"good": 4, "fair": 3, "average": 2, "poor": 1}
MAX_REASONS = 4
MAX_ISSUES = 50  # messages kept per criterion; the rest are counted, not formatted


def rating_label(level):
    from registry.models import RatingLevel

    return str(RatingLevel(level).label) if level else _("chưa xếp loại")


def quality_label(level):
    return {"good": _("Tốt"), "fair": _("Khá"), "average": _("Trung bình"), "poor": _("Kém")}.get(level, level)


def at_least(level, minimum):
    """ "X trở lên": `level` is `minimum` or better; no rating is never enough (SCHEMES §0)."""
    return level is not None and level in RATING_RANK and RATING_RANK[level] >= RATING_RANK[minimum]


def pct(part, whole):
    return round(100.0 * part / whole, 2) if whole else None


def reaches(part, whole, threshold, strict=False):
    """part/whole >= threshold% (or > when strict), in integers: no rounding at the boundary."""
    if strict:
        return part * 100 > threshold * whole
    return part * 100 >= threshold * whole


def names(members, limit=5):
    shown = [m.name for m in members[:limit]]
    more = len(members) - len(shown)
    text = ", ".join(shown)
    return text + (_(" và %(n)d người khác") % {"n": more} if more > 0 else "")


class Findings:
    """Collects what fails and what is missing, then turns into one CriterionResult."""

    def __init__(self, code, title, section):
        self.code, self.title, self.section = code, title, section
        self.failures, self.missing, self.evidence = [], [], {}
        self.overflow = 0

    @property
    def full(self):
        """Enough failures recorded: hot loops skip formatting more (they call .more() instead)."""
        return len(self.failures) >= MAX_ISSUES

    def more(self):
        self.overflow += 1

    def fail(self, message):
        if len(self.failures) >= MAX_ISSUES:
            self.overflow += 1
        elif message not in self.failures:
            self.failures.append(message)

    def miss(self, message):
        if len(self.missing) >= MAX_ISSUES:
            self.overflow += 1
        elif message not in self.missing:
            self.missing.append(message)

    def result(self, ok_reason, not_applicable_reason=None):
        if not_applicable_reason:
            return CriterionResult(
                self.code, self.title, self.section, NOT_APPLICABLE, not_applicable_reason, self.evidence
            )
        if self.failures:
            status, messages = NOT_MET, self.failures
        elif self.missing:
            status, messages = MISSING, self.missing
        else:
            return CriterionResult(self.code, self.title, self.section, MET, ok_reason, self.evidence)
        reason = "; ".join(messages[:MAX_REASONS])
        hidden = len(messages) - MAX_REASONS + (self.overflow if status == NOT_MET else 0)
        if hidden > 0:
            reason += _("; và %(n)d điểm khác") % {"n": hidden}
        if self.overflow:
            self.evidence.setdefault("more_issues", self.overflow)
        self.evidence.setdefault("issues", messages)
        if status == NOT_MET and self.missing:
            self.evidence.setdefault("missing", self.missing)
        return CriterionResult(self.code, self.title, self.section, status, reason + ".", self.evidence)


def not_applicable(code, title, section, reason, evidence=None):
    return CriterionResult(code, title, section, NOT_APPLICABLE, reason, evidence or {})


def year_range_text(years):
    years = list(years)
    if not years:
        return ""
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def check_roll(f, org, year):
    """The year's roll, or None after recording missing data when nobody is on it."""
    roll = org.roll(year)
    if not roll:
        f.miss(_("Năm %(y)d chưa có danh sách đảng viên của chi bộ") % {"y": year})
        return None
    return roll


def check_attestation_field(f, org, years, field, failing_text, missing_text):
    """100% of members on each year's roll have `field` true ("good" for good_example) (SCHEMES §1.1 G4–G7)."""
    evidence = {}
    for year in years:
        roll = check_roll(f, org, year)
        if roll is None:
            continue
        bad, unknown = org.attestation_summary(year)[field]
        evidence[year] = {
            "members": len(roll),
            "met": len(roll) - len(bad) - len(unknown),
            "not_met": [m.name for m in bad],
            "not_recorded": [m.name for m in unknown],
        }
        if bad:
            f.fail(failing_text % {"y": year, "n": len(bad), "total": len(roll), "names": names(bad)})
        if unknown:
            f.miss(missing_text % {"y": year, "n": len(unknown), "names": names(unknown)})
    f.evidence["years"] = evidence


def required_speakers(roll_size, params):
    """Minimum speakers by the cell's size at the meeting [000 §II.1(2)].

    params["speakers"] = [{"max_members": 9, "min": 3}, {"max_members": 30, "min": 5}, {"max_members": null, "min": 8}]
    """
    for band in params["speakers"]:
        if band["max_members"] is None or roll_size <= band["max_members"]:
            return band["min"]
    return params["speakers"][-1]["min"]


def meeting_level(meeting, params):
    """The meeting's quality level: as recorded, else from the effective score and the plan's thresholds."""
    if meeting.quality_level:
        return meeting.quality_level
    if meeting.score is None:
        return ""
    levels = params["quality_levels"]
    score = float(meeting.score)
    for level in ("good", "fair", "average"):
        if score >= levels[level]:
            return level
    return "poor"


def check_meeting_regime(f, org, years, params):
    """A regular meeting every month and a thematic one every quarter [001 §II.1.2(1)]."""
    evidence = {}
    for year in years:
        meetings = org.meetings_in(year)
        if not meetings:
            f.miss(_("Năm %(y)d chưa có dữ liệu sinh hoạt chi bộ") % {"y": year})
            continue
        key = ("regime", year, id(org.meetings), len(org.meetings))
        if key not in org.memo:
            day = org.roll_day(year)
            # A past year is checked whole; the current year up to its last completed month.
            last_month = 12 if day.month == 12 and day.day == 31 else day.month - 1
            regular_months = {m.date.month for m in meetings if m.is_regular}
            thematic_quarters = {(m.date.month - 1) // 3 + 1 for m in meetings if m.is_thematic}
            org.memo[key] = (
                [month for month in range(1, last_month + 1) if month not in regular_months],
                [q for q in range(1, last_month // 3 + 1) if q not in thematic_quarters],
                {
                    "regular_months": sorted(regular_months),
                    "thematic_quarters": sorted(thematic_quarters),
                    "meetings": len(meetings),
                },
            )
        missing_months, missing_quarters, evidence[year] = org.memo[key]
        for month in missing_months:
            f.fail(_("Tháng %(m)d/%(y)d không có sinh hoạt thường kỳ") % {"m": month, "y": year})
        for quarter in missing_quarters:
            f.fail(_("Quý %(q)d/%(y)d không có sinh hoạt chuyên đề") % {"q": quarter, "y": year})
    f.evidence["years"] = evidence


def check_meeting_conduct(f, org, years, params):
    """At every meeting: no unexcused absence, enough speakers by size [000 §II.1(2)]."""
    evidence, needs, checked = [], {}, 0
    for year in years:
        meetings = org.meetings_in(year)
        if not meetings:
            f.miss(_("Năm %(y)d chưa có dữ liệu sinh hoạt chi bộ") % {"y": year})
            continue
        for m in meetings:
            if m.roll_size == 0:
                f.miss(_("Cuộc họp ngày %(d)s chưa điểm danh") % {"d": short_date(m.date)})
                continue
            need = needs.get(m.roll_size)
            if need is None:
                need = needs[m.roll_size] = required_speakers(m.roll_size, params)
            checked += 1
            if m.unexcused or m.speakers < need:
                evidence.append(
                    {
                        "date": m.date,
                        "roll": m.roll_size,
                        "unexcused": m.unexcused,
                        "speakers": m.speakers,
                        "need": need,
                    }
                )
            if (m.unexcused or m.speakers < need) and f.full:
                f.more()
                continue
            if m.unexcused:
                f.fail(
                    _("Cuộc họp ngày %(d)s có %(n)d đảng viên vắng không có lý do")
                    % {"d": short_date(m.date), "n": m.unexcused}
                )
            if m.speakers < need:
                f.fail(
                    _("Cuộc họp ngày %(d)s có %(n)d đảng viên phát biểu, cần ít nhất %(need)d")
                    % {"d": short_date(m.date), "n": m.speakers, "need": need}
                )
    # Evidence: how many meetings were checked, and every meeting that fell short.
    f.evidence["meetings_checked"] = checked
    f.evidence["meetings"] = evidence


def check_org_rating(f, org, years, minimum="GOOD", ratings=None, who=None):
    ratings = org.ratings if ratings is None else ratings
    evidence = {}
    for year in years:
        level = ratings.get(year)
        evidence[year] = level
        if level is None:
            f.miss(_("Năm %(y)d chưa có kết quả xếp loại") % {"y": year})
        elif not at_least(level, minimum):
            f.fail(_("Năm %(y)d chỉ xếp loại %(level)s") % {"y": year, "level": rating_label(level)})
    f.evidence["ratings"] = evidence


def year_quality(org, year, params):
    """(good_year, evidence, failures, missing) for one year's regular meetings (SCHEMES §2.2 T3).

    Good when every regular meeting was rated `min_level_each` or better and at least
    `min_good_meetings` were rated good (plan params["year_good"]).
    """
    rule = params["year_good"]
    failures, missing = [], []
    regular = [m for m in org.meetings_in(year) if m.is_regular]
    if not regular:
        return None, {}, [], [_("Năm %(y)d chưa có dữ liệu sinh hoạt chi bộ") % {"y": year}]
    levels = [(m, meeting_level(m, params)) for m in regular]
    good = sum(1 for _m, level in levels if level == "good")
    for m, level in levels:
        if not level:
            missing.append(_("Cuộc họp ngày %(d)s chưa được đánh giá chất lượng") % {"d": short_date(m.date)})
        elif QUALITY_RANK[level] < QUALITY_RANK[rule["min_level_each"]]:
            failures.append(
                _("Cuộc họp ngày %(d)s chỉ đạt mức %(level)s")
                % {"d": short_date(m.date), "level": quality_label(level)}
            )
    unknown = sum(1 for _m, level in levels if not level)
    if good < rule["min_good_meetings"]:
        text = _("Năm %(y)d có %(n)d cuộc họp thường kỳ đạt mức Tốt, cần ít nhất %(need)d") % {
            "y": year,
            "n": good,
            "need": rule["min_good_meetings"],
        }
        (missing if good + unknown >= rule["min_good_meetings"] else failures).append(text)
    evidence = {"regular_meetings": len(regular), "good": good, "not_assessed": unknown}
    return (not failures and not missing), evidence, failures, missing


__all__ = [
    "MET",
    "NOT_MET",
    "MISSING",
    "NOT_APPLICABLE",
]
