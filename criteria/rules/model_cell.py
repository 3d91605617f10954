"""Model cell — chi bộ kiểu mẫu (SCHEMES §1, [000 §II, §IV]).

`year` is the last year of the evaluation window: for recognition in Q1/2025 it is 2024.
"""

from functools import lru_cache

from ..i18n import current_language
from ..i18n import gettext as _
from .common import (
    Findings,
    at_least,
    check_attestation_field,
    check_meeting_conduct,
    check_meeting_regime,
    not_applicable,
    rating_label,
    reaches,
    year_range_text,
)

UNIT_TITLES = {
    "A1": ("Thực hiện quy chế, cải cách hành chính, cơ quan đạt chuẩn văn hóa", "[000 §II.2.1(1)]"),
    "A2": ("Có sáng kiến, cách làm hay được công nhận trong năm", "[000 §II.2.1(2)]"),
    "A3": ("Mức độ hài lòng của người dân đạt 100%", "[000 §II.2.1(3)]"),
    "A4": ("100% đảng viên đạt chuẩn khung năng lực vị trí việc làm", "[000 §II.2.1(4)]"),
    "S1": ("Thực hiện quy chế, cải cách thủ tục, đơn vị đạt chuẩn văn hóa", "[000 §II.2.2(1)]"),
    "S2": ("Có sáng kiến, cải tiến được ghi nhận, nhân rộng trong năm", "[000 §II.2.2(2)]"),
    "S3": ("Mức độ hài lòng của người dân đạt 100%", "[000 §II.2.2(3)]"),
    "S4": ("Tăng cường tự chủ, cải thiện đời sống người lao động", "[000 §II.2.2(4)]"),
    "E1": ("Thực hiện điều lệ, doanh nghiệp đạt chuẩn văn hóa, hoàn thành nghĩa vụ với Nhà nước", "[000 §II.2.3(1)]"),
    "E2": ("Có kế hoạch và hoàn thành chỉ tiêu kết nạp đảng viên mới", "[000 §II.2.3(2)]"),
    "E3": ("Xây dựng, duy trì hoạt động các đoàn thể chính trị – xã hội", "[000 §II.2.3(3)]"),
    "E4": ("An toàn sản xuất, bảo vệ môi trường, phòng chống cháy nổ", "[000 §II.2.3(4)]"),
    "E5": ("Đổi mới sản xuất, việc làm, thu nhập, an sinh xã hội", "[000 §II.2.3(5)]"),
}


def window(org, year, params):
    """(years, rule) of the rating-history window for this kind of cell [000 §II.1(1), §IV.1]."""
    key = "gr_cell" if org.kind == "gr_cell" else "sub_cell"
    rule = params["windows"][key]
    return list(range(year - rule["years"] + 1, year + 1)), rule


def assessment_years(org, year, params):
    """Years G2–G7 and the type-specific criteria are checked for (SCHEMES §1.1, plan parameter)."""
    years, _rule = window(org, year, params)
    start = max(params.get("assessment_start_year") or years[0], years[0])
    return list(range(start, year + 1)) or [year]


def g1_rating_history(org, year, params):
    """G1: every year of the window GOOD or higher, at least N EXCELLENT [000 §II.1(1), §IV.1]."""
    rule = params["windows"]["gr_cell" if org.kind == "gr_cell" else "sub_cell"]
    first = year - rule["years"] + 1
    levels = tuple(map(org.ratings.get, range(first, year + 1)))
    return _g1_verdict(org.kind == "gr_cell", first, levels, rule["min_excellent"], current_language())


