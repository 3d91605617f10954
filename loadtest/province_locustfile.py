"""Load test at province scale on the production stack (issue 13); run by loadtest/province.sh.

Every simulated person is a distinct account of loadtest/accounts.py (its manifest in
LOADTEST_MANIFEST), logged in once before the users start so that logins are not measured:

* cell secretaries file meetings with attendance and four-goods months for THEIR cell;
* staff (grassroots staff, organization and propaganda boards) read lists and dashboards;
* standing-committee members open the dashboard and issue decisions: each recognizes only
  the registrations the manifest gives it (no two people race for one), writing an override
  reason when the page says the verdict recomputed now is not eligible.

A write counts only when it was saved: the answer redirects to the record
(loadtest/common.py post_outcome); a form shown again with its errors is a failure with the
first error message. The saved writes are written to LOADTEST_OUT/saved.json for
loadtest/verify.py, which counts the rows in the database. Requests are named
"[group] page"; at the end locust's statistics are merged per group (LOADTEST_OUT/groups.json)
so that loadtest/summary.py reports p50/p95/max per page group, after --reset-stats as locust's own.
"""

import itertools
import json
import math
import os
import random
import re
import resource
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from common import form_with, links, max_points, page_name, post_outcome
from locust import HttpUser, between, events, task
from requests import Session

MANIFEST = json.loads(Path(os.environ.get("LOADTEST_MANIFEST", "var/loadtest/province/accounts.json")).read_text())
PASSWORD = os.environ.get(MANIFEST.get("password_env", "LOADTEST_PASSWORD"), "loadtest@2026")
OUT = Path(os.environ.get("LOADTEST_OUT", "var/loadtest/province"))
DATA_YEAR = os.environ.get("DATA_YEAR", "2024")  # the year the dashboards and rankings are opened on
WAIT = tuple(float(x) for x in os.environ.get("LOCUST_WAIT", "3,8").split(","))
FILING_FROM = date.fromisoformat(MANIFEST.get("filing_from", "2025-01-01"))
OVERRIDE_REASON = (
    "Ban Thường vụ đã đối chiếu hồ sơ minh chứng và báo cáo của Ban Tổ chức; các tiêu chí còn thiếu số liệu "
    "trên hệ thống được xác nhận bằng văn bản, thống nhất công nhận (kiểm thử tải)."
)

SESSIONS = {}  # username -> cookies of its one login
SAVED = {"meetings": [], "four_goods": [], "decisions": []}
_lock = threading.Lock()


# --------------------------------------------------------------------------- accounts


class Pool:
    """Accounts handed out one per simulated user, in the manifest's order."""

    def __init__(self, accounts):
        self.accounts = list(accounts)
        self._next = itertools.count()

    def take(self):
        i = next(self._next)
        if i >= len(self.accounts):
            raise RuntimeError(f"more simulated users than accounts ({len(self.accounts)}): run accounts.py with more")
        return self.accounts[i]


SECRETARIES = Pool(MANIFEST["secretaries"])
STAFF = Pool(MANIFEST["staff"])
STANDING = Pool(MANIFEST["standing"] + ([MANIFEST["province_standing"]] if MANIFEST.get("province_standing") else []))


def log_in(host, username):
    """One login outside the statistics; the session's cookies, or None."""
    session = Session()
    session.get(f"{host}/accounts/login/")
    response = session.post(
        f"{host}/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
        allow_redirects=False,
    )
    return list(session.cookies) if response.status_code == 302 else None


def accounts_needed(users):
    """How many accounts of each pool the run can use: the standing committee is a fixed
    count; the other users split 3:1 between secretaries and staff (the classes' weights)."""
    rest = max(0, users - StandingCommittee.fixed_count)
    return {
        "secretaries": min(len(SECRETARIES.accounts), math.ceil(rest * 3 / 4) + 1),
        "staff": min(len(STAFF.accounts), math.ceil(rest / 4) + 1),
        "standing": len(STANDING.accounts),
    }


@events.init.add_listener
def log_in_accounts(environment, **_kwargs):
    """Log every account the run will use in once, four at a time, before the users start.

    At init, before locust starts the users and its --run-time clock: the logins (PBKDF2, slow on
    purpose) take neither measured time nor run time."""
    options = environment.parsed_options
    if not environment.host or options is None or getattr(options, "list_commands", False):
        return
    users = getattr(options, "num_users", None) or 50
    needed = accounts_needed(users)
    names = [a["username"] for a in SECRETARIES.accounts[: needed["secretaries"]]]
    names += [a["username"] for a in STAFF.accounts[: needed["staff"]]]
    names += [a["username"] for a in STANDING.accounts]
    started = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        for username, cookies in zip(names, pool.map(lambda n: log_in(environment.host, n), names), strict=True):
            if cookies:
                SESSIONS[username] = cookies
    failed = [n for n in names if n not in SESSIONS]
    print(f"logged in {len(SESSIONS)} accounts in {time.perf_counter() - started:.1f} s" + (
        f"; FAILED: {', '.join(failed)}" if failed else ""))  # fmt: skip


