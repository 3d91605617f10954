"""Plan parameters this app reads: deadlines, exemplary model types and quotas.

The plan's `params` win (SCHEMES preamble: every number is a plan parameter). The
`fallback_*` functions hold the seeds' defaults and are used only when a plan does
not carry the key.
"""

import datetime

from django.utils.translation import gettext_lazy as _

from criteria.models import Scheme
from registry.models import UnitType

ALL_UNIT_TYPES = [UnitType.ADMINISTRATIVE, UnitType.PUBLIC_SERVICE, UnitType.ENTERPRISE, UnitType.OTHER]
AGENCY_TYPES = [UnitType.ADMINISTRATIVE, UnitType.PUBLIC_SERVICE, UnitType.OTHER]


def fallback_model_types():
    """The 12 model types of [003 §III.1] and the unit types that may hold them (SCHEMES §4.2)."""
    return {
        1: {"name": _("Tổ chức cơ sở đảng tiêu biểu"), "unit_types": ALL_UNIT_TYPES},
        2: {"name": _("Sản xuất, kinh doanh"), "unit_types": [UnitType.ENTERPRISE]},
        3: {"name": _("Giáo dục và đào tạo"), "unit_types": [UnitType.PUBLIC_SERVICE]},
        4: {"name": _("Y tế"), "unit_types": [UnitType.PUBLIC_SERVICE]},
        5: {"name": _("Đoàn thể"), "unit_types": ALL_UNIT_TYPES},
        6: {"name": _("Cơ quan tiêu biểu"), "unit_types": [UnitType.ADMINISTRATIVE, UnitType.OTHER]},
        7: {"name": _("Cải cách thủ tục hành chính"), "unit_types": AGENCY_TYPES},
        8: {"name": _("Văn hóa công sở"), "unit_types": AGENCY_TYPES},
        9: {"name": _("“5 không” phòng, chống tiêu cực"), "unit_types": AGENCY_TYPES},
        10: {"name": _("An toàn, tiết kiệm trong sản xuất"), "unit_types": [UnitType.ENTERPRISE]},
        11: {"name": _("Trách nhiệm xã hội của doanh nghiệp"), "unit_types": [UnitType.ENTERPRISE]},
        # "5S": enterprises and hospitals; a hospital is a public service unit.
        12: {"name": _("“5S”"), "unit_types": [UnitType.ENTERPRISE, UnitType.PUBLIC_SERVICE]},
    }


def fallback_quotas():
    """Block-level quotas per model type for 2021–2023 [003 §III.1.1]; other types uncapped."""
    return {"2021-2023": {1: 3, 2: 5, 3: 2, 4: 1, 6: 5}}


def model_types(plan):
    """{number: {"name", "unit_types"}}: plan.params["model_types"] (dict or list), else the fallback."""
    raw = (plan.params or {}).get("model_types") if plan else None
    if not raw:
        return fallback_model_types()
    items = (
        raw.items() if isinstance(raw, dict) else ((entry.get("number") or entry.get("type"), entry) for entry in raw)
    )
    types = {}
    for key, entry in items:
        if isinstance(entry, str):
            entry = {"name": entry}
        number = int(key)
        types[number] = {
            "name": entry.get("name") or entry.get("title") or str(number),
            "unit_types": entry.get("unit_types") or entry.get("holders") or ALL_UNIT_TYPES,
            "org_kinds": entry.get("org_kinds") or [],
        }
    return types


def quotas(plan, phase):
    """{type: quota} for a phase: plan.params["quotas"] keyed by phase (or flat), else the fallback."""
    raw = (plan.params or {}).get("quotas") if plan else None
    if raw is None:
        raw = fallback_quotas()
    if isinstance(raw, dict) and phase in raw and isinstance(raw[phase], dict):
        raw = raw[phase]
    elif isinstance(raw, dict) and raw and all(isinstance(v, dict) for v in raw.values()):
        return {}
    result = {}
    for key, value in (raw or {}).items():
        try:
            number = int(key)
        except (TypeError, ValueError):
            continue
        if isinstance(value, dict):
            value = value.get("quota") or value.get("models")
        if value is not None:
            result[number] = int(value)
    return result


def commendation_share(plan):
    """Share of passed cells that may be commended as outstanding [004 §II.4.2.2]; default 20%."""
    params = (plan.params or {}) if plan else {}
    commendation = params.get("commendation") if isinstance(params.get("commendation"), dict) else {}
    value = commendation.get("max_share_pct", params.get("commendation_max_share", 0.2))
    value = float(value)
    return value / 100 if value > 1 else value


def fallback_deadline(scheme, year, *, subordinate):
    """The seeds' registration deadlines when the plan has none (SCHEMES §1.3, §3.3, §4.1)."""
    if scheme == Scheme.FOUR_GOODS:
        return datetime.date(year, 1, 15 if subordinate else 31)
    if scheme == Scheme.MODEL_CELL:
        return datetime.date(2022, 5, 30) if year <= 2022 else None
    if scheme == Scheme.EXEMPLARY:
        return datetime.date(year, 4, 15)
    return None


def _parse_day(value, year):
    """A deadline for a registration of `year`: "MM-DD" falls in that year; a full date of an
    earlier year belongs to an earlier round (e.g. the 2022 model-cell registration) and
    sets no deadline for later additions."""
    day = _parse_any_day(value, year)
    return None if day is None or day.year < year else day


def _parse_any_day(value, year):
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    value = str(value)
    try:
        if len(value) == 5:  # "MM-DD", applied to the registration's year
            month, day = value.split("-")
            return datetime.date(year, int(month), int(day))
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def registration_deadline(plan, year, *, subordinate):
    """From plan.params (ISO date or "MM-DD" applied to the year): "registration" {"deadline"} or
    {"subordinate_cell_deadline", "committee_deadline"}; "deadlines" {"registration"};
    "registration_deadline"; else `fallback_deadline`."""
    params = plan.params or {}
    registration = params.get("registration")
    if isinstance(registration, dict):
        key = "subordinate_cell_deadline" if subordinate else "committee_deadline"
        day = _parse_day(registration.get(key) or registration.get("deadline"), year)
        if day:
            return day
    deadlines = params.get("deadlines")
    if isinstance(deadlines, dict):
        day = _parse_day(deadlines.get("registration"), year)
        if day:
            return day
    per_level = params.get("registration_deadlines")
    if isinstance(per_level, dict):
        key = "subordinate" if subordinate else "grassroots"
        day = _parse_day(per_level.get(key) or per_level.get("default"), year)
        if day:
            return day
    day = _parse_day(params.get("registration_deadline"), year)
    return day or fallback_deadline(plan.scheme, year, subordinate=subordinate)
