"""Block-wide indicators per year against the documents' targets (SCHEMES §1.3, §2.2, §3).

Each indicator: code, title, section, numerator/denominator, value (%), target and whether it is
reached, plus the ids behind the figure (`counted`, `not_counted`) for the drill-down.
"""

import copy
import datetime
import hashlib

from django.core.cache import cache
from django.db.models import Count
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
    value = round(100.0 * len(counted) / len(total), 2) if total else None
    met = None
    if value is not None and target is not None:
        met = len(counted) * 100 > target * len(total) if strict else len(counted) * 100 >= target * len(total)
    return {
        "code": code,
        "title": title,
        "section": section,
        "numerator": len(counted),
        "denominator": len(total),
        "value": value,
        "target": target,
        "strict": strict,
        "target_text": target_text,
        "met": met,
        "counted": sorted(counted),
        "not_counted": sorted(not_counted if not_counted is not None else set(total) - set(counted)),
        "note": note,
        # What the ids in counted/not_counted are: "cells" lets the dashboard compare the
        # grassroots organizations by their cells (committee_rows); anything else is not compared.
        "subjects": subjects,
    }


def _good_share_target(params, year):
    """The meeting-quality target that applies to `year`: the nearest target year not before it."""
    targets = sorted(params["targets"]["good_share"], key=lambda t: t["year"])
    for target in targets:
        if target["year"] >= year:
            return target
    return targets[-1]


def compute(cells, grassroots, year, root=None):
    """Every indicator for the given cells and grassroots organizations (already scoped)."""
    subjects = cells  # a queryset travels to the stored verdicts as a subquery
    cells = list(cells)
    grassroots = list(grassroots)
    cell_ids = {c.pk for c in cells}
    # Stored verdicts (criteria/verdicts.py), filtered in SQL: the cost does not grow with the cells.
    model_rows = verdicts.rows(subjects, Scheme.MODEL_CELL, year)
    mq_rows = verdicts.rows(subjects, Scheme.MEETING_QUALITY, year)
    four_goods_rows = verdicts.rows(subjects, Scheme.FOUR_GOODS, year)
    model_plan = resolve_plan(Scheme.MODEL_CELL)
    mq_plan = resolve_plan(Scheme.MEETING_QUALITY)
    mq_targets = mq_plan.params["targets"]
    out = []

    target = model_plan.params["targets"]
    eligible = _ids(model_rows.filter(eligible=True))
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
    good_quality = _ids(mq_rows.filter(statuses__MQ5=MET))
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
    regime = _ids(mq_rows.filter(statuses__MQ1=MET))
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
    rated_good = set(
        Rating.objects.filter(
            organization_id__in=_in(subjects, cell_ids), year=year, level__in=GOOD_LEVELS
        ).values_list("organization_id", flat=True)
    )
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
    out.append(_members_good(_in(subjects, cell_ids), year, mq_targets["members_good_pct"]))
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
    four_goods = _ids(four_goods_rows.filter(eligible=True))
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
    return cite_figures(out, [model_plan, mq_plan, resolve_plan(Scheme.FOUR_GOODS)])


def _in(subjects, ids):
    """The cells as a subquery when they came as a queryset: thousands of ids are not sent back
    as parameters of every query (the dashboard runs these for five years)."""
    return subjects.values("pk") if hasattr(subjects, "values") else ids


def _ids(rows):
    return set(rows.values_list("organization_id", flat=True))


def _members_good(cell_ids, year, target):
    """Members on the roll on 31 December rated GOOD or higher, per cell for the drill-down [001 §II.1.2(5)]."""
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
    per_cell = {pk: (n, goods.get(pk, 0)) for pk, n in totals}
    total = sum(t for t, _g in per_cell.values())
    good = sum(g for _t, g in per_cell.values())
    value = round(100.0 * good / total, 2) if total else None
    below = sorted(pk for pk, (t, g) in per_cell.items() if g * 100 <= target * t)
    return {
        "code": "members_good",
        "title": _("Tỷ lệ đảng viên xếp loại Hoàn thành tốt nhiệm vụ trở lên"),
        "section": "[001 §II.1.2(5)]",
        "numerator": good,
        "denominator": total,
        "value": value,
        "target": target,
        "strict": True,
        "target_text": _("trên %(p)s%%") % {"p": target},
        "met": (good * 100 > target * total) if total else None,
        "counted": sorted(set(per_cell) - set(below)),
        "not_counted": below,
        "note": _("Đơn vị tính là đảng viên; danh sách chi tiết là các chi bộ có tỷ lệ chưa vượt chỉ tiêu."),
        "subjects": "cells",
        # Members rated good and members on the roll per cell: a committee's share sums its cells'.
        "parts": {pk: [g, t] for pk, (t, g) in per_cell.items()},
    }


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
    """The cached figures of one year (not copied: callers copy before decorating)."""
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
    return copy.deepcopy(_figures(user, root, year, figures_version()))


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
    split = parts(figure)
    if split is None:
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
    version = figures_version()
    years = trend_years(year)
    by_year = {y: _figures(user, root, y, version) for y in years}
    units, owner = grassroots_units(user, root)
    figures = copy.deepcopy(by_year[year])
    for figure in figures:
        figure["trend"] = trend(figure["code"], by_year)
        figure["committees"] = committee_rows(figure, units, owner)
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
    data = copy.deepcopy(data)
    data.update(computed_at=computed_at, refreshing=refreshing)
    return data


__all__ = [
    "compute",
    "figures_version",
    "for_dashboard",
    "for_root",
    "register_version_source",
    "trend",
    "trend_years",
    "Organization",
]
