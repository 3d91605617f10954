"""Block-wide indicators per year against the documents' targets (SCHEMES §1.3, §2.2, §3).

Each indicator: code, title, section, numerator/denominator, value (%), target and whether it is
reached, plus the ids behind the figure (`counted`, `not_counted`; the API, `for_root`).

The dashboard (`for_dashboard`) counts the same indicators in SQL aggregates grouped by year and
grassroots organization (`_Counts`): its figures hold numbers, not ids, and its drill-down reads a
page of cells from the stored verdicts (`drill_down`), so a province costs what a block does
(issue 12).
"""

import datetime
import hashlib

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Substr
from django.utils import translation
from django.utils.translation import gettext as _

from registry.models import CELL_KINDS, GRASSROOTS_KINDS, Membership, Organization, Rating, Role
from registry.scoping import VIEW, prefixes_for

from . import figure_cache, verdicts
from .citations import cite_figures
from .engine import resolve_plan
from .models import Scheme
from .results import MET

GOOD_LEVELS = ("GOOD", "EXCELLENT")


def _indicator(
    code,
    title,
    section,
    counted,
    total,
    target=None,
    strict=False,
    target_text="",
    not_counted=None,
    note="",
    subjects="cells",
):
    tallied = isinstance(counted, Tally)  # counted in SQL (the dashboard): numbers, no ids
    numerator, denominator = (counted.n, total.n) if tallied else (len(counted), len(total))
    value = round(100.0 * numerator / denominator, 2) if denominator else None
    met = None
    if value is not None and target is not None:
        met = numerator * 100 > target * denominator if strict else numerator * 100 >= target * denominator
    figure = {
        "code": code,
        "title": title,
        "section": section,
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "target": target,
        "strict": strict,
        "target_text": target_text,
        "met": met,
        "counted": None,
        "not_counted": None,
        "note": note,
        # What the ids in counted/not_counted are: "cells" lets the dashboard compare the
        # grassroots organizations by their cells (committee_rows); anything else is not compared.
        "subjects": subjects,
    }
    if tallied:  # {grassroots organization: [numerator, denominator]} instead of the ids
        figure["units"] = {unit: [counted.units.get(unit, 0), n] for unit, n in total.units.items()}
    else:
        figure["counted"] = sorted(counted)
        figure["not_counted"] = sorted(not_counted if not_counted is not None else set(total) - set(counted))
    return figure


class Tally:
    """How many subjects an indicator counts, in all and per grassroots organization, as read by
    one SQL aggregate (`_Counts`): the figures of a province hold no cell ids (issue 12)."""

    __slots__ = ("n", "units")

    def __init__(self, n=0, units=None):
        self.n, self.units = n, units if units is not None else {}

    def add(self, unit, n):
        self.n += n
        if unit is not None:
            self.units[unit] = self.units.get(unit, 0) + n


def _good_share_target(params, year):
    """The meeting-quality target that applies to `year`: the nearest target year not before it."""
    targets = sorted(params["targets"]["good_share"], key=lambda t: t["year"])
    for target in targets:
        if target["year"] >= year:
            return target
    return targets[-1]


