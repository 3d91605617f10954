"""Exemplary collectives and individuals — học tập và làm theo Bác (SCHEMES §4, [003 §II.2, §III]).

`year` is the last year evaluated; the years checked run from the start of the phase that
contains it (phases 2021–2023 and 2023–2025; a year shared by two phases belongs to the
one it ends).
"""

from ..i18n import gettext as _
from .common import Findings, at_least, check_org_rating, check_roll, names, not_applicable, reaches, year_range_text


def phase_years(year, params):
    """Years of the phase ending at (or containing) `year`, up to `year` [003 §IV.2]."""
    phases = sorted(params["phases"], key=lambda p: p[1])
    for start, end in phases:
        if start <= year <= end:
            return list(range(start, year + 1))
    return [year]


def _yearly(org, year):
    from ..facts import YearFacts

    return org.yearly.get(year) or YearFacts()


def _flags(f, org, years, fields):
    evidence = {}
    for y in years:
        facts = _yearly(org, y)
        evidence[y] = {field: getattr(facts, field) for field, _ok, _bad in fields}
        for field, missing_text, failing_text in fields:
            value = getattr(facts, field)
            if value is None:
                f.miss(missing_text % {"y": y})
            elif not value:
                f.fail(failing_text % {"y": y})
    f.evidence["years"] = evidence


def ex1_directive05(org, year, params):
    """EX1: Directive 05 studied and planned yearly; the study in the cell's regular agenda [003 §II.2.1]."""
    f = Findings("EX1", _("Học tập, xây dựng kế hoạch thực hiện Chỉ thị 05-CT/TW"), "[003 §II.2.1]")
    years = phase_years(year, params)
    _flags(
        f,
        org,
        years,
        [
            (
                "directive05_planned",
                _("Năm %(y)d chưa ghi việc xây dựng kế hoạch thực hiện Chỉ thị 05"),
                _("Năm %(y)d không xây dựng kế hoạch thực hiện Chỉ thị 05"),
            ),
            (
                "directive05_in_agenda",
                _("Năm %(y)d chưa ghi việc đưa học tập và làm theo Bác vào sinh hoạt"),
                _("Năm %(y)d chưa đưa học tập và làm theo Bác vào nội dung sinh hoạt thường kỳ"),
            ),
        ],
    )
    return f.result(
        _("Các năm %(w)s có kế hoạch thực hiện Chỉ thị 05 và đưa vào sinh hoạt thường kỳ")
        % {"w": year_range_text(years)}
    )


def ex2_political_task(org, year, params):
    """EX2: political task and emulation targets done; initiatives; commended [003 §II.2.1]."""
    f = Findings("EX2", _("Hoàn thành tốt nhiệm vụ chính trị, có sáng kiến, được khen thưởng"), "[003 §II.2.1]")
    years = phase_years(year, params)
    _flags(
        f,
        org,
        years,
        [
            (
                "unit_targets_met",
                _("Năm %(y)d chưa ghi kết quả thực hiện nhiệm vụ chính trị"),
                _("Năm %(y)d không hoàn thành nhiệm vụ chính trị, chỉ tiêu thi đua"),
            ),
            (
                "initiatives_commended",
                _("Năm %(y)d chưa ghi sáng kiến, khen thưởng"),
                _("Năm %(y)d không có sáng kiến hoặc khen thưởng của cấp có thẩm quyền"),
            ),
        ],
    )
    return f.result(
        _("Các năm %(w)s hoàn thành tốt nhiệm vụ chính trị, có sáng kiến, được khen thưởng")
        % {"w": year_range_text(years)}
    )


def ex3_commitment(org, year, params):
    """EX3: every cadre and member made and kept the yearly self-cultivation commitment [003 §II.2.1]."""
    f = Findings("EX3", _("Thực hiện bản cam kết tu dưỡng, rèn luyện hằng năm"), "[003 §II.2.1]")
    years = phase_years(year, params)
    for y in years:
        roll = check_roll(f, org, y)
        if roll is None:
            continue
        bad, unknown = org.attestation_summary(y)["signed_commitment"]
        if bad:
            f.fail(
                _("Năm %(y)d có %(n)d đảng viên chưa ký cam kết: %(names)s")
                % {"y": y, "n": len(bad), "names": names(bad)}
            )
        if unknown:
            f.miss(
                _("Năm %(y)d chưa ghi việc ký cam kết của %(n)d đảng viên: %(names)s")
                % {"y": y, "n": len(unknown), "names": names(unknown)}
            )
    return f.result(_("Các năm %(w)s 100%% đảng viên ký và thực hiện cam kết") % {"w": year_range_text(years)})


