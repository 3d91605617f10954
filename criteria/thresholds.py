"""The monthly work's thresholds from the plans in force (issue 12: one source per threshold).

Registered with evaluations.thresholds in CriteriaConfig.ready(), so the monthly flags, the
figures stored on a meeting and a four-goods month's pass read the numbers the rules read:

- speakers by the cell's size: the model-cell plan's `speakers` bands [000 §II.1(2)] (rule G2);
- the attendance target and the consecutive-absence limit: the meeting-quality plan's
  `min_attendance_pct` and `max_consecutive_absences` [001 §II.1.2(2)] (rules MQ2, MQ4);
- the quality levels and the minimum durations: its `quality_levels` and `meeting_minutes`
  [001 §III.4] (rules MQ5, FG2.2 read the level a meeting was given from them);
- the four-goods monthly pass mark: the four-goods plan's `monthly.pass_score` [004 §II.4.2.2]
  (rule FG5).

"In force" is what the engine uses for the same organization and year (engine.plan_in_force: the
block's own plan before the portal's default, one query for every organization asked), so the
flags and the verdicts can never read different plans.
"""

from decimal import Decimal

from evaluations.models import QualityLevel
from evaluations.thresholds import Thresholds

from .engine import plan_key, plans_of_subjects
from .models import Scheme

SCHEMES = (Scheme.MODEL_CELL, Scheme.MEETING_QUALITY, Scheme.FOUR_GOODS)


def thresholds_of(model_cell, meeting_quality, four_goods):
    """Thresholds from the three plans (criteria.models.Plan)."""
    quality = meeting_quality.params
    levels = quality["quality_levels"]
    monthly = four_goods.params.get("monthly") or {}
    numbers = []
    for plan in (model_cell, meeting_quality, four_goods):
        if plan.number not in numbers:
            numbers.append(plan.number)
    return Thresholds(
        speakers=tuple((band["max_members"], band["min"]) for band in model_cell.params["speakers"]),
        max_consecutive_absences=int(quality["max_consecutive_absences"]),
        attendance_pct=Decimal(str(quality["min_attendance_pct"])),
        quality_levels=tuple(
            (level, Decimal(str(levels[level])))
            for level in (QualityLevel.GOOD, QualityLevel.FAIR, QualityLevel.AVERAGE)
        ),
        regular_minutes=int(quality["meeting_minutes"]["regular"]),
        combined_minutes=int(quality["meeting_minutes"]["combined"]),
        pass_score=Decimal(str(monthly["pass_score"])) if monthly.get("pass_score") is not None else None,
        source="; ".join(numbers),
    )


def provide(organizations, year):
    """evaluations.thresholds provider: {organization id: Thresholds} of the plans in force for each
    organization and the year (engine.plans_of_subjects, read from the organizations' paths)."""
    subjects = {getattr(organization, "pk", None): _Subject(organization) for organization in organizations}
    chosen = plans_of_subjects(subjects, SCHEMES, year)
    found, out = {}, {}
    for pk in subjects:
        plans = tuple(chosen[scheme][pk] for scheme in SCHEMES)
        key = tuple(plan_key(plan) for plan in plans)
        if key not in found:
            found[key] = thresholds_of(*plans)
        out[pk] = found[key]
    return out


class _Subject:
    """What engine.plans_of_subjects reads of a subject: its path."""

    __slots__ = ("path",)

    def __init__(self, organization):
        self.path = getattr(organization, "path", "") or ""


__all__ = ["provide", "thresholds_of"]