def compute(cells, grassroots, year, root=None, counts=None):
    """Every indicator for the given cells and grassroots organizations (already scoped).

    `counts` (a `_Counts`, the dashboard's): the cell-based indicators are read from its SQL
    aggregates, as numbers per grassroots organization (`units`) without the ids of the cells
    (`counted`/`not_counted` are None); without it each indicator lists its ids (the API)."""
    source = _Ids(cells, year) if counts is None else counts.year(year)
    cells = source.cells
    grassroots = list(grassroots)
    cell_ids = source.total
    # Targets and citations: the plans in force for the organization whose figures these are.
    holder = root if root is not None else _common_ancestor(cells)
    model_plan = resolve_plan(Scheme.MODEL_CELL, organization=holder, year=year)
    mq_plan = resolve_plan(Scheme.MEETING_QUALITY, organization=holder, year=year)
    mq_targets = mq_plan.params["targets"]
    out = []

    target = model_plan.params["targets"]
    eligible = source.verdicts(Scheme.MODEL_CELL, "eligible")
    out.append(
        _indicator(
            "model_cells",
            _("Tỷ lệ chi bộ đạt tiêu chí chi bộ kiểu mẫu"),
            "[000 §III.1]",
            eligible,
            cell_ids,
            target["model_cell_share_pct"],
            target_text=_("từ %(p)s%% trở lên đến năm %(y)s (%(n)s)")
            % {"p": target["model_cell_share_pct"], "y": target["by_year"], "n": model_plan.number},
            note=_("Tính theo kết quả đối chiếu tiêu chí (G1–G7 và tiêu chí theo loại hình)."),
        )
    )
    out.extend(
        _provided(
            "registrations",
            cells=cells,
            grassroots=grassroots,
            year=year,
            plans={Scheme.MODEL_CELL: model_plan, Scheme.MEETING_QUALITY: mq_plan},
        )
    )

    good_target = _good_share_target(mq_plan.params, year)
    good_quality = source.verdicts(Scheme.MEETING_QUALITY, "MQ5")
    out.append(
        _indicator(
            "meeting_quality_good",
            _("Tỷ lệ chi bộ có chất lượng sinh hoạt năm đạt mức Tốt"),
            "[001 §II.1.2(3)]",
            good_quality,
            cell_ids,
            good_target["min_pct"],
            strict=good_target["strict"],
            target_text=_("trên %(p)s%% đến năm %(y)s (%(n)s)")
            % {"p": good_target["min_pct"], "y": good_target["year"], "n": mq_plan.number},
        )
    )
    regime = source.verdicts(Scheme.MEETING_QUALITY, "MQ1")
    out.append(
        _indicator(
            "meeting_regime",
            _("Tỷ lệ chi bộ thực hiện đúng chế độ sinh hoạt (hằng tháng, chuyên đề hằng quý)"),
            "[001 §II.1.2(1)]",
            regime,
            cell_ids,
            mq_targets.get("regime_compliance_pct", 100),
            target_text=_("100% chi bộ"),
        )
    )
    rated_good = source.rated_good()
    out.append(
        _indicator(
            "cells_good",
            _("Tỷ lệ chi bộ xếp loại Hoàn thành tốt nhiệm vụ trở lên"),
            "[001 §II.1.2(5)]",
            rated_good,
            cell_ids,
            mq_targets["cells_good_pct"],
            strict=True,
            target_text=_("trên %(p)s%%") % {"p": mq_targets["cells_good_pct"]},
        )
    )
    out.append(source.members_good(mq_targets["members_good_pct"]))
    heads = {o.pk for o in grassroots if o.head_is_secretary}
    out.append(
        _indicator(
            "unit_head_secretary",
            _("Tỷ lệ tổ chức cơ sở đảng có thủ trưởng đơn vị làm bí thư"),
            "[001 §II.1.2(4)]",
            heads,
            {o.pk for o in grassroots},
            mq_targets["unit_head_secretary_pct"],
            target_text=_("%(p)s%%") % {"p": mq_targets["unit_head_secretary_pct"]},
            subjects="grassroots",
        )
    )
    four_goods = source.verdicts(Scheme.FOUR_GOODS, "eligible")
    out.append(
        _indicator(
            "four_goods_pass",
            _("Tỷ lệ chi bộ đạt “bốn tốt”"),
            "[002 §II.3; 004 §II.4.2.2]",
            four_goods,
            cell_ids,
            None,
            target_text=_("không đặt chỉ tiêu"),
        )
    )
    # Every other registered indicator (register_indicator), after the block's own, in registration order.
    placed = {figure["code"] for figure in out}
    for code in [code for code in _PROVIDERS if code not in placed]:
        out.extend(
            _provided(
                code,
                cells=cells,
                grassroots=grassroots,
                year=year,
                plans={Scheme.MODEL_CELL: model_plan, Scheme.MEETING_QUALITY: mq_plan},
            )
        )
    # Sections cite the plans in force by their numbers, not the seed files (criteria.citations).
    return cite_figures(out, [model_plan, mq_plan, resolve_plan(Scheme.FOUR_GOODS, organization=holder, year=year)])