def ex4_good_example(org, year, params):
    """EX4: more than 70% of members — and 100% of leaders and managers — set a good example [003 §II.2.1].

    "trên 70%" is strict (plan param good_example.strict): exactly 70% is not enough.
    """
    rule = params["good_example"]
    f = Findings("EX4", _("Trên 70% cán bộ, đảng viên và 100% lãnh đạo, quản lý nêu gương tốt"), "[003 §II.2.1]")
    years = phase_years(year, params)
    evidence = {}
    for y in years:
        roll = check_roll(f, org, y)
        if roll is None:
            continue
        not_good, unknown = org.attestation_summary(y)["good_example"]
        good = len(roll) - len(not_good) - len(unknown)
        leaders_bad = [m for m in not_good if m.leads]
        leaders_unknown = [m for m in unknown if m.leads]
        leaders = [m for m in roll if m.leads]
        evidence[y] = {
            "members": len(roll),
            "good": good,
            "leaders": len(leaders),
            "leaders_not_good": [m.name for m in leaders_bad],
        }
        if leaders_bad:
            f.fail(
                _("Năm %(y)d có lãnh đạo, quản lý chưa nêu gương tốt: %(names)s")
                % {"y": y, "names": names(leaders_bad)}
            )
        if leaders_unknown:
            f.miss(
                _("Năm %(y)d chưa có kết quả nêu gương của lãnh đạo: %(names)s")
                % {"y": y, "names": names(leaders_unknown)}
            )
        if not reaches(good, len(roll), rule["min_share_pct"], strict=rule["strict"]):
            text = _("Năm %(y)d có %(g)d/%(n)d đảng viên nêu gương tốt, cần trên %(p)d%%") % {
                "y": y,
                "g": good,
                "n": len(roll),
                "p": rule["min_share_pct"],
            }
            possible = reaches(good + len(unknown), len(roll), rule["min_share_pct"], strict=rule["strict"])
            (f.miss if unknown and possible else f.fail)(text)
    f.evidence["years"] = evidence
    return f.result(
        _("Các năm %(w)s trên %(p)d%% đảng viên và 100%% lãnh đạo nêu gương tốt")
        % {"w": year_range_text(years), "p": rule["min_share_pct"]}
    )


def ex5_no_degradation(org, year, params):
    """EX5: nobody degraded, nobody disciplined [003 §II.2.1]."""
    f = Findings("EX5", _("Không có cá nhân suy thoái, không có cá nhân bị kỷ luật"), "[003 §II.2.1]")
    years = phase_years(year, params)
    for y in years:
        roll = check_roll(f, org, y)
        if roll is None:
            continue
        degraded, unknown = org.attestation_summary(y)["no_degradation"]
        disciplined = [m for m in roll if any(d.year == y for d in m.disciplined_on)]
        if degraded:
            f.fail(_("Năm %(y)d có đảng viên có biểu hiện suy thoái: %(names)s") % {"y": y, "names": names(degraded)})
        if disciplined:
            f.fail(_("Năm %(y)d có đảng viên bị kỷ luật: %(names)s") % {"y": y, "names": names(disciplined)})
        if unknown:
            f.miss(
                _("Năm %(y)d chưa có nhận xét về suy thoái của %(n)d đảng viên: %(names)s")
                % {"y": y, "n": len(unknown), "names": names(unknown)}
            )
    return f.result(_("Các năm %(w)s không có cá nhân suy thoái hay bị kỷ luật") % {"w": year_range_text(years)})


def ex6_rating(org, year, params):
    """EX6: the party organization rated GOOD or higher every year of the phase [003 §II.2.1]."""
    f = Findings("EX6", _("Tổ chức đảng hằng năm Hoàn thành tốt nhiệm vụ trở lên"), "[003 §II.2.1]")
    years = phase_years(year, params)
    check_org_rating(f, org, years)
    return f.result(_("Các năm %(w)s tổ chức đảng Hoàn thành tốt nhiệm vụ trở lên") % {"w": year_range_text(years)})


COLLECTIVE_RULES = [
    ex1_directive05,
    ex2_political_task,
    ex3_commitment,
    ex4_good_example,
    ex5_no_degradation,
    ex6_rating,
]


def evaluate(org, year, params):
    return [rule(org, year, params) for rule in COLLECTIVE_RULES]


def collective_rank(org, year, params):
    """EXCELLENT years rank first [003 §II.2.1]."""
    return sum(1 for y in phase_years(year, params) if org.ratings.get(y) == "EXCELLENT")


# Individuals [003 §II.2.2, §III.2.1]


def exi1_ratings(member, year, params):
    """EXI1: rated GOOD or higher every year of the phase [003 §II.2.2]."""
    f = Findings("EXI1", _("Hằng năm xếp loại Hoàn thành tốt nhiệm vụ trở lên"), "[003 §II.2.2]")
    years = phase_years(year, params)
    check_org_rating(f, member, years)
    return f.result(_("Các năm %(w)s đều Hoàn thành tốt nhiệm vụ trở lên") % {"w": year_range_text(years)})