@lru_cache(maxsize=4096)
def _g1_verdict(grassroots, first, levels, min_excellent, language):
    """The G1 verdict depends on nothing but these arguments, and a province's thousands of cells
    share a few hundred rating histories: each distinct history is judged and explained once
    (`language` keys the Vietnamese or English texts). The result is shared, so never mutated."""
    f = Findings("G1", _("Kết quả xếp loại chất lượng các năm liền"), "[000 §II.1(1); §IV.1]")
    years = list(range(first, first + len(levels)))
    history = dict(zip(years, levels, strict=True))
    excellent = [y for y, level in history.items() if level == "EXCELLENT"]
    unrated = [y for y, level in history.items() if level is None]
    f.evidence.update(
        {
            "window": [years[0], years[-1]],
            "ratings": history,
            "excellent_years": excellent,
            "min_excellent": min_excellent,
            "kind": "gr_cell" if grassroots else "sub_cell",
        }
    )
    for y in years:
        level = history[y]
        if level is None:
            f.miss(_("Năm %(y)d chưa có kết quả xếp loại") % {"y": y})
        elif not at_least(level, "GOOD"):
            f.fail(_("Năm %(y)d chỉ xếp loại %(level)s") % {"y": y, "level": rating_label(level)})
    short = min_excellent - len(excellent)
    if short > 0:
        text = _("Giai đoạn %(w)s có %(n)d năm Hoàn thành xuất sắc nhiệm vụ, cần ít nhất %(need)d") % {
            "w": year_range_text(years),
            "n": len(excellent),
            "need": min_excellent,
        }
        (f.miss if len(unrated) >= short else f.fail)(text)
    kind_text = _("chi bộ cơ sở") if grassroots else _("chi bộ trực thuộc")
    return f.result(
        _("%(kind)s: %(n)d năm liền %(w)s đều Hoàn thành tốt nhiệm vụ trở lên, %(e)d năm Hoàn thành xuất sắc")
        % {"kind": kind_text.capitalize(), "n": len(years), "w": year_range_text(years), "e": len(excellent)}
    )


def g2_meetings(org, year, params):
    """G2: meetings as Guidance 12 requires; no unexcused absence; speakers by size [000 §II.1(2)]."""
    f = Findings("G2", _("Sinh hoạt chi bộ đầy đủ, đúng Hướng dẫn 12-HD/BTCTW"), "[000 §II.1(2)]")
    years = assessment_years(org, year, params)
    check_meeting_regime(f, org, years, params)
    regime = f.evidence.pop("years")
    check_meeting_conduct(f, org, years, params)
    f.evidence["regime"] = regime
    return f.result(
        _("Các năm %(w)s sinh hoạt đủ hằng tháng, chuyên đề hằng quý, không ai vắng không lý do, đủ số phát biểu")
        % {"w": year_range_text(years)}
    )


def g3_mass_organizations(org, year, params):
    """G3: 100% of mass organizations GOOD+, at least 50% EXCELLENT [000 §II.1(3)]."""
    f = Findings("G3", _("Đoàn thể chính trị – xã hội hoàn thành tốt nhiệm vụ trở lên"), "[000 §II.1(3)]")
    if not org.mass_orgs:
        return f.result(None, _("Chi bộ không có đoàn thể chính trị – xã hội trong phạm vi lãnh đạo."))
    rule = params["mass_org"]
    years = assessment_years(org, year, params)
    evidence = {}
    for y in years:
        levels = {mo.name: mo.ratings.get(y) for mo in org.mass_orgs}
        evidence[y] = levels
        excellent = sum(1 for level in levels.values() if level == "EXCELLENT")
        unknown = [name for name, level in levels.items() if level is None]
        for name, level in levels.items():
            if level is not None and not at_least(level, rule["min_level"]):
                f.fail(
                    _("Năm %(y)d %(name)s chỉ xếp loại %(level)s")
                    % {"y": y, "name": name, "level": rating_label(level)}
                )
        for name in unknown:
            f.miss(_("Năm %(y)d %(name)s chưa có kết quả xếp loại") % {"y": y, "name": name})
        if not reaches(excellent, len(levels), rule["excellent_share_pct"]):
            text = _("Năm %(y)d có %(n)d/%(total)d đoàn thể Hoàn thành xuất sắc nhiệm vụ, cần ít nhất %(p)d%%") % {
                "y": y,
                "n": excellent,
                "total": len(levels),
                "p": rule["excellent_share_pct"],
            }
            (f.miss if reaches(excellent + len(unknown), len(levels), rule["excellent_share_pct"]) else f.fail)(text)
    f.evidence["ratings"] = evidence
    return f.result(
        _("Các năm %(w)s: 100%% đoàn thể Hoàn thành tốt nhiệm vụ trở lên, ít nhất %(p)d%% Hoàn thành xuất sắc")
        % {"w": year_range_text(years), "p": rule["excellent_share_pct"]}
    )


