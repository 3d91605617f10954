"""The one bridge to the criteria engines: what the deciders see at each step (SCHEMES §5).

When the engine fails the workflow goes on and the snapshot says so in Vietnamese.
"""

import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from criteria import engine
from criteria.models import Scheme

from .models import SubjectKind

logger = logging.getLogger(__name__)


def _unavailable(reason):
    return {
        "available": False,
        "eligible": None,
        "summary": reason,
        "criteria": [],
        "computed_at": timezone.now().isoformat(),
    }


def assessed_year(scheme, registration_year):
    """The last year the engine judges for a registration of `registration_year`.

    A model cell is recognized in Q1 of its year on the window that ended the year
    before: recognition in Q1/2025 looks at 2020–2024 [000 §IV.1, SCHEMES §1.1 G1].
    The other schemes judge the registration's own year.
    """
    return registration_year - 1 if scheme == Scheme.MODEL_CELL else registration_year


def snapshot_for(registration):
    """The eligibility of the registration's subject for its scheme and year, as plain JSON.

    Individuals go through `evaluate_members`; organizations and collective models
    (judged on their executing organization, SCHEMES §4.3) through `evaluate`.
    """
    year = assessed_year(registration.scheme, registration.year)
    try:
        if registration.subject_kind == SubjectKind.MEMBER:
            results = engine.evaluate_members([registration.member], year, plan=registration.plan)
            result = results[registration.member.pk]
        else:
            results = engine.evaluate([registration.organization], registration.scheme, year, plan=registration.plan)
            result = results[registration.organization.pk]
    except Exception as exc:  # the workflow must go on; the snapshot records the failure
        logger.exception("criteria engine failed for registration %s", registration.pk)
        return _unavailable(_("Không tính được kết quả tiêu chí: %(error)s") % {"error": exc})
    data = result.as_dict()
    data = dict(data) if isinstance(data, dict) else {"criteria": list(data)}
    data["available"] = True
    data["eligible"] = bool(result.eligible)
    data.setdefault("summary", str(getattr(result, "summary", "")))
    data["computed_at"] = timezone.now().isoformat()
    return data
