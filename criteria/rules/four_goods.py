"""Four-goods — chi bộ bốn tốt, đảng bộ cơ sở bốn tốt (SCHEMES §3, [002 §II], [004 §II.3–§II.4]).

The same rules run with either plan: 002 (TKV) has no monthly self-assessment and no
commendation cap; 004 (Hải Dương) adds both. A grassroots committee is judged on its
subordinate organizations, its committee and congress meetings, and its whole membership.
"""

import math

from ..i18n import gettext as _
from .common import (
    Findings,
    at_least,
    check_meeting_regime,
    check_org_rating,
    check_roll,
    names,
    not_applicable,
    pct,
    rating_label,
    reaches,
    year_quality,
)


def _yearly(org, year):
    from ..facts import YearFacts

    return org.yearly.get(year) or YearFacts()


def fg1_targets(org, year, params):
    """FG1.1: the unit's political targets met [002 §II.1.1, §II.2.1; 004 §II.3.1]."""
    f = Findings("FG1.1", _("Hoàn thành các chỉ tiêu, nhiệm vụ chính trị của đơn vị"), "[002 §II.1.1; 004 §II.3.1]")
    value = _yearly(org, year).unit_targets_met
    f.evidence["unit_targets_met"] = value
    if value is None:
        f.miss(_("Năm %(y)d chưa ghi kết quả thực hiện chỉ tiêu, nhiệm vụ chính trị") % {"y": year})
    elif not value:
        f.fail(_("Năm %(y)d đơn vị không hoàn thành các chỉ tiêu, nhiệm vụ chính trị") % {"y": year})
    return f.result(_("Năm %(y)d hoàn thành các chỉ tiêu, nhiệm vụ chính trị") % {"y": year})


def fg1_admissions(org, year, params):
    """FG1.2: new-member admission meets the assigned target [002 §II.1.1, §II.2.1]."""
    f = Findings("FG1.2", _("Kết nạp đảng viên đạt chỉ tiêu được giao"), "[002 §II.1.1]")
    facts = _yearly(org, year)
    f.evidence.update({"target": facts.admission_target, "admitted": facts.admitted_count})
    if facts.admission_target is None or facts.admitted_count is None:
        f.miss(_("Năm %(y)d chưa ghi chỉ tiêu và số đảng viên kết nạp") % {"y": year})
    elif facts.admitted_count < facts.admission_target:
        f.fail(
            _("Năm %(y)d kết nạp %(n)d đảng viên, chỉ tiêu %(t)d")
            % {"y": year, "n": facts.admitted_count, "t": facts.admission_target}
        )
    return f.result(
        _("Năm %(y)d kết nạp %(n)s đảng viên, đạt chỉ tiêu %(t)s")
        % {"y": year, "n": facts.admitted_count, "t": facts.admission_target}
    )


def fg1_ratings(org, year, params):
    """FG1.3: >= 90% of members (and for a committee of its subordinate organizations) GOOD+ [002 §II.1.1, §II.2.1]."""
    f = Findings("FG1.3", _("Từ 90% đảng viên xếp loại Hoàn thành tốt nhiệm vụ trở lên"), "[002 §II.1.1; §II.2.1]")
    share = params["member_good_share_pct"]
    roll = check_roll(f, org, year)
    if roll is not None:
        good = [m for m in roll if at_least(m.ratings.get(year), "GOOD")]
        unknown = [m for m in roll if m.ratings.get(year) is None]
        f.evidence["members"] = {"total": len(roll), "good": len(good), "pct": pct(len(good), len(roll))}
        if not reaches(len(good), len(roll), share):
            text = _("Năm %(y)d có %(g)d/%(n)d đảng viên (%(p)s%%) Hoàn thành tốt nhiệm vụ trở lên, cần %(s)d%%") % {
                "y": year,
                "g": len(good),
                "n": len(roll),
                "p": f"{pct(len(good), len(roll)):g}",
                "s": share,
            }
            (f.miss if unknown and reaches(len(good) + len(unknown), len(roll), share) else f.fail)(text)
        if unknown:
            f.evidence["members"]["not_rated"] = [m.name for m in unknown]
    if org.kind == "gr_committee":
        share = params["subordinate_good_share_pct"]
        children = org.children
        good = [c for c in children if at_least(c.ratings.get(year), "GOOD")]
        unknown = [c for c in children if c.ratings.get(year) is None]
        f.evidence["subordinates"] = {"total": len(children), "good": len(good)}
        if not children:
            f.miss(_("Chưa có danh sách tổ chức đảng trực thuộc"))
        elif not reaches(len(good), len(children), share):
            text = _(
                "Năm %(y)d có %(g)d/%(n)d tổ chức đảng trực thuộc Hoàn thành tốt nhiệm vụ trở lên, cần %(s)d%%"
            ) % {
                "y": year,
                "g": len(good),
                "n": len(children),
                "s": share,
            }
            (f.miss if unknown and reaches(len(good) + len(unknown), len(children), share) else f.fail)(text)
    return f.result(
        _("Năm %(y)d đạt tỷ lệ xếp loại Hoàn thành tốt nhiệm vụ trở lên từ %(s)d%%") % {"y": year, "s": share}
    )