class _Path:
    """What engine.plan_in_force reads of an organization: its path."""

    def __init__(self, path):
        self.path = path


def _common_ancestor(cells):
    """The nearest organization above (or equal to) every cell, as a path holder (None: no cells)."""
    if hasattr(cells, "values_list"):
        paths = list(cells.values_list("path", flat=True))
    else:
        paths = [getattr(cell, "path", "") for cell in cells]
    if not paths or not all(paths):
        return None
    common = paths[0].split(".")[:-1]
    for path in paths[1:]:
        parts = path.split(".")[:-1]
        size = 0
        while size < min(len(common), len(parts)) and common[size] == parts[size]:
            size += 1
        common = common[:size]
    return _Path(".".join(common) + "." if common else "")


def _in(subjects, ids):
    """The cells as a subquery when they came as a queryset: thousands of ids are not sent back
    as parameters of every query (the dashboard runs these for five years)."""
    return subjects.values("pk") if hasattr(subjects, "values") else ids


def _ids(rows):
    return set(rows.values_list("organization_id", flat=True))


def _verdict_filter(what):
    """The stored verdicts an indicator counts: "eligible", or a criterion's code that is met."""
    return Q(eligible=True) if what == "eligible" else Q(**{f"statuses__{what}": MET})


class _Ids:
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
        return _ids(self._rows[scheme].filter(_verdict_filter(what)))

    def rated_good(self):
        cells = _in(self.subjects, self.total)
        rated = Rating.objects.filter(organization_id__in=cells, year=self.year, level__in=GOOD_LEVELS)
        return set(rated.values_list("organization_id", flat=True))

    def members_good(self, target):
        return _members_good(_in(self.subjects, self.total), self.year, target)


def _members_good(cell_ids, year, target):
    """Members on the roll on 31 December rated GOOD or higher, per cell for the drill-down [001 §II.1.2(5)]."""
    per_cell = _members_per_cell(cell_ids, year)
    total = sum(t for t, _g in per_cell.values())
    good = sum(g for _t, g in per_cell.values())
    below = sorted(pk for pk, (t, g) in per_cell.items() if g * 100 <= target * t)
    figure = _members_figure(good, total, target)
    figure["counted"] = sorted(set(per_cell) - set(below))
    figure["not_counted"] = below
    # Members rated good and members on the roll per cell: a committee's share sums its cells'.
    figure["parts"] = {pk: [g, t] for pk, (t, g) in per_cell.items()}
    return figure


def _members_per_cell(cell_ids, year):
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


class _Counts:
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
            aggregates[f"n_{scheme}_{what}"] = Count("pk", filter=Q(scheme=scheme) & _verdict_filter(what))
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
        return _CountsOfYear(self, year)


class _CountsOfYear:
    """One year of `_Counts`, with the interface of `_Ids` (`compute` reads either)."""

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


# Indicators whose data lives in an app above criteria (the recognition registrations) are
# registered by that app at startup (RecognitionConfig.ready), so criteria never imports it:
# the layers contract in .importlinter lets imports run only downwards (issue 10).
_PROVIDERS = {}


def register_indicator(code, function):
    """Let an upper app compute the indicator `code`.

    `function(cells=..., grassroots=..., year=..., plans=...)` returns one indicator dict
    (the keys of `_indicator`); `plans` maps a scheme to the plan resolved for it.
    Registering the same code again replaces the function (idempotent `ready()`).
    """
    _PROVIDERS[code] = function


def _provided(code, **context):
    """The registered indicator `code` as a one-item list, or nothing when no app provides it."""
    function = _PROVIDERS.get(code)
    return [function(**context)] if function is not None else []


FIGURES_TTL = 15 * 60  # seconds: a backstop; the key already changes with every verdict or fact change


def _scope(user):
    """The user's visible subtree as a string: the figures depend on it, not on who asks."""
    prefixes = prefixes_for(user, VIEW)
    return "*" if prefixes is None else ",".join(prefixes)