# --------------------------------------------------------------------------- results


def group_histograms(entries):
    """{group: {"histogram": {ms: count}, "requests", "failures", "max"}} merged from locust's
    statistics entries, named "[group] page" (so they follow --reset-stats exactly)."""
    groups = {}
    for (name, _method), entry in entries.items():
        group = name[1 : name.index("]")] if name.startswith("[") and "]" in name else "other"
        merged = groups.setdefault(group, {"histogram": {}, "requests": 0, "failures": 0, "max": 0})
        for ms, count in entry.response_times.items():
            merged["histogram"][ms] = merged["histogram"].get(ms, 0) + count
        merged["requests"] += entry.num_requests
        merged["failures"] += entry.num_failures
        merged["max"] = max(merged["max"], entry.max_response_time or 0)
    return groups


@events.test_stop.add_listener
def write_results(environment, **_kwargs):
    OUT.mkdir(parents=True, exist_ok=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with _lock:
        (OUT / "saved.json").write_text(
            json.dumps({**SAVED, "locust_cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2)}, indent=1)
        )
    entries = environment.runner.stats.entries
    (OUT / "groups.json").write_text(json.dumps(group_histograms(entries)))
    # The per-page figures as the users stopped (locust's CSV is written every second and may miss the last one).
    pages = [
        {
            "Type": method,
            "Name": name,
            "Request Count": e.num_requests,
            "Failure Count": e.num_failures,
            "50%": e.get_response_time_percentile(0.5),
            "95%": e.get_response_time_percentile(0.95),
            "Max Response Time": e.max_response_time or 0,
        }
        for (name, method), e in entries.items()
        if e.num_requests
    ]
    (OUT / "pages.json").write_text(json.dumps(pages))


# --------------------------------------------------------------------------- the people


class Person(HttpUser):
    abstract = True
    wait_time = between(*WAIT)
    pool = None

    def on_start(self):
        self.account = self.pool.take()
        self.username = self.account["username"]
        self.seen = {}
        cookies = SESSIONS.get(self.username) or log_in(self.host, self.username)
        for cookie in cookies or ():
            self.client.cookies.set_cookie(cookie)

    def page(self, path, group):
        with self.client.get(path, name=f"[{group}] {page_name(path)}", catch_response=True) as response:
            if response.status_code >= 400:
                response.failure(f"{response.status_code} on {page_name(path)}")
                return ""
            if "/accounts/login/" in response.url:
                response.failure(f"{self.username} is not logged in")
                return ""
            return response.text

    def save(self, target, fields, record, group):
        """POST a form that should save a record; its Outcome (saved only on a redirect to the record)."""
        with self.client.post(
            target,
            fields,
            name=f"[{group}] {page_name(target)}",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            outcome = post_outcome(response.status_code, response.headers.get("Location", ""), record, response.text)
            if not outcome.saved:
                response.failure(outcome.reason[:200])
            return outcome

    def follow(self, start, pattern, key, group):
        if key not in self.seen:
            self.seen[key] = links(self.page(start, group), pattern)
        return random.choice(self.seen[key]) if self.seen[key] else None


class CellSecretary(Person):
    """A cell secretary filing the month of THEIR cell: meetings with attendance, four-goods months."""

    weight = 3
    pool = SECRETARIES

    def on_start(self):
        super().on_start()
        self.cell = self.account["cell"]
        self.taken = set(self.account.get("taken_dates", ()))
        self.days = (date.today() - FILING_FROM).days

    @task(2)
    def home(self):
        self.page("/", "secretary pages")

    @task(3)
    def cell_month(self):
        self.page(f"/meetings/cell/{self.cell}/", "secretary pages")

    @task(1)
    def members(self):
        self.page("/dang-vien/", "secretary pages")

    @task(1)
    def meeting_detail(self):
        if SAVED_BY.get(self.username):
            self.page(random.choice(SAVED_BY[self.username]), "secretary pages")

    @task(3)
    def file_a_meeting(self):
        """A regular meeting on a day the cell has none yet (a second one the same day is refused)."""
        free = [d for d in (FILING_FROM + timedelta(days=random.randint(0, self.days)) for _ in range(20))
                if d.isoformat() not in self.taken]  # fmt: skip
        if not free:
            return
        day = free[0]
        path = f"/meetings/cell/{self.cell}/new/?date={day.isoformat()}"
        html = self.page(path, "secretary pages")
        found = form_with(html, "submission_token")
        if not found:
            return
        action, fields = found
        fields.update({"date": day.strftime("%d/%m/%Y"), "start_time": "14:00", "end_time": "16:30", "kind": "regular"})
        fields["agenda"] = "Kiểm điểm công tác tháng, triển khai nhiệm vụ tháng tới."
        # About one member in twenty-five is away with a reason, as in the benchmark's data; never
        # the chair or the recorder of the minutes, who must be present.
        signers = {fields.get("chair"), fields.get("recorder")}
        for name in [n for n in fields if n.startswith("att-")]:
            if random.random() < 0.04 and name[4:] not in signers:
                fields[name] = "excused"
                fields[f"reason-{name[4:]}"] = "Đi công tác"
        self.taken.add(day.isoformat())
        outcome = self.save(action or path.split("?")[0], fields, r"^/meetings/\d+/$", "secretary writes")
        if outcome.saved:
            with _lock:
                SAVED["meetings"].append(outcome.record)
                SAVED_BY.setdefault(self.username, []).append(outcome.record)

    @task(2)
    def four_goods_month(self):
        today = date.today()
        year = random.choice([y for y in (FILING_FROM.year, today.year) if y <= today.year])
        month = random.randint(1, 12 if year < today.year else today.month)
        path = f"/four-goods/{self.cell}/{year}/{month}/"
        html = self.page(path, "secretary pages")
        found = form_with(html, "votes_for", tick=("achieved_",))
        if not found:
            return
        action, fields = found
        for name, top in max_points(html).items():
            fields[name] = str(max(0, int(top) - random.randint(0, 2)))
        fields.update({"votes_for": "5", "votes_against": "0"})
        outcome = self.save(action or path, fields, f"^{re.escape(path)}$", "secretary writes")
        if outcome.saved:
            with _lock:
                SAVED["four_goods"].append([self.cell, year, month])


SAVED_BY = {}


class Staff(Person):
    """Grassroots staff and the boards reading the lists and the dashboards."""

    weight = 1
    pool = STAFF

    @task(3)
    def dashboard(self):
        self.page(f"/tieu-chi/chi-tieu/?year={DATA_YEAR}", "dashboard")

    @task(2)
    def ranking(self):
        scheme = random.choice(["model_cell", "four_goods", "meeting_quality"])
        self.page(f"/tieu-chi/xep-hang/?scheme={scheme}&year={DATA_YEAR}", "staff lists")

    @task(2)
    def registrations(self):
        self.page("/recognition/", "staff lists")

    @task(2)
    def queue(self):
        self.page("/recognition/queue/", "staff lists")

    @task(2)
    def tree(self):
        self.page("/to-chuc/", "staff lists")

    @task(1)
    def a_cell(self):
        cell = self.follow("/to-chuc/", r'href="(/chi-bo/\d+/)"', "cells", "staff lists")
        if cell:
            self.page(cell, "staff lists")


class StandingCommittee(Person):
    """The standing committee: the dashboard, the queue, and recognitions with a numbered decision."""

    fixed_count = len(STANDING.accounts)
    pool = STANDING

    def on_start(self):
        super().on_start()
        # Registrations the stored verdict calls eligible are decided first (popped from the end).
        eligible = set(self.account.get("eligible_stored", ()))
        others = [pk for pk in self.account.get("registrations", ()) if pk not in eligible]
        random.shuffle(others)
        self.waiting = others + sorted(eligible)
        # The province's standing committee sees all 4,000 cells: its dashboard is a group of its own.
        self.dashboard_group = "dashboard (province)" if self.account["org"] == MANIFEST.get("root") else "dashboard"

    @task(3)
    def dashboard(self):
        self.page(f"/tieu-chi/chi-tieu/?year={DATA_YEAR}", self.dashboard_group)

    @task(1)
    def queue(self):
        self.page("/recognition/queue/", "staff lists")

    @task(1)
    def decisions(self):
        self.page("/recognition/decisions/", "staff lists")

    @task(2)
    def decide(self):
        if not self.waiting:
            return
        pk = self.waiting.pop()
        path = f"/recognition/r/{pk}/"
        html = self.page(path, "decisions")
        found = form_with(html, "override_reason") or form_with(html, "comment")
        if not found:
            return
        action, fields = found
        fields.update({"action": "recognize", "confirm_decision": "on", "comment": "Đủ điều kiện, công nhận."})
        if 'id="verdict-text"' in html:  # the verdict recomputed now is not eligible: the reason is required
            fields["override_reason"] = OVERRIDE_REASON
        outcome = self.save(action, fields, rf"^/recognition/r/{pk}/$", "decisions")
        if outcome.saved:
            with _lock:
                SAVED["decisions"].append(pk)
