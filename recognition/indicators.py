"""Block-wide indicators computed from registrations (SCHEMES §1.3).

The criteria app lists the indicators of the dashboard but may not import this app
(layers, .importlinter); `RecognitionConfig.ready()` registers the functions here
with `criteria.indicators.register_indicator`.
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from criteria.models import Scheme
from registry.models import OrganizationKind

from .models import Registration, State

# A registration that was refused or revoked no longer counts as registered.
NOT_COUNTED_STATES = (State.REJECTED, State.REVOKED)


def _of(cells):
    """Q: the registration's organization is one of `cells`: a subquery for a queryset (the
    dashboard's 4,000 cells stay in the database), the ids for a list."""
    if isinstance(cells, QuerySet):
        return Q(organization_id__in=cells.values("pk"))
    return Q(organization_id__in=sorted({o.pk for o in cells}))


def registrations(*, cells, grassroots, year, plans, **_context):
    """Model cells registered per grassroots committee against "at least 1 each" [000 §IV.1, §V.2].

    The value is the average number of registrations per grassroots committee; the target is
    met when every committee has registered at least the plan's minimum (SCHEMES §1.3:
    "each grassroots committee registers at least 1 of its cells"). Registrations of any
    year up to `year` count, since a registered cell stays on the list until dropped.
    """
    plan = plans[Scheme.MODEL_CELL]
    minimum = plan.params["registration"]["min_per_grassroots_committee"]
    committees = [o for o in grassroots if o.kind == OrganizationKind.GRASSROOTS_COMMITTEE]
    per_committee = {c.pk: 0 for c in committees}
    if committees:
        # The registrations of the (already scoped) cells, each counted for the committee on its
        # path: one query whatever the number of committees or cells (issue 12).
        paths = (
            Registration.objects.filter(_of(cells), scheme=Scheme.MODEL_CELL, year__lte=year)
            .exclude(state__in=NOT_COUNTED_STATES)
            .values_list("organization__path", flat=True)
        )
        for path in paths:
            for part in path.split("."):
                if part and int(part) in per_committee:
                    per_committee[int(part)] += 1
    done = sorted(pk for pk, n in per_committee.items() if n >= minimum)
    total = sum(per_committee.values())
    return {
        "code": "registrations",
        "title": _("Số chi bộ đăng ký xây dựng chi bộ kiểu mẫu bình quân mỗi đảng bộ cơ sở"),
        "section": "[000 §IV.1; §V.2]",
        "numerator": total,
        "denominator": len(committees),
        "value": round(total / len(committees), 2) if committees else None,
        "target": minimum,
        "strict": False,
        "target_text": _("mỗi đảng bộ cơ sở ít nhất %(n)d chi bộ") % {"n": minimum},
        "met": (len(done) == len(committees)) if committees else None,
        "counted": done,
        "not_counted": sorted(set(per_committee) - set(done)),
        "note": _("Giá trị là số đăng ký bình quân; danh sách chi tiết là các đảng bộ cơ sở."),
        "unit": "per_committee",
    }


def recognized_over_verdict(*, cells, grassroots, year, **_context):
    """Recognitions of `year` in the subtree made although the verdict recomputed at the decision
    said "not eligible", each with its written reason (issue 12: decisions follow verdicts).

    A count, not a rate to reach (`unit` "count"): the value is the number of overridden
    recognitions, the denominator all the year's recognitions in the subtree; there is no target
    (every override needs its own reason). `counted` are the organizations of the overridden
    recognitions, `not_counted` those recognized on an eligible verdict.
    """
    in_subtree = _of(cells) | Q(organization_id__in=sorted({o.pk for o in grassroots}))
    recognized = list(
        Registration.objects.filter(in_subtree, year=year, state=State.RECOGNIZED).values_list(
            "organization_id", "recognized_over_verdict"
        )
    )
    over = sorted({pk for pk, flag in recognized if flag})
    total = len(recognized)
    overridden = sum(1 for _pk, flag in recognized if flag)
    return {
        "code": "recognized_over_verdict",
        "title": _("Công nhận vượt kết quả đối chiếu tiêu chí (công nhận dù chưa đủ điều kiện)"),
        "section": "[SCHEMES §5]",
        "numerator": overridden,
        "denominator": total,
        "value": overridden,
        "target": None,
        "strict": False,
        "target_text": _("không đặt chỉ tiêu; mỗi trường hợp phải ghi rõ lý do"),
        "met": None,
        "counted": over,
        "not_counted": sorted({pk for pk, _flag in recognized} - set(over)),
        "note": _("Số trường hợp được công nhận dù kết quả đối chiếu tiêu chí lúc quyết định là chưa đủ điều kiện."),
        "unit": "count",
        # The ids are the organizations recognized (cells and committees), not the cells of a rate:
        # the dashboard does not compare grassroots organizations on it (criteria.indicators.parts).
        "subjects": "organizations",
    }


def version():
    """Changes with every move of a registration (the registered indicators read registrations):
    criteria.indicators.figures_version() joins it to the verdicts' version."""
    from django.db.models import Max

    from .models import Transition

    return str(Transition.objects.aggregate(latest=Max("at"))["latest"])