def _key(kind, user, root, year, version, extra=""):
    raw = f"{root.pk}|{year}|{_scope(user)}|{version}|{translation.get_language()}|{extra}"
    return f"{kind}:" + hashlib.sha256(raw.encode()).hexdigest()


def _figures(user, root, year, version):
    """The cached figures of one year (a copy: the cache unpickles what it hands out)."""
    from .selectors import visible_subtree

    key = _key("criteria-indicators", user, root, year, version)
    figures = cache.get(key)
    if figures is None:
        subtree = visible_subtree(user, root)
        cells = subtree.filter(kind__in=CELL_KINDS).order_by("path")
        grassroots = subtree.filter(kind__in=GRASSROOTS_KINDS).order_by("path")
        figures = compute(cells, grassroots, year, root=root)
        cache.set(key, figures, FIGURES_TTL)
    return figures


def for_root(user, root, year):
    """The indicators of the user's visible subtree under `root`, cached under the verdicts' version.

    Computing them reads every cell's stored verdict and the ratings (a province's 4,000 cells
    cost about a second); the figures only change when a verdict is recomputed or a fact marked
    changed, so the next views of the same subtree and year read the cache (issue 12)."""
    return _figures(user, root, year, figures_version())  # the cache hands out a copy of its own


# --------------------------------------------------------------------------- trends and comparison

TREND_SPAN = 5  # years shown on the dashboard's trend charts, the selected year last


def trend_years(year):
    """The years of a trend ending with `year`: 2025 gives 2021–2025."""
    return list(range(year - TREND_SPAN + 1, year + 1))


def trend(code, figures_by_year):
    """One point per year {year, value, target, numerator, denominator, met, target_text} of `code`.

    Read from each year's figures (stored verdicts, `compute`), so a year's point is exactly what
    that year's dashboard shows; a year without the indicator gives an empty point."""
    points = []
    for year, figures in sorted(figures_by_year.items()):
        figure = next((f for f in figures if f["code"] == code), None) or {}
        points.append(
            {
                "year": year,
                "value": figure.get("value"),
                "target": figure.get("target"),
                "numerator": figure.get("numerator"),
                "denominator": figure.get("denominator"),
                "met": figure.get("met"),
                "target_text": figure.get("target_text", ""),
            }
        )
    return points


def is_percent(figure):
    """Indicators are percentages unless they name another `unit` (e.g. "per_committee")."""
    return figure.get("unit") in (None, "", "%", "percent")


def parts(figure):
    """{cell id: (numerator, denominator)} behind a figure, or None when it is not counted by cells.

    A provider may give `parts` itself (members_good does: members per cell); a figure whose
    `subjects` are cells counts each cell once, 1/1 when counted, 0/1 when not."""
    if figure.get("parts") is not None:
        return {int(pk): (part[0], part[1]) for pk, part in figure["parts"].items()}
    if figure.get("subjects") != "cells":
        return None
    counted = set(figure["counted"])
    return {pk: (1 if pk in counted else 0, 1) for pk in counted | set(figure["not_counted"])}


def grassroots_units(user, root):
    """[(pk, name)] of the visible grassroots organizations under `root` and {cell id: their pk}.

    One query: a subordinate cell belongs to its nearest grassroots ancestor (read from the
    path), a grassroots cell to itself (SCHEMES §1.1; registry.models.GRASSROOTS_KINDS)."""
    from .selectors import visible_subtree

    rows = list(
        visible_subtree(user, root)
        .filter(kind__in=[*CELL_KINDS, *GRASSROOTS_KINDS])
        .order_by("path")
        .values_list("pk", "name", "path", "kind")
    )
    units = [(pk, name) for pk, name, _path, kind in rows if kind in GRASSROOTS_KINDS]
    unit_ids = {pk for pk, _name in units}
    owner = {}
    for pk, _name, path, kind in rows:
        if kind not in CELL_KINDS:
            continue
        chain = [int(part) for part in path.split(".") if part]  # ancestors first, the cell last
        found = [a for a in chain if a in unit_ids]
        if found:
            owner[pk] = found[-1]
    return units, owner


