"""The portal's start page per role (issue 11). It sits in the top app so it may read every layer;
the to-dos themselves are computed in criteria.home (monthly work, scheme gaps) and here
(what awaits the user in the recognition workflow), never in the template.

Route: config/urls.py `path("", recognition.home.home, name="home")`.
"""

import datetime
from collections import Counter

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from criteria import home as monthly
from criteria.engine import resolve_plan
from criteria.models import Scheme
from criteria.selectors import CELL_SCHEMES
from registry.models import OrganizationKind
from registry.selectors import user_organizations

from . import params, selectors
from .states import State


def awaiting(user):
    """[{"state", "label", "count", "url"}]: registrations waiting for an action of this user,
    by state (SCHEMES §5: grassroots appraisal, board appraisal, standing committee decision)."""
    counts = Counter(r.state for r in selectors.review_queue(user))
    queue = reverse("recognition:review_queue")
    return [
        {"state": state, "label": State(state).label, "count": counts[state], "url": f"{queue}?state={state}"}
        for state in (State.SUBMITTED, State.APPRAISED_GRASSROOTS, State.APPRAISED_BOARD)
        if counts[state]
    ]


def registration_deadlines(cell_todos, today=None):
    """[{"label", "day"}]: this year's registration deadlines still ahead, from each scheme's plan
    (recognition.params.registration_deadline: the plan's dates, else the seeds' — SCHEMES §1.3,
    §3.3, §4.1). Subordinate cells register earlier than grassroots cells for "Bốn tốt"."""
    if not cell_todos:
        return []
    today = today or datetime.date.today()
    subordinate = all(block.cell.kind == OrganizationKind.SUBORDINATE_CELL for block in cell_todos)
    out = []
    cell = cell_todos[0].cell  # the plans in force for the secretary's (first) cell
    for scheme in CELL_SCHEMES:
        try:
            plan = resolve_plan(scheme, organization=cell, year=today.year)
        except ValueError:  # no plan stored and none in the seeds
            continue
        day = params.registration_deadline(plan, today.year, subordinate=subordinate)
        if day and day >= today:
            out.append({"label": Scheme(scheme).label, "day": day, "plan": plan.number})
    return sorted(out, key=lambda d: d["day"])


def home_context(user, today=None):
    cell_todos = monthly.secretary_todos(user, today)
    return {
        "todos_computed": True,
        "cell_todos": cell_todos,
        "deadlines": registration_deadlines(cell_todos, today),
        "attendee_todos": monthly.attendee_todos(user, today),
        "committee_queue": monthly.committee_queue(user, today),
        "awaiting": awaiting(user),
        "organizations": user_organizations(user),
    }


@login_required
def home(request):
    return render(request, "registry/home.html", home_context(request.user))