def exi2_excellent_once(member, year, params):
    """EXI2: EXCELLENT at least once in the phase; more EXCELLENT years rank first [003 §II.2.2]."""
    f = Findings("EXI2", _("Ít nhất 01 năm Hoàn thành xuất sắc nhiệm vụ trong giai đoạn"), "[003 §II.2.2]")
    years = phase_years(year, params)
    excellent = [y for y in years if member.ratings.get(y) == "EXCELLENT"]
    unrated = [y for y in years if member.ratings.get(y) is None]
    f.evidence.update({"years": years, "excellent_years": excellent})
    if not excellent:
        text = _("Giai đoạn %(w)s chưa có năm nào Hoàn thành xuất sắc nhiệm vụ") % {"w": year_range_text(years)}
        (f.miss if unrated else f.fail)(text)
    return f.result(
        _("Giai đoạn %(w)s có %(n)d năm Hoàn thành xuất sắc nhiệm vụ")
        % {"w": year_range_text(years), "n": len(excellent)}
    )


def exi3_leader_collective(member, year, params, collective=None):
    """EXI3: a leader is an exemplar only when the collective he or she heads is an exemplary
    collective rated EXCELLENT [003 §III.2.1]. `collective` is (OrgFacts, SchemeResult) or None."""
    f = Findings(
        "EXI3", _("Tập thể do lãnh đạo đứng đầu là tập thể điển hình Hoàn thành xuất sắc nhiệm vụ"), "[003 §III.2.1]"
    )
    if not member.leads:
        return f.result(None, _("Không giữ chức vụ lãnh đạo, quản lý."))
    if collective is None:
        f.miss(_("Chưa xác định được tập thể do đồng chí %(name)s đứng đầu") % {"name": member.name})
        return f.result("")
    org, verdict = collective
    level = org.ratings.get(year)
    f.evidence.update(
        {"collective_id": org.id, "collective": org.name, "collective_eligible": verdict.eligible, "rating": level}
    )
    if not verdict.eligible:
        text = _("Tập thể %(org)s chưa là tập thể điển hình: %(why)s") % {"org": org.name, "why": verdict.summary}
        (f.miss if verdict.missing_data and not any(c.status == "not_met" for c in verdict.criteria) else f.fail)(text)
    if level is None:
        f.miss(_("Năm %(y)d %(org)s chưa có kết quả xếp loại") % {"y": year, "org": org.name})
    elif level != "EXCELLENT":
        from .common import rating_label

        f.fail(
            _("Năm %(y)d %(org)s chỉ xếp loại %(l)s, cần Hoàn thành xuất sắc nhiệm vụ")
            % {"y": year, "org": org.name, "l": rating_label(level)}
        )
    return f.result(
        _("Tập thể %(org)s là tập thể điển hình, năm %(y)d Hoàn thành xuất sắc nhiệm vụ") % {"org": org.name, "y": year}
    )


def exi4_direct_worker(member, year, params):
    """EXI4: a direct worker is nominated by the grassroots, trusted, confirmed by the committee [003 §II.2.2]."""
    f = Findings("EXI4", _("Người lao động trực tiếp được suy tôn, tín nhiệm, cấp ủy xác nhận"), "[003 §II.2.2]")
    if not member.is_direct_worker:
        return f.result(None, _("Không phải người trực tiếp lao động, sản xuất, học tập."))
    facts = member.nominations.get(year)
    checks = (
        ("nominated_by_grassroots", _("chưa được cơ sở suy tôn, bình xét")),
        ("trusted", _("chưa được lãnh đạo và tập thể tín nhiệm")),
        ("confirmed_by_committee", _("chưa được cấp ủy xác nhận, đề nghị")),
    )
    for field, failing in checks:
        value = getattr(facts, field, None)
        f.evidence[field] = value
        if value is None:
            f.miss(_("Năm %(y)d chưa ghi kết quả bình xét của đồng chí %(name)s") % {"y": year, "name": member.name})
        elif not value:
            f.fail(_("Năm %(y)d đồng chí %(name)s %(what)s") % {"y": year, "name": member.name, "what": failing})
    return f.result(_("Năm %(y)d được cơ sở suy tôn, tập thể tín nhiệm, cấp ủy xác nhận") % {"y": year})


def evaluate_individual(member, year, params, collective=None):
    return [
        exi1_ratings(member, year, params),
        exi2_excellent_once(member, year, params),
        exi3_leader_collective(member, year, params, collective),
        exi4_direct_worker(member, year, params),
    ]


def allowed_model_types(unit_type, org_kind, params):
    """Model types an organization of this unit type may register [003 §III.1]."""
    return [
        t
        for t in params["model_types"]
        if t.get("subject") == "party_organization" and unit_type in t["unit_types"] and org_kind in t["org_kinds"]
    ]


__all__ = ["not_applicable", "at_least"]