def _member_rule(code, title, section, field, failing, missing, ok):
    def rule(org, year, params):
        f = Findings(code, title, section)
        years = assessment_years(org, year, params)
        check_attestation_field(f, org, years, field, failing, missing)
        return f.result(ok % {"w": year_range_text(years)})

    rule.__name__ = f"{code.lower()}_{field}"
    return rule


g4_handbook = _member_rule(
    "G4",
    _("100% đảng viên sử dụng Sổ tay đảng viên điện tử hoặc sổ ghi chép"),
    "[000 §II.1(4)]",
    "uses_handbook",
    _("Năm %(y)d có %(n)d/%(total)d đảng viên không sử dụng sổ tay: %(names)s"),
    _("Năm %(y)d chưa ghi việc dùng sổ tay của %(n)d đảng viên: %(names)s"),
    _("Các năm %(w)s 100%% đảng viên sử dụng sổ tay đảng viên"),
)
g6_cultural_family = _member_rule(
    "G6",
    _("100% hộ gia đình đảng viên đạt “Gia đình văn hóa”"),
    "[000 §II.1(6)]",
    "cultural_family",
    _("Năm %(y)d có %(n)d/%(total)d hộ đảng viên không đạt Gia đình văn hóa: %(names)s"),
    _("Năm %(y)d chưa ghi danh hiệu Gia đình văn hóa của %(n)d đảng viên: %(names)s"),
    _("Các năm %(w)s 100%% hộ gia đình đảng viên đạt Gia đình văn hóa"),
)
g7_residence = _member_rule(
    "G7",
    _("100% đảng viên được nơi cư trú đánh giá gương mẫu"),
    "[000 §II.1(7)]",
    "residence_exemplary",
    _("Năm %(y)d có %(n)d/%(total)d đảng viên chưa được nơi cư trú đánh giá gương mẫu: %(names)s"),
    _("Năm %(y)d chưa có nhận xét nơi cư trú của %(n)d đảng viên: %(names)s"),
    _("Các năm %(w)s 100%% đảng viên được nơi cư trú đánh giá gương mẫu"),
)


def g5_exemplary_conduct(org, year, params):
    """G5: 100% "Nêu gương tốt", commitment signed, no degradation [000 §II.1(5)]."""
    f = Findings("G5", _("100% đảng viên nêu gương tốt, ký cam kết, không suy thoái"), "[000 §II.1(5)]")
    years = assessment_years(org, year, params)
    check_attestation_field(
        f,
        org,
        years,
        "good_example",
        _("Năm %(y)d có %(n)d/%(total)d đảng viên chưa được xếp loại Nêu gương tốt: %(names)s"),
        _("Năm %(y)d chưa có kết quả nêu gương của %(n)d đảng viên: %(names)s"),
    )
    good_example = f.evidence.pop("years")
    check_attestation_field(
        f,
        org,
        years,
        "signed_commitment",
        _("Năm %(y)d có %(n)d/%(total)d đảng viên chưa ký cam kết tu dưỡng, rèn luyện: %(names)s"),
        _("Năm %(y)d chưa ghi việc ký cam kết của %(n)d đảng viên: %(names)s"),
    )
    commitment = f.evidence.pop("years")
    check_attestation_field(
        f,
        org,
        years,
        "no_degradation",
        _("Năm %(y)d có %(n)d/%(total)d đảng viên có biểu hiện suy thoái: %(names)s"),
        _("Năm %(y)d chưa có nhận xét về suy thoái của %(n)d đảng viên: %(names)s"),
    )
    f.evidence = {"good_example": good_example, "commitment": commitment, "no_degradation": f.evidence.pop("years")}
    return f.result(
        _("Các năm %(w)s 100%% đảng viên Nêu gương tốt, ký cam kết, không có biểu hiện suy thoái")
        % {"w": year_range_text(years)}
    )


