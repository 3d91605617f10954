"""Restating the figures stored on saved records when the plan in force changes (issue 12).

A meeting stores, when filed, the speakers its cell's size requires, its minimum duration and its
quality level; a four-goods month its pass. They follow the plan in force for the cell and year
(evaluations.thresholds), so a plan created, edited or deleted restates them here
(criteria.tasks.restate_figures, after the plan's commit).
"""

import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from registry.signals import facts_changed

from . import selectors, thresholds
from .models import FourGoodsAssessment, Meeting


def _year_spans(years):
    """[(first, last)] runs of consecutive years, so dates are filtered by ranges (the index)."""
    spans = []
    for year in sorted(set(years)):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return spans


def _four_goods_frameworks(organizations):
    """{organization pk: its four-goods framework}, one query for them all (the nearest adopting
    ancestor's, else the general default, else any active one; the portal's defaults when none)."""
    from .models import FourGoodsFramework

    chosen = FourGoodsFramework.objects.for_organizations(organizations)
    if any(framework is None for framework in chosen.values()):
        _meeting, default = selectors.ensure_default_frameworks()
        chosen = {pk: framework or default for pk, framework in chosen.items()}
    return chosen


RESTATED_MEETING_FIELDS = ("required_speakers", "required_minutes", "quality_level")


def _write_restated(model, rows, fields, reason):
    """Write the restated `fields` of `rows`: one UPDATE per distinct set of new values (a handful:
    speakers bands x durations x levels for meetings, pass or fail for months; never more with more
    rows), then one INSERT of their history rows with `reason`.

    Not QuerySet.bulk_update: it writes one CASE WHEN branch per row for every field, which
    PostgreSQL evaluates for every row (quadratic: 6,251 meetings of the demo block took 4.6 s in
    the UPDATE alone, about 12 s in all). UPDATE ... WHERE id IN (...) leaves `updated_at` (auto_now)
    alone as well: QuerySet.update never sets it.
    """
    if not rows:
        return
    groups = {}
    for row in rows:
        groups.setdefault(tuple(getattr(row, name) for name in fields), []).append(row.pk)
    for values, pks in groups.items():
        # One query per group on PostgreSQL; SQLite (the embedded default) caps a statement's
        # parameters, so there the ids go in chunks, as Django's own bulk writes do.
        size = connection.ops.bulk_batch_size(["pk"], pks) or len(pks)
        for start in range(0, len(pks), size):
            model.objects.filter(pk__in=pks[start : start + size]).update(**dict(zip(fields, values, strict=True)))
    model.history.bulk_history_create(rows, update=True, default_change_reason=reason)


