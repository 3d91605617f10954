"""The home page's to-dos per role (issue 11): plain functions, no rules of their own.

- A secretary (FILE_MONTHLY on a cell): for this month and last month, whether the regular
  meeting record and the four-goods self-assessment exist [SCHEMES §1.1 G2, §2.2 T1–T2; the
  flags come from evaluations.selectors.flags_for_cells], and for each scheme what the cell
  still lacks, in the criteria engine's own words (criteria.selectors.gaps_of), and the earliest
  year the cell can still reach it (criteria.reach).
- Grassroots staff (LOCK_MONTH on a grassroots committee): how many of their cells have not
  filed last month's meeting record.

The query count does not grow with the number of cells (a fixed number of queries per block).
"""

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations.models import AttendeeAssignment, FourGoodsAssessment, Meeting, MeetingKind
from evaluations.selectors import flags_for_cells, previous_month
from registry.formats import short_date
from registry.models import Organization, OrganizationKind
from registry.scoping import ATTEND, FILE_MONTHLY, LOCK_MONTH

from . import verdicts as stored_verdicts
from .engine import plans_in_force
from .loader import Needs, load
from .models import Scheme
from .reach import rating_years_needed, reach_for
from .selectors import CELL_SCHEMES, gaps_of
from .templatetags.criteria_tags import default_year

MAX_CELLS = 20


@dataclass
class Todo:
    text: str
    url: str
    kind: str  # "meeting", "four_goods", "flags", "scheme"


@dataclass
class CellTodos:
    cell: Organization
    items: list = field(default_factory=list)
    schemes: list = field(default_factory=list)  # [{"label", "eligible", "gaps", "year", "reach"}]


def months_to_check(today):
    """[(year, month)] of last month and this month, oldest first."""
    return [previous_month(today), (today.year, today.month)]


def secretary_todos(user, today=None):
    """[CellTodos] for the cells the user files the monthly work of."""
    today = today or datetime.date.today()
    # Cells a grassroots committee locks are its staff's queue (committee_queue), not their to-dos.
    locked_by_user = Organization.objects.visible_to(user, LOCK_MONTH).values("pk")
    cells = list(
        Organization.objects.visible_to(user, FILE_MONTHLY)
        .cells()
        .exclude(pk__in=locked_by_user)
        .order_by("path")[:MAX_CELLS]
    )
    if not cells:
        return []
    months = months_to_check(today)
    first = datetime.date(*months[0], 1)
    filed = set(
        Meeting.objects.filter(cell__in=cells, date__gte=first, date__lte=today, kind=MeetingKind.REGULAR).values_list(
            "cell_id", "date__year", "date__month"
        )
    )
    assessed = set(
        FourGoodsAssessment.objects.filter(organization__in=cells)
        .filter(year__in={y for y, _m in months}, month__in={m for _y, m in months})
        .values_list("organization_id", "year", "month")
    )
    # Meetings of the two months an attendee was assigned to, still without the attendee's report
    # [001 §III.2(1): the upper level's attendee reports on each meeting attended].
    meetings = list(
        Meeting.objects.filter(cell__in=cells, date__gte=first, date__lte=today, attendee_report__isnull=True)
        .filter(
            cell__attendee_assignments__start_date__lte=models.F("date"),
            cell__attendee_assignments__end_date__gte=models.F("date"),
        )
        .distinct()
        .order_by("date")
    )
    waiting = {}
    for meeting in meetings:
        waiting.setdefault(meeting.cell_id, []).append(meeting)
    flags = flags_for_cells(cells, today.year, today)
    scheme_year = default_year()
    # Stored verdicts (criteria.verdicts, issue 12): read, not recomputed per view.
    verdicts = {scheme: stored_verdicts.results(cells, scheme, scheme_year) for scheme in CELL_SCHEMES}
    reach = _reach_by_cell(cells, scheme_year, today)
    out = []
    for cell in cells:
        block = CellTodos(cell=cell)
        for year, month in months:
            label = f"{month}/{year}"
            if (cell.pk, year, month) not in filed:
                block.items.append(
                    Todo(
                        _("Tháng %(month)s chưa có biên bản sinh hoạt") % {"month": label},
                        reverse("evaluations:meeting_create", args=[cell.pk]),
                        "meeting",
                    )
                )
            if (cell.pk, year, month) not in assessed:
                block.items.append(
                    Todo(
                        _("Tháng %(month)s chưa có bản tự đánh giá “Bốn tốt”") % {"month": label},
                        reverse("evaluations:four_goods", args=[cell.pk, year, month]),
                        "four_goods",
                    )
                )
        for meeting in waiting.get(cell.pk, []):
            block.items.append(
                Todo(
                    _("Buổi sinh hoạt ngày %(day)s chờ báo cáo của cán bộ dự sinh hoạt")
                    % {"day": short_date(meeting.date)},
                    reverse("evaluations:meeting", args=[meeting.pk]),
                    "attendee_report",
                )
            )
        cell_flags = flags.get(cell.pk, [])
        if cell_flags:
            block.items.append(
                Todo(
                    _("%(count)s cảnh báo: %(first)s") % {"count": len(cell_flags), "first": cell_flags[0].message},
                    reverse("evaluations:cell", args=[cell.pk]) + "#canh-bao",
                    "flags",
                )
            )
        for scheme in CELL_SCHEMES:
            result = verdicts[scheme][cell.pk]
            block.schemes.append(
                {
                    "label": Scheme(scheme).label,
                    "scheme": scheme,
                    "eligible": result.eligible,
                    "gaps": [] if result.eligible else gaps_of(result),
                    "year": scheme_year,
                    "reach": reach.get(cell.pk, {}).get(scheme),
                }
            )
        out.append(block)
    return out


