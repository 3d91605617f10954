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


# --------------------------------------------------------------------------- decisions follow verdicts (issue 12)

FAILING_STATUSES = ("not_met", "missing_data")  # criteria.results NOT_MET, MISSING


def is_eligible(snapshot):
    """True only when the engine answered and said eligible; a failed engine is not a pass."""
    return bool(snapshot) and snapshot.get("available", True) and snapshot.get("eligible") is True


def unmet_criteria(snapshot):
    """The criteria a snapshot fails, as Vietnamese labels "G3 Title" ("(thiếu số liệu)" when the
    data is missing); the reasons themselves are on the page beside the verdict."""
    lines = []
    for criterion in (snapshot or {}).get("criteria") or []:
        status = criterion.get("status")
        if status in FAILING_STATUSES:
            line = f"{criterion.get('code', '')} {criterion.get('title', '')}".strip().rstrip(".")
            if status == "missing_data":
                line = _("%(criterion)s (thiếu số liệu)") % {"criterion": line}
            lines.append(line)
    return lines


def verdict_text(snapshot):
    """Why the verdict is not eligible, in one Vietnamese sentence (unmet criteria, or the engine's failure)."""
    if snapshot and snapshot.get("available") is False:
        return snapshot.get("summary") or _("Không tính được kết quả tiêu chí.")
    unmet = unmet_criteria(snapshot)
    if unmet:
        # Each item may end with the reason's own full stop: no second one after the last.
        return _("Tiêu chí chưa đạt: %(list)s.") % {"list": "; ".join(unmet).rstrip(".")}
    return (snapshot or {}).get("summary") or _("Kết quả đối chiếu tiêu chí: chưa đủ điều kiện.")


def snapshot_time(snapshot):
    """When a snapshot was computed (its `computed_at`), as an aware datetime or None."""
    from django.utils.dateparse import parse_datetime

    value = (snapshot or {}).get("computed_at")
    return parse_datetime(value) if isinstance(value, str) else None


def facts_changed_at(registration):
    """When a fact the registration's verdict reads last changed (criteria.verdicts), or None."""
    from criteria import verdicts

    return verdicts.facts_changed_at(
        registration.organization_id, registration.scheme, assessed_year(registration.scheme, registration.year)
    )


def is_stale(moment, changed_at):
    """A snapshot taken at `moment` is older than the facts when they changed after it."""
    return moment is not None and changed_at is not None and changed_at > moment
