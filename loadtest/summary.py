"""Print p50/p95 per page and the errors from locust's CSV output (loadtest/run.sh).

Usage: python loadtest/summary.py var/loadtest/portal  [--markdown]
Exit status 1 when a request failed or a page's p95 is over the 300 ms target.
"""

import csv
import sys
from pathlib import Path

TARGET_P95_MS = 300


def main(prefix, markdown=False):
    rows = list(csv.DictReader(Path(f"{prefix}_stats.csv").open()))
    failures = list(csv.DictReader(Path(f"{prefix}_failures.csv").open()))
    pages = [r for r in rows if r["Name"] != "Aggregated"]
    total = next(r for r in rows if r["Name"] == "Aggregated")
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
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in table:
            print("| " + " | ".join(str(c) for c in line) + " |")
    else:
        width = max(len(line[0]) for line in table)
        print(f"{header[0]:<{width}}  " + "  ".join(f"{h:>9}" for h in header[1:]))
        for line in table:
            print(f"{line[0]:<{width}}  " + "  ".join(f"{str(c):>9}" for c in line[1:]))
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
    return 1 if failures or exceptions or slow else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], markdown="--markdown" in sys.argv))
