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