def fg1_org_rating(org, year, params):
    """FG1.4: the organization rated GOOD+ by its superior that year [004 §II.3.1, §II.4.2.2]."""
    f = Findings("FG1.4", _("Tổ chức đảng được xếp loại Hoàn thành tốt nhiệm vụ trở lên"), "[004 §II.3.1; §II.4.2.2]")
    if not params.get("require_org_rating"):
        return f.result(None, _("Kế hoạch này không đặt điều kiện xếp loại tổ chức đảng cho “bốn tốt”."))
    check_org_rating(f, org, [year])
    level = org.ratings.get(year)
    return f.result(_("Năm %(y)d tổ chức đảng xếp loại %(l)s") % {"y": year, "l": rating_label(level)})


def fg2_meetings(org, year, params):
    """FG2.1: meetings held: a cell monthly plus a thematic one each quarter; a committee's
    committee monthly and its congress twice a year [002 §II.1.2, §II.2.2; 004 §II.3.2]."""
    f = Findings("FG2.1", _("Thực hiện đúng, đủ chế độ sinh hoạt"), "[002 §II.1.2; §II.2.2; 004 §II.3.2]")
    if org.kind == "gr_committee":
        rule = params["committee"]
        facts = _yearly(org, year)
        f.evidence.update(
            {"committee_meetings": facts.committee_meetings, "congress_meetings": facts.congress_meetings}
        )
        if facts.committee_meetings is None or facts.congress_meetings is None:
            f.miss(_("Năm %(y)d chưa ghi số kỳ họp của đảng ủy và của đảng bộ") % {"y": year})
        else:
            if facts.committee_meetings < rule["min_committee_meetings"]:
                f.fail(
                    _("Năm %(y)d đảng ủy họp thường lệ %(n)d kỳ, cần %(m)d")
                    % {"y": year, "n": facts.committee_meetings, "m": rule["min_committee_meetings"]}
                )
            if facts.congress_meetings < rule["min_congress_meetings"]:
                f.fail(
                    _("Năm %(y)d đảng bộ họp %(n)d kỳ, cần %(m)d")
                    % {"y": year, "n": facts.congress_meetings, "m": rule["min_congress_meetings"]}
                )
        return f.result(_("Năm %(y)d đảng ủy họp đủ hằng tháng, đảng bộ họp đủ 2 kỳ") % {"y": year})
    check_meeting_regime(f, org, [year], params)
    return f.result(_("Năm %(y)d sinh hoạt thường kỳ đủ các tháng, chuyên đề đủ các quý") % {"y": year})


def fg2_quality(org, year, params):
    """FG2.2: the cell's meeting quality for the year rated good (SCHEMES §2.2 T3) [002 §II.1.2; 004 §II.3.2.2]."""
    f = Findings("FG2.2", _("Chất lượng sinh hoạt chi bộ được đánh giá mức Tốt"), "[002 §II.1.2; 004 §II.3.2.2]")
    if org.kind == "gr_committee":
        return f.result(None, _("Với đảng bộ cơ sở, chất lượng sinh hoạt được xét qua các kỳ họp (FG2.1)."))
    _good, evidence, failures, missing = year_quality(org, year, params)
    for text in failures:
        f.fail(text)
    for text in missing:
        f.miss(text)
    f.evidence.update(evidence)
    return f.result(_("Năm %(y)d chất lượng sinh hoạt chi bộ đạt mức Tốt") % {"y": year})