def _reach_by_cell(cells, scheme_year, today):
    """{cell id: {scheme: Reach}}: the earliest year each recognition can still be reached (criteria.reach),
    from one load of the ratings and of this year's meetings and self-assessments (fixed queries)."""
    cells = list(cells)
    # The plans in force for the (first) cell and the year: a secretary holds one cell as a rule.
    in_force = plans_in_force(
        (Scheme.MODEL_CELL, Scheme.MEETING_QUALITY, Scheme.FOUR_GOODS), cells[0] if cells else None, scheme_year
    )
    plans = {scheme: plan.params for scheme, plan in in_force.items()}
    facts = load(
        cells,
        rating_years_needed(scheme_year, today, plans[Scheme.MODEL_CELL]),
        (today.year, today.year),
        Needs(org_ratings=True, meetings=True, absences=True, four_goods=True),
        today=today,
    )
    return {
        cell.pk: {
            scheme: reach_for(scheme, facts[cell.pk], target_year=scheme_year, today=today, params=params)
            for scheme, params in plans.items()
        }
        for cell in cells
        if cell.pk in facts
    }


def committee_queue(user, today=None):
    """[{"committee", "missing", "total", "url"}]: cells under each committee without last month's record."""
    today = today or datetime.date.today()
    committees = list(
        Organization.objects.visible_to(user, LOCK_MONTH)
        .filter(kind=OrganizationKind.GRASSROOTS_COMMITTEE)
        .order_by("path")[:MAX_CELLS]
    )
    if not committees:
        return []
    year, month = previous_month(today)
    cells = list(Organization.objects.under(committees).cells().only("pk", "path"))
    filed = set(
        Meeting.objects.filter(
            cell__in=cells, date__year=year, date__month=month, kind=MeetingKind.REGULAR
        ).values_list("cell_id", flat=True)
    )
    out = []
    for committee in committees:
        mine = [c for c in cells if c.path.startswith(committee.path)]
        out.append(
            {
                "committee": committee,
                "total": len(mine),
                "missing": len([c for c in mine if c.pk not in filed]),
                "month": f"{month}/{year}",
                "url": reverse("evaluations:committee", args=[committee.pk]),
            }
        )
    return out


def attendee_todos(user, today=None):
    """[Todo]: meetings of the cells the user is assigned to attend, held in the last two months,
    whose attendee report is not written yet [001 §III.2(1)]."""
    today = today or datetime.date.today()
    first = datetime.date(*months_to_check(today)[0], 1)
    assignments = AttendeeAssignment.objects.filter(user=user, end_date__gte=first, start_date__lte=today)
    meetings = (
        Meeting.objects.visible_to(user, ATTEND)
        .filter(date__gte=first, date__lte=today, attendee_report__isnull=True)
        .filter(
            cell__attendee_assignments__in=assignments,
            cell__attendee_assignments__start_date__lte=models.F("date"),
            cell__attendee_assignments__end_date__gte=models.F("date"),
        )
        .select_related("cell")
        .distinct()
        .order_by("date")[:MAX_CELLS]
    )
    return [
        Todo(
            _("Viết báo cáo dự sinh hoạt: %(cell)s, ngày %(day)s") % {"cell": m.cell.name, "day": short_date(m.date)},
            reverse("evaluations:report", args=[m.pk]),
            "attendee_report",
        )
        for m in meetings
    ]
