"""Load test at block scale: cell secretaries filing their month, boards reviewing (issue 6).

Run through loadtest/run.sh against the stack of scripts/stack.sh with the demo block
loaded (demo logins, password demo@2025). Pages are found the way a person finds them:
by following links on the landing pages, so the test needs no database access.
Requests are grouped by page (ids replaced with [id]) in the statistics.
"""

import os
import random
import re
from datetime import date
from html.parser import HTMLParser

from locust import HttpUser, between, events, task
from requests import Session

PASSWORD = "demo@2025"
SECRETARIES = ["bithu", "bithu2", "dangu"]
BOARDS = ["bantochuc", "bantuyengiao", "thuongvu", "dusinhhoat", "dangu"]
ID = re.compile(r"/\d+(?=/|\.|$)")
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


def page_name(path):
    """'/meetings/cell/123/new/' -> '/meetings/cell/[id]/new/' (query string dropped)."""
    return ID.sub("/[id]", path.split("?")[0])


def links(html, pattern):
    return sorted(set(re.findall(pattern, html)))


class FormParser(HTMLParser):
    """The fields of the first POST form in a page, as a browser would submit them unchanged."""

    def __init__(self):
        super().__init__()
        self.forms = []  # (action, {name: value})
        self.checkboxes = set()  # names of every checkbox, ticked or not
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = (attrs.get("action") or "", {})
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form[1]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind == "checkbox":
                self.checkboxes.add(name)
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    fields[name] = attrs.get("value", "on")
                elif kind == "radio":
                    fields.setdefault(name, attrs.get("value", ""))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select:
            if "selected" in attrs or not fields.get(self._select):
                fields[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[1][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_forms(html, tick=()):
    """[(action, fields)] of the page's POST forms; checkboxes whose name starts with one of `tick` are ticked."""
    parser = FormParser()
    parser.feed(html)
    forms = []
    for action, fields in parser.forms:
        if "logout" in action:  # the log-out form in the top bar is not a page's form
            continue
        fields.update({name: "on" for name in parser.checkboxes if name.startswith(tuple(tick)) and tick})
        forms.append((action, fields))
    return forms


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

    def submit(self, path, html, overrides, tick=()):
        """Submit the page's first POST form with its own values and `overrides`; 200 (form shown again) or 302."""
        forms = post_forms(html, tick)
        if not forms:
            return
        action, fields = forms[0]
        fields.update({k: v for k, v in overrides.items() if k in fields})  # the form's own CSRF token stays
        target = action or path
        with self.client.post(
            target, fields, name=page_name(target), catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code not in (200, 302, 303):
                response.failure(f"{response.status_code} on POST {target}")

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
        today = date.today()
        month = random.randint(1, today.month)
        day = date(today.year, month, random.randint(1, 25))
        self.submit(path, html, {"date": day.isoformat(), "start_time": "14:00", "end_time": "16:30"})

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
            self.submit(path, html, {**points, "votes_for": "5", "votes_against": "0"}, tick=("achieved_",))

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