def restate_stored_figures(organization_ids, years, *, reason=""):
    """Recompute the figures derived from the thresholds in force on the records already saved
    (issue 12: one source per threshold), after a plan was created, copied or edited.

    For the meetings of cells among `organization_ids` dated in `years`: the speakers required by
    the cell's size [000 §II.1(2)] from the roll size stored when the meeting was filed (members
    exempted left out, as `meeting_figures` counted it), the minimum duration by the kind (HD
    12-HD/BTCTW) and the quality level from the score that counts, the attendee's decided score
    else the cell's own [001 §III.4(3)]. For the four-goods months of these organizations and years:
    the month's pass by the plan's pass mark [004 §II.4.2.2]. The same Thresholds methods as
    `meeting_save`, `attendee_report_file` and `four_goods_save` use, so a restated record holds
    what saving it again would store.

    Only rows whose figures change are written (`_write_restated`): on PostgreSQL the number of
    queries does not grow with the number of rows (SQLite, the embedded default, writes in chunks).

    Nothing else on the rows changes, `updated_at` included: it is the time a person last edited the
    record (auto_now on the services' save), and a number restated by a plan is no edit of theirs;
    the history row written with each change says when and why (`reason`, e.g. the plan's number),
    with no user.

    Locked months are restated too. A month lock (issue 10, hole 8; services `_refuse_locked`)
    freezes what the cell filed: the record, the roll call, the points, the criteria achieved, the
    votes, the scores; none of it is touched here. The required speakers and minutes, the level and
    the pass are not filed by anyone: the documents make them follow the plan's scale, the month
    "tự nhận mức xếp loại đạt hoặc không đạt (theo khung tiêu chí đánh giá ...)" [004 §II.4.2.1]
    with the pass mark of the plan [004 §II.4.2.2], the level from the score on the framework the
    plan adopts [001 §III.4; SCHEMES §2.1]; keeping the old numbers in a locked month would show a
    level the verdict contradicts. No document forbids restating them (the seeds say nothing of
    locking; it is the portal's own rule).

    The rows are written without model signals, so the verdicts reading them are told through
    registry.signals.facts_changed (as other bulk writes do) once the writes are done: a plan of one
    scheme (a meeting-quality plan) may change facts another scheme reads (four-goods reads the
    meeting levels, FG2.2), which the plan's own staleness (criteria.signals) does not reach.
    Answers {"meetings": rows restated, "four_goods": rows restated}.
    """
    organization_ids = sorted({int(pk) for pk in organization_ids if pk is not None})
    years = sorted({int(year) for year in years if year})
    restated = {"meetings": 0, "four_goods": 0}
    if not organization_ids or not years:
        return restated
    reason = (reason or _("Tính lại theo kế hoạch đang áp dụng"))[:100]
    dated = Q()
    for first, last in _year_spans(years):
        dated |= Q(date__gte=datetime.date(first, 1, 1), date__lte=datetime.date(last, 12, 31))
    changed_years = {}  # year -> {"kinds": set(), "organizations": set()}
    with transaction.atomic():
        # Row-locked (the records only, not their organizations) so that a secretary's save running
        # meanwhile (meeting_save locks the same row) is never overwritten with figures of the roll
        # as it was: that save waits for this one, or this one reads the row it wrote.
        meetings = list(
            Meeting.objects.select_for_update(of=("self",))
            .filter(dated, cell_id__in=organization_ids)
            .select_related("cell")
            .order_by("pk")  # one locking order: two restatings at once never deadlock
        )
        months = list(
            FourGoodsAssessment.objects.select_for_update(of=("self",))
            .filter(organization_id__in=organization_ids, year__in=years)
            .select_related("organization")
            .order_by("pk")
        )
        organizations_by_year = {}
        for meeting in meetings:
            organizations_by_year.setdefault(meeting.date.year, {})[meeting.cell_id] = meeting.cell
        for month in months:
            organizations_by_year.setdefault(month.year, {})[month.organization_id] = month.organization
        # One call per year for every organization of that year (the provider answers them together).
        in_force = {
            year: thresholds.for_organizations(list(found.values()), year)
            for year, found in sorted(organizations_by_year.items())
        }

        def mark(year, kind, organization_id):
            entry = changed_years.setdefault(year, {"kinds": set(), "organizations": set()})
            entry["kinds"].add(kind)
            entry["organizations"].add(organization_id)

        changed_meetings = []
        for meeting in meetings:
            numbers = in_force[meeting.date.year][meeting.cell_id]
            values = {
                "required_speakers": numbers.required_speakers(meeting.roll_size),
                "required_minutes": numbers.required_minutes(meeting.kind),
                "quality_level": numbers.level_for(meeting.effective_score),
            }
            if any(getattr(meeting, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(meeting, name, value)
                changed_meetings.append(meeting)
                mark(meeting.date.year, "meetings", meeting.cell_id)

        changed_months = []
        organizations = {m.organization_id: m.organization for m in months}
        frameworks = _four_goods_frameworks(organizations.values()) if months else {}
        for month in months:
            numbers = in_force[month.year][month.organization_id]
            passed = numbers.month_passes(frameworks[month.organization_id], month.points or {}, month.achieved or {})
            if passed != month.passed:
                month.passed = passed
                changed_months.append(month)
                mark(month.year, "four_goods", month.organization_id)

        _write_restated(Meeting, changed_meetings, RESTATED_MEETING_FIELDS, reason)
        _write_restated(FourGoodsAssessment, changed_months, ("passed",), reason)
    restated["meetings"], restated["four_goods"] = len(changed_meetings), len(changed_months)
    # Outside the block: called after a plan's commit, this joins the refresh the plan already
    # scheduled (criteria.verdicts buffers one per transaction) instead of starting a second one.
    for year, entry in sorted(changed_years.items()):
        facts_changed.send(
            sender=Meeting if "meetings" in entry["kinds"] else FourGoodsAssessment,
            organization_ids=sorted(entry["organizations"]),
            member_ids=[],
            year=year,
            kinds=tuple(sorted(entry["kinds"])),
        )
    return restated