def _members_with(roll, year, attribute):
    return [m for m in roll if any(d.year == year for d in getattr(m, attribute))]


def fg3_no_violation(org, year, params):
    """FG3.1: no member violated the rules on what members must not do [002 §II.1.3; 004 §II.3.3]."""
    f = Findings(
        "FG3.1", _("Không có đảng viên vi phạm những điều đảng viên không được làm"), "[002 §II.1.3; 004 §II.3.3]"
    )
    roll = check_roll(f, org, year)
    if roll is not None:
        offenders = _members_with(roll, year, "violations_on")
        f.evidence["members"] = [m.name for m in offenders]
        if offenders:
            f.fail(
                _("Năm %(y)d có %(n)d đảng viên vi phạm: %(names)s")
                % {"y": year, "n": len(offenders), "names": names(offenders)}
            )
    return f.result(
        _("Năm %(y)d không có đảng viên vi phạm quy định những điều đảng viên không được làm") % {"y": year}
    )


def fg3_no_discipline(org, year, params):
    """FG3.2: no member disciplined (a committee: nor any leader) [002 §II.1.3, §II.2.3; 004 §II.3.3]."""
    f = Findings("FG3.2", _("Không có đảng viên bị kỷ luật"), "[002 §II.1.3; §II.2.3; 004 §II.3.3]")
    roll = check_roll(f, org, year)
    if roll is not None:
        offenders = _members_with(roll, year, "disciplined_on")
        f.evidence["members"] = [m.name for m in offenders]
        if offenders:
            f.fail(
                _("Năm %(y)d có %(n)d đảng viên bị kỷ luật: %(names)s")
                % {"y": year, "n": len(offenders), "names": names(offenders)}
            )
    return f.result(_("Năm %(y)d không có đảng viên bị kỷ luật") % {"y": year})


def fg3_no_organization_disciplined(org, year, params):
    """FG3.3: for a grassroots committee, no subordinate organization disciplined [002 §II.2.3]."""
    f = Findings("FG3.3", _("Không có tổ chức đảng trực thuộc bị kỷ luật"), "[002 §II.2.3]")
    if org.kind != "gr_committee":
        return f.result(None, _("Chỉ áp dụng với đảng bộ cơ sở."))
    value = _yearly(org, year).organizations_disciplined
    f.evidence["organizations_disciplined"] = value
    if value is None:
        f.miss(_("Năm %(y)d chưa ghi số tổ chức đảng trực thuộc bị kỷ luật") % {"y": year})
    elif value:
        f.fail(_("Năm %(y)d có %(n)d tổ chức đảng trực thuộc bị kỷ luật") % {"y": year, "n": value})
    return f.result(_("Năm %(y)d không có tổ chức đảng trực thuộc bị kỷ luật") % {"y": year})


FOUR_GOOD_FIELDS = (
    ("four_good_examples", _("chưa đạt “bốn gương mẫu”")),
    ("politically_steadfast", _("chưa được đánh giá bản lĩnh chính trị vững vàng")),
    ("no_degradation", _("có biểu hiện suy thoái")),
    ("dues_paid", _("chưa đóng đảng phí đầy đủ")),
    ("residence_exemplary", _("chưa giữ mối liên hệ tốt với nơi cư trú")),
)


