"""Load test at block scale: cell secretaries filing their month, boards reviewing (issue 6).

Run through loadtest/run.sh against the stack of scripts/stack.sh with the demo block
loaded (demo logins, password demo@2025). Pages are found the way a person finds them:
by following links on the landing pages, so the test needs no database access.
Requests are grouped by page (ids replaced with [id]) in the statistics.
"""

import os
import random
import re
from datetime import date, timedelta

from common import links, page_name, post_forms, post_outcome
from locust import HttpUser, between, events, task
from requests import Session

PASSWORD = "demo@2025"
SECRETARIES = ["bithu", "bithu2", "dangu"]
BOARDS = ["bantochuc", "bantuyengiao", "thuongvu", "dusinhhoat", "dangu"]
# Think time between two actions of one person, in seconds (LOCUST_WAIT="min,max").
WAIT = tuple(float(x) for x in os.environ.get("LOCUST_WAIT", "3,8").split(","))
# One login per demo account before the test, shared by the simulated users acting under it: a
# real day spreads the 50 people's logins (PBKDF2, ~1 s of CPU each) over hours, not seconds.
SESSIONS = {}


@events.test_start.add_listener
def log_in_every_demo_account(environment, **_kwargs):
    """Log in once per demo account before the users start, so the run measures pages, not logins."""
    for username in sorted(set(SECRETARIES + BOARDS)):
        session = Session()
        session.get(f"{environment.host}/accounts/login/")
        response = session.post(
            f"{environment.host}/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
            allow_redirects=False,
        )
        if response.status_code == 302:
            SESSIONS[username] = list(session.cookies)


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(*WAIT)
    logins = []

    def on_start(self):
        self.seen = {}
        self.username = random.choice(self.logins)
        if self.username in SESSIONS:
            for cookie in SESSIONS[self.username]:
                self.client.cookies.set_cookie(cookie)
            return
        self.client.get("/accounts/login/", name="/accounts/login/")
        token = next((c.value for c in self.client.cookies if c.name == "csrftoken"), "")
        with self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/"},
            name="/accounts/login/",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login {self.username} failed: {response.status_code}")
                return
        SESSIONS[self.username] = list(self.client.cookies)

    def page(self, path):
        with self.client.get(path, name=page_name(path), catch_response=True) as response:
            if response.status_code >= 400:
                response.failure(f"{response.status_code} on {path}")
                return ""
            return response.text

    def submit(self, path, html, overrides, record, tick=()):
        """Submit the page's first POST form with its own values and `overrides`.

        Counted as done only when the answer redirects to the record (`record`, a regex on the
        path; loadtest/common.py post_outcome): a form shown again with errors is a failure."""
        forms = post_forms(html, tick)
        if not forms:
            return
        action, fields = forms[0]
        fields.update({k: v for k, v in overrides.items() if k in fields})  # the form's own CSRF token stays
        target = action or path
        with self.client.post(
            target, fields, name=page_name(target), catch_response=True, allow_redirects=False
        ) as response:
            outcome = post_outcome(response.status_code, response.headers.get("Location", ""), record, response.text)
            if not outcome.saved:
                response.failure(outcome.reason[:200])

    def follow(self, start, pattern, key):
        """GET `start`, remember the links matching `pattern`, return one at random."""
        if key not in self.seen:
            self.seen[key] = links(self.page(start), pattern)
        return random.choice(self.seen[key]) if self.seen[key] else None


class CellSecretary(PortalUser):
    """A cell secretary (or grassroots staff) filing the month: meeting, attendance, four-goods self-assessment."""

    weight = 3
    logins = SECRETARIES

    @task(2)
    def home(self):
        self.page("/")

    @task(3)
    def monthly_overview(self):
        cell = self.follow("/meetings/", r'href="(/meetings/cell/\d+/)"', "cells")
        if cell:
            self.page(cell)

    @task(2)
    def file_a_meeting(self):
        cell = self.follow("/meetings/", r'href="(/meetings/cell/\d+/)"', "cells")
        if not cell:
            return
        path = f"{cell}new/"
        html = self.page(path)
        # A past day of this year (a future one is refused). Several simulated users share one demo
        # login and its cell, so two may file the same day: each marks its meeting as a separate one.
        today = date.today()
        day = date(today.year, 1, 1) + timedelta(days=random.randint(0, today.timetuple().tm_yday - 1))
        self.submit(
            path,
            html,
            {"date": day.isoformat(), "start_time": "14:00", "end_time": "16:30"},
            r"^/meetings/\d+/$",
            tick=("separate_meeting",),
        )

    @task(2)
    def four_goods_self_assessment(self):
        cell = self.follow("/meetings/", r'href="(/meetings/cell/\d+/)"', "cells")
        if not cell:
            return
        pk = re.search(r"\d+", cell).group()
        today = date.today()
        path = f"/four-goods/{pk}/{today.year}/{random.randint(1, today.month)}/"
        html = self.page(path)
        if html:
            points = {f"points_FG{i}": str(random.randint(20, 25)) for i in range(1, 5)}
            self.submit(
                path, html, {**points, "votes_for": "5", "votes_against": "0"}, f"^{path}$", tick=("achieved_",)
            )

    @task(2)
    def meeting_detail(self):
        meeting = self.follow("/meetings/", r'href="(/meetings/\d+/)"', "meetings")
        if meeting:
            self.page(meeting)

    @task(1)
    def notifications(self):
        self.page("/notifications/")

    @task(1)
    def members(self):
        self.page("/dang-vien/")


class Board(PortalUser):
    """Board staff and the standing committee reviewing registrations, cells and meetings."""

    weight = 2
    logins = BOARDS

    @task(3)
    def review_queue(self):
        self.page("/recognition/queue/")

    @task(3)
    def registration(self):
        registration = self.follow("/recognition/", r'href="(/recognition/r/\d+/)"', "registrations")
        if registration:
            self.page(registration)

    @task(1)
    def registrations(self):
        self.page("/recognition/")

    @task(1)
    def lists_and_quotas(self):
        self.page(random.choice(["/recognition/lists/", "/recognition/quotas/", "/recognition/decisions/"]))

    @task(2)
    def organization_tree(self):
        self.page("/to-chuc/")

    @task(2)
    def cell(self):
        cell = self.follow("/to-chuc/", r'href="(/chi-bo/\d+/)"', "cells")
        if cell:
            self.page(cell)

    @task(1)
    def calendar(self):
        self.page("/meetings/calendar/")

    @task(1)
    def meeting(self):
        meeting = self.follow("/meetings/", r'href="(/meetings/\d+/)"', "meetings")
        if meeting:
            self.page(meeting)