def unit_rule(code):
    """A type-specific criterion, from the cell's yearly attestations [000 §II.2]."""
    title, section = UNIT_TITLES[code]

    def rule(org, year, params):
        f = Findings(code, _(title), section)
        years = assessment_years(org, year, params)
        allowed_na = set(params.get("not_applicable_allowed", []))
        statuses = {}
        na_years = []
        for y in years:
            if code == "E2" and _admission_counts(f, org, y, statuses):
                continue
            status = org.unit_attestations.get((y, code))
            statuses[y] = status
            if status is None:
                f.miss(_("Năm %(y)d chưa có xác nhận tiêu chí %(c)s") % {"y": y, "c": code})
            elif status == "not_met":
                f.fail(_("Năm %(y)d không đạt tiêu chí %(c)s") % {"y": y, "c": code})
            elif status == "na":
                if code in allowed_na:
                    na_years.append(y)
                else:
                    f.fail(
                        _("Năm %(y)d tiêu chí %(c)s bị ghi “không áp dụng” nhưng tiêu chí này bắt buộc")
                        % {"y": y, "c": code}
                    )
        f.evidence["years"] = statuses
        if na_years and len(na_years) == len(years) and not f.failures and not f.missing:
            return f.result(
                None, _("Người dân không trực tiếp đánh giá đơn vị này (%(w)s).") % {"w": year_range_text(years)}
            )
        return f.result(_("Các năm %(w)s đều đạt tiêu chí %(c)s") % {"w": year_range_text(years), "c": code})

    rule.__name__ = f"unit_{code.lower()}"
    return rule


def _admission_counts(f, org, year, statuses):
    """E2 by numbers when recorded: admitted >= target [000 §II.2.3(2)]. True when decided here."""
    facts = org.yearly.get(year)
    if not facts or facts.admission_target is None or facts.admitted_count is None:
        return False
    statuses[year] = {"target": facts.admission_target, "admitted": facts.admitted_count}
    if facts.admitted_count < facts.admission_target:
        f.fail(
            _("Năm %(y)d kết nạp %(n)d đảng viên, chỉ tiêu %(t)d")
            % {"y": year, "n": facts.admitted_count, "t": facts.admission_target}
        )
    return True


GENERAL = [
    g1_rating_history,
    g2_meetings,
    g3_mass_organizations,
    g4_handbook,
    g5_exemplary_conduct,
    g6_cultural_family,
    g7_residence,
]
UNIT_RULES = {code: unit_rule(code) for code in UNIT_TITLES}


def evaluate(org, year, params):
    """Every criterion of the model cell for one cell (SCHEMES §1.1, §1.2)."""
    if not org.is_cell:
        return [
            not_applicable(
                "CB", _("Đối tượng xét chi bộ kiểu mẫu"), "[000 §II]", _("Chỉ chi bộ được xét chi bộ kiểu mẫu.")
            )
        ]
    results = [rule(org, year, params) for rule in GENERAL]
    codes = params["unit_criteria"].get(org.unit_type, [])
    if not codes:
        results.append(
            not_applicable(
                "LH",
                _("Tiêu chí cụ thể theo loại hình"),
                "[000 §II.2]",
                _("Đơn vị thuộc loại hình khác: chỉ xét các tiêu chí chung G1–G7."),
            )
        )
    results.extend(UNIT_RULES[code](org, year, params) for code in codes)
    return results


def selection(org, params):
    """The 2022 selection bar [000 §IV.1]: both years GOOD+, at least one EXCELLENT. Returns (ok, reason)."""
    rule = params["selection"]
    levels = {y: org.ratings.get(y) for y in rule["years"]}
    if any(level is None for level in levels.values()):
        return None, _("Chưa đủ kết quả xếp loại các năm %(w)s") % {"w": year_range_text(rule["years"])}
    good = all(at_least(level, rule["min_level"]) for level in levels.values())
    excellent = sum(level == "EXCELLENT" for level in levels.values())
    return good and excellent >= rule["min_excellent"], ", ".join(
        f"{y}: {rating_label(level)}" for y, level in levels.items()
    )
