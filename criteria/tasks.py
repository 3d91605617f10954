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
