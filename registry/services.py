"""Writes of the registry: ratings entered for a cell, imports from spreadsheets.

Keyword-only functions named <entity>_<action>, atomic; views and serializers stay thin.
"""

import math
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _lazy
from simple_history.utils import bulk_create_with_history

from .models import Member, Rating, RatingLevel
from .scoping import EDIT_REGISTRY

# SCHEMES §0 (QĐ 366-QĐ/TW, HD 43-HD/BTCTW): those rated EXCELLENT may not exceed
# 20% of those rated GOOD. Read literally, the base is the number rated exactly GOOD
# (not "GOOD or higher"), and "may not exceed" rounds the cap DOWN: cap = floor(0.2 × GOOD).
# 10 GOOD -> at most 2 EXCELLENT; 4 GOOD -> 0. The competent level may allow 25%.
EXCELLENT_CAP_SHARE = 0.20


@dataclass
class ExcellentCap:
    """The share rated EXCELLENT against the 20%-of-GOOD cap (SCHEMES §0)."""

    rated: int
    excellent: int
    good: int
    share: float = 0.20

    @property
    def cap(self):
        return math.floor(self.share * self.good + 1e-9)

    @property
    def exceeded(self):
        return self.excellent > self.cap

    @property
    def excellent_percent_of_good(self):
        return round(100 * self.excellent / self.good, 1) if self.good else None


def excellent_cap(levels, *, share=EXCELLENT_CAP_SHARE):
    """Count EXCELLENT and GOOD among `levels` (an iterable of RatingLevel values or blanks)."""
    levels = [level for level in levels if level]
    return ExcellentCap(
        rated=len(levels),
        excellent=sum(1 for level in levels if level == RatingLevel.EXCELLENT),
        good=sum(1 for level in levels if level == RatingLevel.GOOD),
        share=share,
    )


class RatingRefused(Exception):
    """Some subjects already have a rating for the year: nothing was written."""

    def __init__(self, member_ids):
        super().__init__(member_ids)
        self.member_ids = set(member_ids)


@transaction.atomic
def rating_record_for_members(*, year, levels, recorded_by):
    """Record one rating per member for `year`; `levels` maps Member -> RatingLevel.

    One rating per subject per year (SCHEMES §0): if any member is already rated
    for the year, nothing is written and RatingRefused names them. Rows are locked
    so two secretaries saving at once cannot both write.
    """
    members = {m.pk: m for m in levels}
    list(Member.objects.select_for_update().filter(pk__in=members))
    taken = set(Rating.objects.filter(year=year, member_id__in=members).values_list("member_id", flat=True))
    if taken:
        raise RatingRefused(taken)
    # bulk_create skips the history signals: write the audit rows alongside.
    return bulk_create_with_history(
        [Rating(member=member, year=year, level=level, recorded_by=recorded_by) for member, level in levels.items()],
        Rating,
        default_user=recorded_by,
    )


# --- import ---------------------------------------------------------------------------


OUT_OF_WRITE_SCOPE = _lazy("Bản ghi sau khi lưu sẽ nằm ngoài phạm vi tổ chức bạn được sửa; chưa có gì được lưu.")


@transaction.atomic
def registry_record_save(*, user, serializer, capability=EDIT_REGISTRY, **extra):
    """Create or change one registry record from a validated API serializer (issue 10, one write path).

    In one transaction: a change re-reads the stored row through the write half of the policy
    and locks it (a row outside answers 404, as a missing one); the serializer writes; then the
    record AS WRITTEN must still lie in the write half — a create or a change that would land
    outside what `user` may change is refused and rolled back, whatever ids the body named.
    History (django-simple-history) names `user`.
    """
    stored = serializer.instance
    if stored is not None:
        model = type(stored)
        if not model.objects.writable_by(user, capability).filter(pk=stored.pk).exists():
            raise Http404
        model.objects.select_for_update().filter(pk=stored.pk).exists()  # lock: concurrent writers queue
    record = serializer.save(**extra)
    if not type(record).objects.writable_by(user, capability).filter(pk=record.pk).exists():
        raise PermissionDenied(OUT_OF_WRITE_SCOPE)
    return record
