"""Where the indicators read their numbers (criteria.indicators.compute reads either source).

- `Ids`: the subjects as ids, for any cells (a queryset or a list): each figure lists the cells
  it counts and those it does not (the API, `indicators.for_root`).
- `Counts`: the dashboard's numbers for several years from a fixed set of SQL aggregates over the
  stored verdicts, the cells' ratings and the members' rolls, grouped by year and grassroots
  organization; `Counts.year(y)` answers like `Ids` with numbers (`Tally`) instead of ids, so a
  province's figures hold no cell id and its queries do not grow with the cells (issue 12).
"""

import datetime

from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from registry.models import CELL_KINDS, GRASSROOTS_KINDS, Membership, Rating

from . import verdicts
from .models import Scheme
from .results import MET

GOOD_LEVELS = ("GOOD", "EXCELLENT")


class Tally:
    """How many subjects an indicator counts, in all and per grassroots organization, as read by
    one SQL aggregate (`Counts`): the figures of a province hold no cell ids (issue 12)."""

    __slots__ = ("n", "units")

    def __init__(self, n=0, units=None):
        self.n, self.units = n, units if units is not None else {}

    def add(self, unit, n):
        self.n += n
        if unit is not None:
            self.units[unit] = self.units.get(unit, 0) + n


def _in(subjects, ids):
    """The cells as a subquery when they came as a queryset: thousands of ids are not sent back
    as parameters of every query (the dashboard runs these for five years)."""
    return subjects.values("pk") if hasattr(subjects, "values") else ids


def _ids(rows):
    return set(rows.values_list("organization_id", flat=True))


def verdict_filter(what):
    """The stored verdicts an indicator counts: "eligible", or a criterion's code that is met."""
    return Q(eligible=True) if what == "eligible" else Q(**{f"statuses__{what}": MET})


class Ids:
    """The indicators' subjects as ids, for any cells (a queryset or a list): each figure lists
    the cells it counts and those it does not (`compute` without `counts`; the API)."""

    def __init__(self, cells, year):
        self.subjects = cells  # a queryset travels to the stored verdicts as a subquery
        self.cells = list(cells)
        self.total = {c.pk for c in self.cells}
        self.year = year
        self._rows = {}

    def verdicts(self, scheme, what):
        # Stored verdicts (criteria/verdicts.py), filtered in SQL: the cost does not grow with the cells.
        if scheme not in self._rows:
            self._rows[scheme] = verdicts.rows(self.subjects, scheme, self.year)
        return _ids(self._rows[scheme].filter(verdict_filter(what)))

    def rated_good(self):
        cells = _in(self.subjects, self.total)
        rated = Rating.objects.filter(organization_id__in=cells, year=self.year, level__in=GOOD_LEVELS)
        return set(rated.values_list("organization_id", flat=True))

    def members_good(self, target):
        return _members_good(_in(self.subjects, self.total), self.year, target)


def _members_good(cell_ids, year, target):
    """Members on the roll on 31 December rated GOOD or higher, per cell for the drill-down [001 §II.1.2(5)]."""
    per_cell = members_per_cell(cell_ids, year)
    total = sum(t for t, _g in per_cell.values())
    good = sum(g for _t, g in per_cell.values())
    below = sorted(pk for pk, (t, g) in per_cell.items() if g * 100 <= target * t)
    figure = _members_figure(good, total, target)
    figure["counted"] = sorted(set(per_cell) - set(below))
    figure["not_counted"] = below
    # Members rated good and members on the roll per cell: a committee's share sums its cells'.
    figure["parts"] = {pk: [g, t] for pk, (t, g) in per_cell.items()}
    return figure


