"""One source per threshold (issue 12): the numbers the monthly work measures meetings against.

Speakers by the cell's size [000 §II.1(2)], the attendance target and the consecutive-absence
limit [001 §II.1.2(2)], the meeting quality levels [001 §III.4], the minimum durations (HD
12-HD/BTCTW) and the four-goods monthly pass mark [004 §II.4.2.2] are numbers of the plan in force
for the organization and year (criteria.models.Plan.params), the same numbers the rules read. The
criteria app sits above this one (the layers forbid importing it), so it registers the provider
at startup (CriteriaConfig.ready -> `register_provider`), as recognition registers indicators with
criteria. Without a provider (this app alone) the framework the organization adopted answers.

The flags (evaluations.selectors) read the thresholds when they are shown, so a copied plan with
other numbers changes the flags and the verdicts together; the figures stored on a meeting
(required speakers and minutes, quality level) and a month's pass are computed from them when the
record is saved.
"""

from dataclasses import dataclass
from decimal import Decimal

from .models import MeetingKind, QualityLevel


@dataclass(frozen=True)
class Thresholds:
    """The thresholds in force for one organization and year."""

    speakers: tuple  # ((max members or None, minimum speakers), ...), smallest cells first
    max_consecutive_absences: int
    attendance_pct: Decimal
    quality_levels: tuple  # ((level, minimum score), ...), best first; below the last: poor
    regular_minutes: int
    combined_minutes: int
    pass_score: Decimal | None = None  # four-goods month; None: the plan sets no monthly rule
    source: str = ""  # the documents the numbers come from, e.g. "128-KH/ĐUK; 01-ĐA/ĐUK"

    # The names of the framework's fields, for the forms' live preview (meeting_form.html, three bands).
    @property
    def small_cell_below(self):
        return (self.speakers[0][0] or 0) + 1

    @property
    def large_cell_above(self):
        return self.speakers[-2][0] if len(self.speakers) > 1 else self.speakers[0][0]

    @property
    def speakers_small(self):
        return self.speakers[0][1]

    @property
    def speakers_medium(self):
        return self.speakers[1][1] if len(self.speakers) > 2 else self.speakers[0][1]

    @property
    def speakers_large(self):
        return self.speakers[-1][1]

    @property
    def attendance_target(self):
        return self.attendance_pct

    def _level_min(self, level):
        return next((minimum for name, minimum in self.quality_levels if name == level), None)

    @property
    def good_min(self):
        return self._level_min(QualityLevel.GOOD)

    @property
    def fair_min(self):
        return self._level_min(QualityLevel.FAIR)

    @property
    def average_min(self):
        return self._level_min(QualityLevel.AVERAGE)

    def required_speakers(self, roll_size):
        for most, minimum in self.speakers:
            if most is None or roll_size <= most:
                return minimum
        return self.speakers[-1][1]

    def required_minutes(self, kind):
        return self.combined_minutes if kind == MeetingKind.COMBINED else self.regular_minutes

    def level_for(self, score):
        if score is None:
            return ""
        score = Decimal(str(score))
        for level, minimum in self.quality_levels:
            if score >= minimum:
                return level
        return QualityLevel.POOR

    def month_passes(self, framework, points, achieved):
        """A four-goods month passes: every criterion achieved (when the framework asks for it) and
        the score at least the plan's pass mark (the framework's where the plan sets none)."""
        if self.pass_score is None:
            return framework.passes(points, achieved)
        score = sum(points.get(code, 0) or 0 for code in framework.codes)
        every = all(achieved.get(code) for code in framework.codes)
        return (every or not framework.all_criteria_required) and Decimal(str(score)) >= self.pass_score


def from_framework(meeting, four_goods=None):
    """The thresholds of an adopted framework (the fallback without a provider)."""
    return Thresholds(
        speakers=(
            (meeting.small_cell_below - 1, meeting.speakers_small),
            (meeting.large_cell_above, meeting.speakers_medium),
            (None, meeting.speakers_large),
        ),
        max_consecutive_absences=meeting.max_consecutive_absences,
        attendance_pct=Decimal(str(meeting.attendance_target)),
        quality_levels=(
            (QualityLevel.GOOD, Decimal(str(meeting.good_min))),
            (QualityLevel.FAIR, Decimal(str(meeting.fair_min))),
            (QualityLevel.AVERAGE, Decimal(str(meeting.average_min))),
        ),
        regular_minutes=meeting.regular_minutes,
        combined_minutes=meeting.combined_minutes,
        pass_score=Decimal(str(four_goods.pass_score)) if four_goods is not None else None,
        source=meeting.document,
    )


_provider = {"function": None}


def register_provider(function):
    """Let an upper app say which thresholds are in force.

    `function(organizations, year)` returns {organization pk: Thresholds} (None as a key for
    `None`, the general case); a missing key falls back to the adopted framework. Registering
    again replaces the function (idempotent `ready()`)."""
    _provider["function"] = function


def for_organizations(organizations, year):
    """{organization pk: Thresholds} for these organizations (or None) and `year`."""
    organizations = list(organizations)
    function = _provider["function"]
    found = dict(function(organizations, year) or {}) if function is not None else {}
    for organization in organizations:
        key = getattr(organization, "pk", None)
        if key not in found:
            from .selectors import four_goods_framework_for, meeting_framework_for

            found[key] = from_framework(meeting_framework_for(organization), four_goods_framework_for(organization))
    return found


def for_organization(organization, year):
    return for_organizations([organization], year)[getattr(organization, "pk", None)]


__all__ = ["Thresholds", "for_organization", "for_organizations", "from_framework", "register_provider"]
