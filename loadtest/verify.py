#!/usr/bin/env python
"""Were the writes the load test counted as saved really saved? (issue 13)

    DATABASE_URL=... .venv/bin/python loadtest/verify.py --since 2026-12-04T02:30:00+00:00 \
        --saved var/loadtest/province/saved.json

Counts, in the database, what the load-test accounts (`lt-…`, loadtest/accounts.py) wrote
since `--since` (taken by loadtest/province.sh just before locust starts):
meetings with their attendance (one row per member of the roll), four-goods saves (history
rows) and the months they touched, decisions with their number (and their PDF, rendered by
the Celery worker after the commit), and compares them with what locust counted as saved
(a POST answered by a redirect to the record). Decision numbers are checked for gaps and
duplicates per issuer and year. Exit status 1 when anything differs.
"""

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "lt-"


def found_counts(since, prefix=PREFIX, pdf_wait=0):
    """What the database holds from the load-test accounts since `since` (an aware datetime)."""
    from django.db.models import Count, F

    from evaluations.models import FourGoodsAssessment, Meeting
    from recognition.models import Decision, Registration

    meetings = Meeting.objects.filter(created_by__username__startswith=prefix, created_at__gte=since).annotate(
        rows=Count("attendances")
    )
    history = FourGoodsAssessment.history.model.objects.filter(
        history_user__username__startswith=prefix, history_date__gte=since
    )
    decisions = Decision.objects.filter(issued_by__username__startswith=prefix, created_at__gte=since)
    deadline = time.monotonic() + pdf_wait
    while pdf_wait and decisions.filter(pdf="").exists() and time.monotonic() < deadline:
        time.sleep(1)  # the PDFs are rendered by the Celery worker after the commit
    numbers_ok = True
    for issuer, year in set(decisions.values_list("issuer_id", "year")):
        numbers = sorted(Decision.objects.filter(issuer_id=issuer, year=year).values_list("number", flat=True))
        numbers_ok &= numbers == list(range(1, len(numbers) + 1))
    return {
        "meetings": meetings.count(),
        "meetings_with_attendance": meetings.filter(rows=F("roll_size"), rows__gt=0).count(),
        "attendance_rows": sum(meetings.values_list("rows", flat=True)),
        "four_goods_saves": history.count(),
        "four_goods_months": history.values("organization_id", "year", "month").distinct().count(),
        "decisions": decisions.count(),
        "decisions_numbered": decisions.filter(number__gt=0).count(),
        "decisions_with_pdf": decisions.exclude(pdf="").count(),
        "recognized_with_decision": Registration.objects.filter(decision__in=decisions).count(),
        "recognized_over_verdict": Registration.objects.filter(
            decision__in=decisions, recognized_over_verdict=True
        ).count(),
        "decision_numbers_consecutive": numbers_ok,
    }


def compare(saved, found):
    """[(what, saved by locust, found in the database, ok)] and whether everything matched."""
    meetings = len(saved.get("meetings", ()))
    four_goods = saved.get("four_goods", ())
    decisions = len(saved.get("decisions", ()))
    months = len({tuple(m) for m in four_goods})
    rows = [
        ("meetings", meetings, found["meetings"], meetings == found["meetings"]),
        (
            "meetings with their whole attendance",
            meetings,
            found["meetings_with_attendance"],
            meetings == found["meetings_with_attendance"],
        ),
        ("four-goods saves", len(four_goods), found["four_goods_saves"], len(four_goods) == found["four_goods_saves"]),
        ("four-goods months", months, found["four_goods_months"], months == found["four_goods_months"]),
        ("decisions", decisions, found["decisions"], decisions == found["decisions"]),
        ("decisions with a number", decisions, found["decisions_numbered"], decisions == found["decisions_numbered"]),
        (
            "registrations recognized by them",
            decisions,
            found["recognized_with_decision"],
            decisions == found["recognized_with_decision"],
        ),
    ]
    ok = all(r[3] for r in rows) and found["decision_numbers_consecutive"]
    return rows, ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--since", required=True, help="ISO timestamp with its offset")
    parser.add_argument("--saved", type=Path, required=True)
    parser.add_argument("--pdf-wait", type=float, default=30, help="seconds to wait for the decision PDFs")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    saved = json.loads(args.saved.read_text()) if args.saved.exists() else {}
    found = found_counts(datetime.datetime.fromisoformat(args.since), pdf_wait=args.pdf_wait)
    rows, ok = compare(saved, found)
    print(f"{'writes':<40} {'saved (locust)':>15} {'found (database)':>17}")
    for what, by_locust, in_db, same in rows:
        print(f"{what:<40} {by_locust:>15} {in_db:>17}  {'ok' if same else 'DIFFERENT'}")
    print(f"attendance rows of those meetings: {found['attendance_rows']}")
    print(f"decision PDFs rendered by the worker: {found['decisions_with_pdf']} of {found['decisions']}")
    print(
        f"recognized with an override reason (verdict not eligible): {found['recognized_over_verdict']} "
        f"of {found['recognized_with_decision']}"
    )
    print(f"decision numbers without gaps or duplicates: {'yes' if found['decision_numbers_consecutive'] else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
