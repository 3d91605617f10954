"""Block-wide indicators computed from registrations (SCHEMES §1.3).

The criteria app lists the indicators of the dashboard but may not import this app
(layers, .importlinter); `RecognitionConfig.ready()` registers the functions here
with `criteria.indicators.register_indicator`.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from criteria.models import Scheme
from registry.models import OrganizationKind

from .models import Registration, State

# A registration that was refused or revoked no longer counts as registered.
NOT_COUNTED_STATES = (State.REJECTED, State.REVOKED)


def registrations(*, grassroots, year, plans, **_context):
    """Model cells registered per grassroots committee against "at least 1 each" [000 §IV.1, §V.2].

    The value is the average number of registrations per grassroots committee; the target is
    met when every committee has registered at least the plan's minimum (SCHEMES §1.3:
    "each grassroots committee registers at least 1 of its cells"). Registrations of any
    year up to `year` count, since a registered cell stays on the list until dropped.
    """
    plan = plans[Scheme.MODEL_CELL]
    minimum = plan.params["registration"]["min_per_grassroots_committee"]
    committees = [o for o in grassroots if o.kind == OrganizationKind.GRASSROOTS_COMMITTEE]
    paths = []
    if committees:
        under_a_committee = Q(*[Q(organization__path__startswith=c.path) for c in committees], _connector=Q.OR)
        paths = list(
            Registration.objects.filter(scheme=Scheme.MODEL_CELL, year__lte=year)
            .exclude(state__in=NOT_COUNTED_STATES)
            .filter(under_a_committee)
            .values_list("organization__path", flat=True)
        )
    per_committee = {c.pk: sum(1 for p in paths if p.startswith(c.path)) for c in committees}
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
    ids = {o.pk for o in cells} | {o.pk for o in grassroots}
    recognized = list(
        Registration.objects.filter(year=year, state=State.RECOGNIZED, organization_id__in=sorted(ids)).values_list(
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
