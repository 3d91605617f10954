#!/usr/bin/env python
"""How the demo block's cells fare under every scheme, 2021–2025 (issue 12, "Verdicts"); not a test.

    .venv/bin/python manage.py demo_block
    .venv/bin/python scripts/demo_shares.py [--detail]

Evaluates every cell of the demo block with criteria.engine.evaluate_all for each scheme
and year and prints, per scheme and year, how many cells are eligible, near misses (exactly
one criterion short) and "missing data"; --detail adds which criteria fail and which are
missing data. The grassroots committees are counted for four-goods on a line of their own.
Meeting-quality lines also give the share of cells whose year's meeting quality is good (MQ5,
the dashboard's indicator: > 85% by 2023, > 95% by 2025 [001 §II.1.2(3)]).
"""

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

YEARS = range(2021, 2026)
QUALITY_GOOD = "MQ5"  # the year's meeting quality rated good [001 §II.1.2(3)]


def measure(block, years=YEARS):
    """{(scheme, year, group): Counter} with keys subjects/eligible/near_miss/missing_data and
    `fail:CODE` / `missing:CODE` per criterion; group is "cells" or "committees"."""
    from criteria import engine
    from criteria.models import Scheme
    from registry.models import Organization, OrganizationKind

    cells = list(Organization.objects.under([block]).cells().order_by("pk"))
    committees = list(
        Organization.objects.under([block]).filter(kind=OrganizationKind.GRASSROOTS_COMMITTEE).order_by("pk")
    )
    out = {}
    for year in years:
        groups = {"cells": (cells, list(Scheme.values)), "committees": (committees, [Scheme.FOUR_GOODS])}
        for group, (subjects, schemes) in groups.items():
            if not subjects:
                continue
            for scheme, results in engine.evaluate_all(subjects, year, schemes).items():
                counts = Counter(subjects=len(results))
                for result in results.values():
                    counts["eligible"] += bool(result.eligible)
                    counts["near_miss"] += result.near_miss
                    counts["missing_data"] += result.missing_data
                    counts["quality_good"] += any(
                        c.code == QUALITY_GOOD and c.status == engine.MET for c in result.criteria
                    )
                    for criterion in result.failing:
                        kind = "missing" if criterion.status == engine.MISSING else "fail"
                        counts[f"{kind}:{criterion.code}"] += 1
                out[(scheme, year, group)] = counts
    return out


def report(figures, detail=False):
    lines = [f"{'scheme':<16} {'year':>4} {'group':<10} {'n':>4} {'eligible':>12} {'near miss':>10} {'missing':>8}"]
    for (scheme, year, group), c in sorted(figures.items()):
        share = 100.0 * c["eligible"] / c["subjects"] if c["subjects"] else 0.0
        lines.append(
            f"{scheme:<16} {year:>4} {group:<10} {c['subjects']:>4} {c['eligible']:>5} ({share:4.1f}%)"
            f" {c['near_miss']:>10} {c['missing_data']:>8}"
            + (
                f"   quality good: {c['quality_good']} ({100.0 * c['quality_good'] / c['subjects']:4.1f}%)"
                if scheme == "meeting_quality" and c["subjects"]
                else ""
            )
        )
        if detail:
            codes = sorted((k, v) for k, v in c.items() if ":" in k)
            lines.append("      " + ", ".join(f"{k}={v}" for k, v in codes))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detail", action="store_true", help="list failing and missing criteria per line")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from registry.models import Organization

    block = Organization.objects.filter(code="ĐUK").order_by("pk").first()
    if block is None:
        sys.exit("No demo block: run `manage.py demo_block` first.")
    print(report(measure(block), detail=args.detail))


if __name__ == "__main__":
    main()