def members_per_cell(cell_ids, year):
    """{cell id: (members on the roll on 31 December, those of them rated GOOD or higher)}."""
    day = datetime.date(year, 12, 31)
    roll = Membership.objects.on_date(day).filter(cell_id__in=cell_ids)
    # Two aggregates (the roll; the roll joined to the year's good ratings only) cost about half
    # of one that joins every rating of every member and filters in the aggregate (a province's
    # 90,000 members: 0.13 s against 0.23 s), and the dashboard's trend asks for five years.
    totals = roll.values("cell_id").annotate(n=Count("member_id", distinct=True)).values_list("cell_id", "n")
    goods = dict(
        roll.filter(member__ratings__year=year, member__ratings__level__in=GOOD_LEVELS)
        .values("cell_id")
        .annotate(n=Count("member__ratings", distinct=True))
        .values_list("cell_id", "n")
    )
    return {pk: (n, goods.get(pk, 0)) for pk, n in totals}


def _members_figure(good, total, target):
    """The members' indicator from its two numbers (the unit is the member, not the cell)."""
    return {
        "code": "members_good",
        "title": _("Tỷ lệ đảng viên xếp loại Hoàn thành tốt nhiệm vụ trở lên"),
        "section": "[001 §II.1.2(5)]",
        "numerator": good,
        "denominator": total,
        "value": round(100.0 * good / total, 2) if total else None,
        "target": target,
        "strict": True,
        "target_text": _("trên %(p)s%%") % {"p": target},
        "met": (good * 100 > target * total) if total else None,
        "counted": None,
        "not_counted": None,
        "note": _("Đơn vị tính là đảng viên; danh sách chi tiết là các chi bộ có tỷ lệ chưa vượt chỉ tiêu."),
        "subjects": "cells",
    }


# --------------------------------------------------------------------------- counted in SQL (the dashboard)

# (scheme, what) of the stored verdicts the cell-based indicators count (see `compute`).
VERDICT_COUNTS = (
    (Scheme.MODEL_CELL, "eligible"),
    (Scheme.MEETING_QUALITY, "MQ5"),
    (Scheme.MEETING_QUALITY, "MQ1"),
    (Scheme.FOUR_GOODS, "eligible"),
)


def _on_roll(day, prefix=""):
    """Memberships on the roll on `day` (registry.models.MembershipQuerySet.on_date)."""
    return Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day})
    )


