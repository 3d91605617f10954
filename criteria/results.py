"""Verdict shapes shared by the rules, the engine and every surface (re-exported by criteria.engine)."""

import datetime
from dataclasses import dataclass, field

from .i18n import gettext as _

MET = "met"
NOT_MET = "not_met"
NOT_APPLICABLE = "not_applicable"
MISSING = "missing_data"
STATUSES = (MET, NOT_MET, NOT_APPLICABLE, MISSING)


def _jsonable(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


@dataclass
class CriterionResult:
    code: str
    title: str
    section: str
    status: str
    reason: str
    evidence: dict = field(default_factory=dict)

    @property
    def applicable(self):
        return self.status != NOT_APPLICABLE

    def as_dict(self):
        return {
            "code": self.code,
            "title": str(self.title),
            "section": self.section,
            "status": self.status,
            "reason": str(self.reason),
            "evidence": _jsonable(self.evidence),
        }


@dataclass
class SchemeResult:
    subject_id: int
    subject_name: str
    scheme: str
    year: int
    plan_id: int | None
    plan_number: str
    eligible: bool
    criteria: list
    summary: str
    extra: dict = field(default_factory=dict)

    @property
    def failing(self):
        return [c for c in self.criteria if c.status in (NOT_MET, MISSING)]

    @property
    def near_miss(self):
        """Exactly one applicable criterion short (not met or missing data)."""
        return len(self.failing) == 1

    @property
    def missing_data(self):
        return any(c.status == MISSING for c in self.criteria)

    @property
    def met_count(self):
        return sum(c.status == MET for c in self.criteria)

    def as_dict(self):
        return {
            "subject_id": self.subject_id,
            "subject_name": self.subject_name,
            "scheme": self.scheme,
            "year": self.year,
            "plan_id": self.plan_id,
            "plan_number": self.plan_number,
            "eligible": self.eligible,
            "near_miss": self.near_miss,
            "missing_data": self.missing_data,
            "summary": str(self.summary),
            "criteria": [c.as_dict() for c in self.criteria],
            "extra": _jsonable(self.extra),
        }


def build_result(subject_id, subject_name, scheme, year, plan_id, plan_number, scheme_label, criteria, extra=None):
    """Overall verdict: eligible only when every applicable criterion is met (SCHEMES §0)."""
    applicable = [c for c in criteria if c.applicable]
    failing = [c for c in applicable if c.status != MET]
    eligible = bool(applicable) and not failing
    if eligible:
        summary = _("%(name)s đạt đủ %(n)d tiêu chí “%(scheme)s” năm %(year)d theo %(plan)s.") % {
            "name": subject_name,
            "n": len(applicable),
            "scheme": scheme_label,
            "year": year,
            "plan": plan_number,
        }
    else:
        not_met = [c.code for c in failing if c.status == NOT_MET]
        missing = [c.code for c in failing if c.status == MISSING]
        parts = []
        if not_met:
            parts.append(_("chưa đạt %(codes)s") % {"codes": ", ".join(not_met)})
        if missing:
            parts.append(_("thiếu dữ liệu %(codes)s") % {"codes": ", ".join(missing)})
        summary = _("%(name)s chưa đủ điều kiện “%(scheme)s” năm %(year)d theo %(plan)s: %(parts)s.") % {
            "name": subject_name,
            "scheme": scheme_label,
            "year": year,
            "plan": plan_number,
            "parts": "; ".join(parts) or _("không có tiêu chí áp dụng"),
        }
    return SchemeResult(
        subject_id=subject_id,
        subject_name=subject_name,
        scheme=scheme,
        year=year,
        plan_id=plan_id,
        plan_number=plan_number,
        eligible=eligible,
        criteria=criteria,
        summary=summary,
        extra=extra or {},
    )
