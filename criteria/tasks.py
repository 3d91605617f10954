"""Celery tasks of the criteria app: keeping the stored verdicts fresh (issue 12). Both are idempotent."""

from celery import shared_task

from . import verdicts


@shared_task(name="criteria.refresh_verdicts", ignore_result=True)
def refresh_verdicts(organization_ids):
    """Recompute the stale verdicts of these organizations (sent after the write's commit)."""
    return verdicts.refresh(organization_ids)


@shared_task(name="criteria.refresh_all_verdicts", ignore_result=True)
def refresh_all_verdicts():
    """Nightly full refresh: catches any write that no signal reported; then the dashboards of
    everyone who reads one are computed, so nobody's first view of the day waits for them."""
    from . import indicators

    refreshed = verdicts.refresh_all()
    indicators.warm_dashboards()
    return refreshed


@shared_task(name="criteria.refresh_figures", ignore_result=True)
def refresh_figures(name, arguments, version, language, identity=None):
    """Recompute figures served stale by criteria.figure_cache (dashboard, trends)."""
    from . import figure_cache, indicators  # noqa: F401  (indicators registers its computers)

    figure_cache.recompute(name, arguments, version, language, identity)


@shared_task(name="criteria.restate_figures", ignore_result=True)
def restate_figures(root_id, first, last, reason=""):
    """After a plan changed: the figures stored on saved meetings and four-goods months of the
    plan's subtree (`root_id`; None: everywhere), years first..last, from the plans now in force.
    Idempotent: only rows whose figures differ are written (evaluations.services)."""
    from evaluations.restate import restate_stored_figures
    from registry.models import Organization

    organizations = Organization.objects.all()
    if root_id is not None:
        root = Organization.objects.filter(pk=root_id).first()
        organizations = Organization.objects.under([root]) if root else Organization.objects.none()
    return restate_stored_figures(
        list(organizations.values_list("pk", flat=True)), range(first, last + 1), reason=reason
    )