def committee_rows(figure, units, owner):
    """The figure per grassroots organization, best first: [{pk, name, numerator, denominator, value, met}].

    A percentage sums the numerators and denominators of the organization's cells; another unit
    shows the summed numerator. None when the figure is not counted by cells (see `parts`)."""
    if figure.get("units") is not None:  # counted in SQL per organization (`_Counts`)
        sums = {pk: list(figure["units"].get(pk, (0, 0))) for pk, _name in units}
    else:
        split = parts(figure)
        if split is None:
            return None
        if owner is None:
            return None
        sums = {pk: [0, 0] for pk, _name in units}
        for cell, (numerator, denominator) in split.items():
            unit = owner.get(cell)
            if unit is not None:
                sums[unit][0] += numerator
                sums[unit][1] += denominator
    percent = is_percent(figure)
    target, strict = figure.get("target"), figure.get("strict")
    out = []
    for pk, name in units:
        numerator, denominator = sums[pk]
        if percent:
            value = round(100.0 * numerator / denominator, 2) if denominator else None
        else:
            value = numerator if denominator else None
        met = None
        if value is not None and target is not None and percent:
            met = numerator * 100 > target * denominator if strict else numerator * 100 >= target * denominator
        out.append(
            {"pk": pk, "name": name, "numerator": numerator, "denominator": denominator, "value": value, "met": met}
        )
    # Best first; organizations without cells (no value) last; ties by name.
    out.sort(key=lambda r: (r["value"] is None, -(r["value"] or 0), r["name"]))
    for rank, row in enumerate(out, 1):
        row["rank"] = rank  # the place in the whole list, shown on every page of it
    return out


# Indicators from apps above criteria change with their own writes (a recognition over the verdict
# moves no verdict): those apps register a version source too, read with the verdicts' version.
_VERSION_SOURCES = []


def register_version_source(function):
    """`function()` returns a string that changes whenever the data of a registered indicator does."""
    if function not in _VERSION_SOURCES:
        _VERSION_SOURCES.append(function)


def figures_version():
    return "|".join([verdicts.version(), *(source() for source in _VERSION_SOURCES)])


