"""Signals the lower apps send so upper apps can react without being imported (layers, .importlinter)."""

from django.dispatch import Signal

# A fact a recognition scheme reads was written. kwargs: organization_ids, member_ids, year (None = all years).
# criteria.verdicts marks the affected stored verdicts stale and schedules their refresh (issue 12).
facts_changed = Signal()  # kwargs: organization_ids, member_ids, year (None = all years)