class Counts:
    """The dashboard's numbers for several years, read by a fixed set of SQL aggregates over the
    stored verdicts, the cells' ratings and the members' rolls, each grouped by year and by
    grassroots organization (issue 12): neither the queries nor the figures grow with the cells,
    and no cell id is kept.

    A cell counts for its nearest grassroots ancestor, itself for a grassroots cell (SCHEMES §1.1;
    registry.models.GRASSROOTS_KINDS). The rows are grouped by the prefixes of the cells' paths as
    long as the grassroots organizations' paths (`Substr`, in any database); the longest prefix
    that is one of their paths names the organization. A cell under none still counts in the
    totals."""

    def __init__(self, user, root, years):
        from .selectors import visible_subtree

        subtree = visible_subtree(user, root)
        # Lazy: a registered indicator that reads the cells loads them once for all the years.
        self.cells = subtree.filter(kind__in=CELL_KINDS).order_by("path")
        self.grassroots = list(subtree.filter(kind__in=GRASSROOTS_KINDS).order_by("path"))
        self.years = list(years)
        self._units = {o.path: o.pk for o in self.grassroots}
        self._lengths = sorted({len(path) for path in self._units}, reverse=True)
        ids = self.cells.values("pk")
        self.total = Tally()
        for _year, unit, row in self._group(self.cells, "path", None, n=Count("pk")):
            self.total.add(unit, row["n"])
        self._verdicts = self._count_verdicts(ids)
        self._rated = {}
        rated = Rating.objects.filter(organization_id__in=ids, year__in=self.years, level__in=GOOD_LEVELS)
        for year, unit, row in self._group(rated, "organization__path", "year", n=Count("pk")):
            self._rated.setdefault(year, Tally()).add(unit, row["n"])
        self._roll, self._good = {}, {}
        days = {year: datetime.date(year, 12, 31) for year in self.years}
        roll = Membership.objects.filter(cell_id__in=ids)
        # Counted without DISTINCT (a sort of every row; 0.25 s against 1 s for a province's
        # 90,000 members): a roll of one day holds each member once (registry one_open_membership).
        per_year = {f"y{year}": Count("pk", filter=_on_roll(day)) for year, day in days.items()}
        for _year, unit, row in self._group(roll, "cell__path", None, **per_year):
            for year in self.years:
                self._roll.setdefault(year, Tally()).add(unit, row[f"y{year}"])
        # The year's good ratings of the members on that year's roll on 31 December, every year in
        # one join: start on or before 31 December of the rating's year, end on or after it.
        rating_year = F("member__ratings__year")
        goods = roll.filter(
            Q(member__ratings__year__in=self.years, member__ratings__level__in=GOOD_LEVELS)
            & Q(start_date__year__lte=rating_year)
            & (
                Q(end_date__isnull=True)
                | Q(end_date__year__gt=rating_year)
                | Q(end_date__year=rating_year, end_date__month=12, end_date__day=31)
            )
        )
        for year, unit, row in self._group(goods, "cell__path", "member__ratings__year", n=Count("member__ratings")):
            self._good.setdefault(year, Tally()).add(unit, row["n"])

    def _group(self, queryset, path, year, **aggregates):
        """(year, grassroots organization or None, row) per group of `queryset`'s rows."""
        prefixes = {f"p{i}": Substr(path, 1, length) for i, length in enumerate(self._lengths)}
        keys = [year] if year else []
        rows = queryset.order_by().values(*keys, **prefixes).annotate(**aggregates)
        for row in rows:
            unit = next((self._units[row[p]] for p in prefixes if row[p] in self._units), None)
            yield (row[year] if year else None), unit, row

    def _count_verdicts(self, ids):
        """{(year, scheme, what): Tally}; verdicts not stored yet are computed first (verdicts.ensure)."""
        from .models import Verdict

        schemes = sorted({scheme for scheme, _what in VERDICT_COUNTS})
        aggregates = {f"rows_{scheme}": Count("pk", filter=Q(scheme=scheme)) for scheme in schemes}
        for scheme, what in VERDICT_COUNTS:
            aggregates[f"n_{scheme}_{what}"] = Count("pk", filter=Q(scheme=scheme) & verdict_filter(what))
        stored = Verdict.objects.filter(organization_id__in=ids, year__in=self.years, scheme__in=schemes)
        for attempt in (1, 2):
            counted, rows = {}, {}
            for year, unit, row in self._group(stored, "organization__path", "year", **aggregates):
                for scheme in schemes:
                    rows[year, scheme] = rows.get((year, scheme), 0) + row[f"rows_{scheme}"]
                for scheme, what in VERDICT_COUNTS:
                    counted.setdefault((year, scheme, what), Tally()).add(unit, row[f"n_{scheme}_{what}"])
            missing = [(y, s) for y in self.years for s in schemes if rows.get((y, s), 0) < self.total.n]
            if not missing or attempt == 2:
                return counted
            for year, scheme in missing:
                verdicts.ensure(self.cells, scheme, year)

    def year(self, year):
        return CountsOfYear(self, year)


class CountsOfYear:
    """One year of `Counts`, with the interface of `Ids` (`compute` reads either)."""

    def __init__(self, counts, year):
        self.counts, self.year = counts, year
        self.cells, self.total = counts.cells, counts.total

    def verdicts(self, scheme, what):
        return self.counts._verdicts.get((self.year, scheme, what)) or Tally()

    def rated_good(self):
        return self.counts._rated.get(self.year) or Tally()

    def members_good(self, target):
        good = self.counts._good.get(self.year) or Tally()
        roll = self.counts._roll.get(self.year) or Tally()
        figure = _members_figure(good.n, roll.n, target)
        figure["units"] = {unit: [good.units.get(unit, 0), n] for unit, n in roll.units.items()}
        return figure