def _dashboard(user_id, root_id, year):
    """The dashboard's payload (figure_cache's computer: plain arguments, so a worker can run it)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=user_id)
    root = Organization.objects.get(pk=root_id)
    years = trend_years(year)
    # The five years in one set of SQL aggregates (`_Counts`): a fixed number of queries, and the
    # payload holds numbers per grassroots organization, not the cells' ids (issue 12).
    counts = _Counts(user, root, years)
    by_year = {y: compute(counts.cells, counts.grassroots, y, root=root, counts=counts) for y in years}
    units = [(o.pk, o.name) for o in counts.grassroots]
    figures = by_year[year]
    owner = None
    if any(f.get("units") is None and parts(f) is not None for f in figures):
        owner = grassroots_units(user, root)[1]  # a registered indicator listing cells by id
    for figure in figures:
        figure["trend"] = trend(figure["code"], by_year)
        figure["committees"] = committee_rows(figure, units, owner)
        figure.pop("units", None)
        figure.pop("parts", None)
    return {"years": years, "figures": figures}


figure_cache.register("dashboard", _dashboard)


# Who opens the dashboard of the organization they are appointed to (a cell's secretary reads her
# cell's page instead; an attendee and the administrator have no subtree of their own).
DASHBOARD_ROLES = (Role.STANDING_COMMITTEE, Role.ORGANIZATION_BOARD, Role.PROPAGANDA_BOARD, Role.GRASSROOTS_STAFF)


def warm_dashboards(year=None):
    """Compute the dashboard of the organization of everyone who reads one (DASHBOARD_ROLES), once
    per subtree, so the first view of the day reads the cache (the nightly refresh calls it).
    Returns how many were computed."""
    from django.conf import settings

    from registry.models import Appointment

    from .templatetags.criteria_tags import default_year

    year = year or default_year()
    version = figures_version()
    done = set()
    appointments = Appointment.objects.filter(role__in=DASHBOARD_ROLES).select_related("user", "organization")
    for appointment in appointments.order_by("pk"):
        user, root = appointment.user, appointment.organization
        identity = {"root_id": root.pk, "year": year, "scope": _scope(user)}
        if str(identity) in done:
            continue
        done.add(str(identity))
        arguments = {"user_id": user.pk, "root_id": root.pk, "year": year}
        figure_cache.recompute("dashboard", arguments, version, settings.LANGUAGE_CODE, identity)
    return len(done)


def for_dashboard(user, root, year):
    """The year's figures, each with its `trend` over `trend_years(year)` and its `committees`,
    plus `computed_at` and `refreshing` for the page.

    Served by criteria.figure_cache: the same version reads the cache; after any change the
    previous payload is served at once while one recomputation runs behind it (a province's
    five years cost more than a second; the page must not). The number of queries of a
    computation is fixed: per year a fixed set of reads of the stored verdicts
    (criteria/verdicts.py) and facts, plus one query for the grassroots organizations; it does
    not grow with the cells or the committees (issue 12)."""
    data, computed_at, refreshing = figure_cache.get(
        "dashboard",
        {"user_id": user.pk, "root_id": root.pk, "year": year},
        figures_version(),
        translation.get_language(),
        identity={"root_id": root.pk, "year": year, "scope": _scope(user)},
    )
    # No deep copy: the cache backends hand out a copy of their own (pickled), and a payload just
    # computed was pickled when stored, so the page may decorate what it gets.
    data = dict(data, computed_at=computed_at, refreshing=refreshing)
    return data


DRILL_DOWN_LISTS = {
    # code: (scheme, what) of the stored verdicts the indicator counts; (None, None): the cells' ratings
    "model_cells": (Scheme.MODEL_CELL, "eligible"),
    "meeting_quality_good": (Scheme.MEETING_QUALITY, "MQ5"),
    "meeting_regime": (Scheme.MEETING_QUALITY, "MQ1"),
    "four_goods_pass": (Scheme.FOUR_GOODS, "eligible"),
    "cells_good": (None, None),
}


def drill_down(user, root, figure, year):
    """(counted, not counted) behind `figure` of the user's visible subtree under `root`.

    Each is either a queryset of (pk, name) rows in id order, read a page at a time (LIMIT and
    OFFSET) from the stored verdicts, the ratings or the organizations, or a list of ids (the
    members' indicator and the registered ones, whose figures carry their ids)."""
    from .models import Verdict
    from .selectors import visible_subtree

    code = figure["code"]
    subtree = visible_subtree(user, root)
    cells = subtree.filter(kind__in=CELL_KINDS)
    if code in DRILL_DOWN_LISTS:
        scheme, what = DRILL_DOWN_LISTS[code]
        if scheme is None:  # cells rated GOOD or higher in the year [001 §II.1.2(5)]
            hit = Exists(Rating.objects.filter(organization=OuterRef("pk"), year=year, level__in=GOOD_LEVELS))
        else:
            stored = Verdict.objects.filter(organization=OuterRef("pk"), scheme=scheme, year=year)
            hit = Exists(stored.filter(_verdict_filter(what)))
        rows = cells.order_by("pk").values_list("pk", "name")
        return rows.filter(hit), rows.exclude(hit)
    if code == "unit_head_secretary":
        rows = subtree.filter(kind__in=GRASSROOTS_KINDS).order_by("pk").values_list("pk", "name")
        return rows.filter(head_is_secretary=True), rows.exclude(head_is_secretary=True)
    if code == "members_good":
        per_cell = _members_per_cell(cells.values("pk"), year)
        below = sorted(pk for pk, (t, g) in per_cell.items() if g * 100 <= figure["target"] * t)
        return sorted(set(per_cell) - set(below)), below
    return list(figure.get("counted") or []), list(figure.get("not_counted") or [])


__all__ = [
    "compute",
    "drill_down",
    "figures_version",
    "for_dashboard",
    "for_root",
    "register_version_source",
    "trend",
    "trend_years",
    "Organization",
]
