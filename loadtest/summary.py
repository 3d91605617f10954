"""Print p50/p95 per page and the errors from locust's CSV output (loadtest/run.sh, loadtest/province.sh).

Usage: python loadtest/summary.py var/loadtest/portal  [--markdown] [--groups groups.json]
With --groups (written by loadtest/province_locustfile.py: locust's statistics merged per page
group), also requests, failures and p50/p95/max per group ("secretary writes", "dashboard", ...).
Exit status 1 when a request failed or a page's (or group's) p95 is over the 300 ms target.
"""

import csv
import json
import math
import sys
from pathlib import Path

TARGET_P95_MS = 300


def percentile(histogram, share):
    """Nearest-rank percentile of response times given as {ms: count} (locust's rounded buckets); 0 for none."""
    total = sum(histogram.values())
    if not total:
        return 0
    rank, seen = max(1, math.ceil(share * total)), 0
    for ms in sorted(histogram, key=float):
        seen += histogram[ms]
        if seen >= rank:
            return float(ms)
    return float(max(histogram, key=float))


def group_table(groups):
    """[(group, requests, failures, p50, p95, max)] of the groups written by province_locustfile.py."""
    rows = []
    for name in sorted(groups):
        group = groups[name]
        histogram = group["histogram"]
        rows.append(
            (
                name,
                group["requests"],
                group["failures"],
                round(percentile(histogram, 0.50)),
                round(percentile(histogram, 0.95)),
                round(group["max"]),
            )
        )
    return rows


def print_table(header, table, markdown):
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in table:
            print("| " + " | ".join(str(c) for c in line) + " |")
    else:
        width = max(len(str(line[0])) for line in [header, *table])
        print(f"{header[0]:<{width}}  " + "  ".join(f"{h:>9}" for h in header[1:]))
        for line in table:
            print(f"{line[0]:<{width}}  " + "  ".join(f"{str(c):>9}" for c in line[1:]))


def main(prefix, markdown=False, groups_file=None):
    rows = list(csv.DictReader(Path(f"{prefix}_stats.csv").open()))
    failures = list(csv.DictReader(Path(f"{prefix}_failures.csv").open()))
    pages = [r for r in rows if r["Name"] != "Aggregated"]
    total = next(r for r in rows if r["Name"] == "Aggregated")
    final = Path(groups_file).with_name("pages.json") if groups_file else None
    if final and final.exists():
        # Written as the users stopped (province_locustfile.py): the same moment as the groups' figures.
        pages = json.loads(final.read_text())
        total = dict(total)
        total["Request Count"] = sum(p["Request Count"] for p in pages)
        total["Failure Count"] = sum(p["Failure Count"] for p in pages)
        merged = {}
        for group in json.loads(Path(groups_file).read_text()).values():
            for ms, count in group["histogram"].items():
                merged[ms] = merged.get(ms, 0) + count
        total["50%"], total["95%"] = round(percentile(merged, 0.5)), round(percentile(merged, 0.95))
        total["Max Response Time"] = max((p["Max Response Time"] for p in pages), default=0)
    header = ("page", "requests", "failures", "p50 ms", "p95 ms", "max ms")
    table = [
        (
            f"{r['Type']} {r['Name']}",
            r["Request Count"],
            r["Failure Count"],
            r["50%"],
            r["95%"],
            round(float(r["Max Response Time"])),
        )
        for r in sorted(pages, key=lambda r: r["Name"])
    ]
    table.append(("all pages", total["Request Count"], total["Failure Count"], total["50%"], total["95%"],
                  round(float(total["Max Response Time"]))))  # fmt: skip
    print_table(header, table, markdown)
    slow_groups = []
    if groups_file:
        groups = group_table(json.loads(Path(groups_file).read_text()))
        print()
        print_table(("page group", "requests", "failures", "p50 ms", "p95 ms", "max ms"), groups, markdown)
        slow_groups = [g[0] for g in groups if g[4] > TARGET_P95_MS]
    rps = float(total["Requests/s"])
    print(f"\nthroughput: {rps:.1f} requests/s; failures: {total['Failure Count']} of {total['Request Count']}")
    for failure in failures:
        print(f"ERROR {failure['Method']} {failure['Name']}: {failure['Error']} ({failure['Occurrences']}x)")
    # Exceptions raised inside the simulated users' code (not HTTP failures) count as errors too.
    exceptions_file = Path(f"{prefix}_exceptions.csv")
    exceptions = list(csv.DictReader(exceptions_file.open())) if exceptions_file.exists() else []
    for exception in exceptions:
        print(f"EXCEPTION {exception['Message']} ({exception['Count']}x)")
    # Logging in hashes the password (PBKDF2, slow on purpose) once per session: shown, not held to the target.
    slow = [r["Name"] for r in pages if float(r["95%"] or 0) > TARGET_P95_MS and "/accounts/login/" not in r["Name"]]
    if slow:
        print(f"p95 over {TARGET_P95_MS} ms: {', '.join(slow)}")
    if slow_groups:
        print(f"page groups with p95 over {TARGET_P95_MS} ms: {', '.join(slow_groups)}")
    return 1 if failures or exceptions or slow or slow_groups else 0


if __name__ == "__main__":
    groups_arg = sys.argv[sys.argv.index("--groups") + 1] if "--groups" in sys.argv else None
    sys.exit(main(sys.argv[1], markdown="--markdown" in sys.argv, groups_file=groups_arg))
