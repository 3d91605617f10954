"""Block-wide indicators per year against the documents' targets (SCHEMES §1.3, §2.2, §3).

Each indicator: code, title, section, numerator/denominator, value (%), target and whether it is
reached, plus the ids behind the figure (`counted`, `not_counted`; the API, `for_root`).

The dashboard (`for_dashboard`) counts the same indicators in SQL aggregates grouped by year and
grassroots organization (`indicator_sources.Counts`): its figures hold numbers, not ids, and its drill-down reads a
page of cells from the stored verdicts (`drill_down`), so a province costs what a block does
(issue 12).
"""

import hashlib

from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext as _

from registry.models import CELL_KINDS, GRASSROOTS_KINDS, Organization, Rating, Role
from registry.scoping import VIEW, prefixes_for

from . import figure_cache, verdicts
from .citations import cite_figures
from .engine import resolve_plan
from .indicator_sources import GOOD_LEVELS, Counts, Ids, Tally, members_per_cell, verdict_filter
from .models import Scheme


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


def _good_share_target(params, year):
    """The meeting-quality target that applies to `year`: the nearest target year not before it."""
    targets = sorted(params["targets"]["good_share"], key=lambda t: t["year"])
    for target in targets:
        if target["year"] >= year:
            return target
    return targets[-1]


def compute(cells, grassroots, year, root=None, counts=None):
    """Every indicator for the given cells and grassroots organizations (already scoped).

    `counts` (a `indicator_sources.Counts`, the dashboard's): the cell-based indicators are read from its SQL
    aggregates, as numbers per grassroots organization (`units`) without the ids of the cells
    (`counted`/`not_counted` are None); without it each indicator lists its ids (the API)."""
    source = Ids(cells, year) if counts is None else counts.year(year)
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
    if figure.get("units") is not None:  # counted in SQL per organization (`indicator_sources.Counts`)
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
    # The five years in one set of SQL aggregates (`indicator_sources.Counts`): a fixed number of queries, and the
    # payload holds numbers per grassroots organization, not the cells' ids (issue 12).
    counts = Counts(user, root, years)
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
            hit = Exists(stored.filter(verdict_filter(what)))
        rows = cells.order_by("pk").values_list("pk", "name")
        return rows.filter(hit), rows.exclude(hit)
    if code == "unit_head_secretary":
        rows = subtree.filter(kind__in=GRASSROOTS_KINDS).order_by("pk").values_list("pk", "name")
        return rows.filter(head_is_secretary=True), rows.exclude(head_is_secretary=True)
    if code == "members_good":
        per_cell = members_per_cell(cells.values("pk"), year)
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
