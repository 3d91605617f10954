"""Block-wide indicators per year against the documents' targets (SCHEMES §1.3, §2.2, §3).

Each indicator: code, title, section, numerator/denominator, value (%), target and whether it is
reached, plus the ids behind the figure (`counted`, `not_counted`) for the drill-down.
"""

import copy
import datetime
import hashlib

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext as _

from registry.models import CELL_KINDS, GRASSROOTS_KINDS, Membership, Organization, Rating
from registry.scoping import VIEW, prefixes_for

from . import verdicts
from .engine import resolve_plan
from .models import Scheme
from .results import MET

GOOD_LEVELS = ("GOOD", "EXCELLENT")


def _indicator(
    code, title, section, counted, total, target=None, strict=False, target_text="", not_counted=None, note=""
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
        Rating.objects.filter(organization_id__in=cell_ids, year=year, level__in=GOOD_LEVELS).values_list(
            "organization_id", flat=True
        )
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
    out.append(_members_good(cell_ids, year, mq_targets["members_good_pct"]))
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
    return out


def _ids(rows):
    return set(rows.values_list("organization_id", flat=True))


def _members_good(cell_ids, year, target):
    """Members on the roll on 31 December rated GOOD or higher, per cell for the drill-down [001 §II.1.2(5)]."""
    day = datetime.date(year, 12, 31)
    roll = Membership.objects.on_date(day).filter(cell_id__in=cell_ids)
    per_cell = {
        row["cell_id"]: (row["total"], row["good"])
        for row in roll.values("cell_id").annotate(
            total=Count("member_id", distinct=True),
            good=Count(
                "member__ratings",
                filter=Q(member__ratings__year=year, member__ratings__level__in=GOOD_LEVELS),
                distinct=True,
            ),
        )
    }
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


def for_root(user, root, year):
    """The indicators of the user's visible subtree under `root`, cached under the verdicts' version.

    Computing them reads every cell's stored verdict and the ratings (a province's 4,000 cells
    cost about a second); the figures only change when a verdict is recomputed or a fact marked
    changed, so the next views of the same subtree and year read the cache (issue 12)."""
    from .selectors import visible_subtree

    prefixes = prefixes_for(user, VIEW)
    scope = "*" if prefixes is None else ",".join(prefixes)
    raw = f"{root.pk}|{year}|{scope}|{verdicts.version()}|{translation.get_language()}"
    key = "criteria-indicators:" + hashlib.sha256(raw.encode()).hexdigest()
    figures = cache.get(key)
    if figures is None:
        subtree = visible_subtree(user, root)
        cells = subtree.filter(kind__in=CELL_KINDS).order_by("path")
        grassroots = subtree.filter(kind__in=GRASSROOTS_KINDS).order_by("path")
        figures = compute(cells, grassroots, year, root=root)
        cache.set(key, figures, FIGURES_TTL)
    return copy.deepcopy(figures)  # callers decorate the dicts (bars); the cached ones stay as computed


__all__ = ["compute", "for_root", "Organization"]