def fg4_good_members(org, year, params):
    """FG4: every member meets the four good examples, steadfast, no degradation, dues paid,
    tie kept with the residence committee [002 §II.1.4; 004 §II.3.4]."""
    f = Findings("FG4", _("Cán bộ, đảng viên tốt"), "[002 §II.1.4; 004 §II.3.4]")
    roll = check_roll(f, org, year)
    if roll is not None:
        evidence = {}
        summary = org.attestation_summary(year)
        for field, failing in FOUR_GOOD_FIELDS:
            bad, unknown = summary[field]
            evidence[field] = {"not_met": [m.name for m in bad], "not_recorded": len(unknown)}
            if bad:
                f.fail(
                    _("Năm %(y)d có %(n)d đảng viên %(what)s: %(names)s")
                    % {"y": year, "n": len(bad), "what": failing, "names": names(bad)}
                )
            if unknown:
                f.miss(
                    _("Năm %(y)d chưa ghi đủ tự đánh giá của %(n)d đảng viên: %(names)s")
                    % {"y": year, "n": len(unknown), "names": names(unknown)}
                )
        f.evidence["members"] = len(roll)
        f.evidence["fields"] = evidence
    return f.result(_("Năm %(y)d 100%% đảng viên đạt các tiêu chí cán bộ, đảng viên tốt") % {"y": year})


def passing_months(org, year, params):
    """Months self-rated pass with a score >= the pass mark [004 §II.4.2.2]."""
    rule = params["monthly"]
    months = org.four_goods.get(year, {})
    return sorted(m for m, facts in months.items() if facts.passed and facts.score >= rule["pass_score"])


def fg5_monthly(org, year, params):
    """FG5: at least 10 of the 12 months self-rated pass, each scoring >= 90 [004 §II.4.2.1, §II.4.2.2]."""
    f = Findings("FG5", _("Tự đánh giá hằng tháng đạt từ 10/12 tháng"), "[004 §II.4.2.2]")
    rule = params.get("monthly")
    if not rule:
        return f.result(None, _("Kế hoạch này không yêu cầu tự đánh giá hằng tháng."))
    months = org.four_goods.get(year, {})
    passed = passing_months(org, year, params)
    f.evidence.update(
        {
            "assessed_months": sorted(months),
            "passed_months": passed,
            "scores": {m: facts.score for m, facts in sorted(months.items())},
            "min_passing_months": rule["min_passing_months"],
            "pass_score": rule["pass_score"],
        }
    )
    if not months:
        f.miss(_("Năm %(y)d chưa có kết quả tự đánh giá hằng tháng") % {"y": year})
    elif len(passed) < rule["min_passing_months"]:
        unassessed = 12 - len(months)
        text = _("Năm %(y)d có %(n)d/12 tháng tự đánh giá đạt (từ %(s)d điểm), cần ít nhất %(m)d") % {
            "y": year,
            "n": len(passed),
            "s": rule["pass_score"],
            "m": rule["min_passing_months"],
        }
        (f.miss if len(passed) + unassessed >= rule["min_passing_months"] else f.fail)(text)
    return f.result(
        _("Năm %(y)d có %(n)d/12 tháng tự đánh giá đạt (cần %(m)d)")
        % {"y": year, "n": len(passed), "m": rule["min_passing_months"]}
    )


RULES = [
    fg1_targets,
    fg1_admissions,
    fg1_ratings,
    fg1_org_rating,
    fg2_meetings,
    fg2_quality,
    fg3_no_violation,
    fg3_no_discipline,
    fg3_no_organization_disciplined,
    fg4_good_members,
    fg5_monthly,
]


def evaluate(org, year, params):
    if org.kind not in ("gr_cell", "sub_cell", "gr_committee"):
        return [
            not_applicable(
                "FG",
                _("Đối tượng xét “bốn tốt”"),
                "[002 §II; 004 §II.1]",
                _("Chỉ chi bộ và đảng bộ cơ sở được xét “bốn tốt”."),
            )
        ]
    return [rule(org, year, params) for rule in RULES]


def commendation_cap(passed_count, params):
    """How many passing organizations may be commended [004 §II.4.2.2]: "không quá 20%".

    Rounding: down (floor), so the cap is never exceeded: 10 passing -> 2, 9 -> 1, 4 -> 0.
    """
    rule = params.get("commendation") or {}
    if not rule:
        return 0
    value = passed_count * rule["max_share_pct"] / 100
    return math.ceil(value) if rule.get("rounding") == "ceil" else math.floor(value)


def commendation_score(org, year, params):
    """Ranking key among commendation candidates: sum of the year's monthly scores."""
    return sum(facts.score for facts in org.four_goods.get(year, {}).values())
