"""Decisions follow verdicts (issue 12; SCHEMES §5: the standing committee decides on the appraised
registrations, the criteria engine says whether the subject meets the plan's criteria).

Recognizing (or commending) a registration whose verdict, recomputed at that moment on the stored
registration, is not eligible needs a written override reason: without one nothing changes and no
decision number is taken; with one it is kept on the transition and the registration, shown on the
registration page, marked in the lists and the decision list and counted for the dashboard. Before
a numbered decision is issued the decider sees its preview (not numbered, not saved) and confirms.
A snapshot older than the facts it was computed from is marked stale.

Tree (tests/conftest.py): cell B is a grassroots cell of the block; its four-goods registration is
appraised by the block's organization board and decided by the standing committee (SCHEMES §3.3).
With no facts entered the four-goods verdict of cell B is "not eligible"; `fill_cell` (every
criterion met, tests/criteria/factories.py) makes it eligible.
"""

import datetime
import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from criteria import engine, verdicts
from criteria.indicators import _PROVIDERS
from criteria.models import Scheme
from recognition import services
from recognition.eligibility import assessed_year, is_eligible, snapshot_for
from recognition.indicators import recognized_over_verdict
from recognition.models import Decision, DecisionCounter, Registration, State, Transition
from registry.formats import person_name
from tests.criteria.factories import fill_cell
from tests.factories import OrganizationFactory, RatingFactory

from .conftest import advance

REASON = "Chi bộ đã nộp biên bản kiểm điểm và báo cáo tổng kết năm 2024; số liệu trên hệ thống chưa cập nhật."
WARNING = "Công nhận dù chưa đủ điều kiện"
STALE = "Kết quả tiêu chí này đã cũ: số liệu đã thay đổi sau thời điểm đánh giá"


def _appraised(users, plans, cell, year=2024):
    registration = services.registration_create(user=users.admin, plan=plans.four_goods, year=year, organization=cell)
    return advance(registration, State.APPRAISED_BOARD, users.admin)


def _eligible_cell(cell):
    """Cell facts meeting every four-goods criterion for 2020–2024 (tests/criteria/factories.py)."""
    fill_cell(cell, members=6, years=range(2020, 2025))


def _failing_codes(registration):
    """The criteria the engine itself (not the recognition app) finds unmet or missing."""
    year = assessed_year(registration.scheme, registration.year)
    result = engine.evaluate([registration.organization], registration.scheme, year, plan=registration.plan)[
        registration.organization_id
    ]
    assert not result.eligible
    return [c.code for c in result.failing]


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _post_action(client, registration, **data):
    return client.post(reverse("recognition:registration_action", args=[registration.pk]), data)


# ------------------------------------------------------------------------------ the service


@pytest.mark.django_db
def test_recognizing_an_ineligible_registration_without_a_reason_is_refused_and_changes_nothing(tree, users, plans):
    registration = _appraised(users, plans, tree.cell_b)
    steps = registration.transitions.count()
    codes = _failing_codes(registration)
    for missing in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            services.registration_recognize(registration=registration, user=users.standing, override_reason=missing)
        message = " ".join(refused.value.message_dict["override_reason"])
        assert "chưa đủ điều kiện" in message and "lý do" in message
        for code in codes:  # the unmet criteria are named
            assert code in message
    registration.refresh_from_db()
    assert registration.state == State.APPRAISED_BOARD
    assert registration.decision_id is None and not registration.recognized_over_verdict
    assert registration.transitions.count() == steps
    assert not Decision.objects.exists()
    assert not DecisionCounter.objects.filter(last_number__gt=0).exists()  # no number taken


@pytest.mark.django_db
def test_commending_an_ineligible_registration_needs_the_reason_too(tree, users, plans):
    registration = _appraised(users, plans, tree.cell_b)
    with pytest.raises(ValidationError) as refused:
        services.registration_recognize(registration=registration, user=users.standing, commend=True)
    assert "override_reason" in refused.value.message_dict
    registration.refresh_from_db()
    assert registration.state == State.APPRAISED_BOARD and not registration.commended


@pytest.mark.django_db
def test_with_a_reason_the_override_is_recorded_on_the_transition_and_the_registration(tree, users, plans):
    registration = _appraised(users, plans, tree.cell_b)
    services.registration_recognize(
        registration=registration, user=users.standing, override_reason=f"  {REASON}  ", render=False
    )
    registration.refresh_from_db()
    assert registration.state == State.RECOGNIZED
    assert registration.recognized_over_verdict is True and registration.override_reason == REASON
    assert registration.decision.display_number == "1-QĐ/ĐUK"
    step = registration.transitions.get(action="recognize")
    assert step.overrode_verdict is True and step.override_reason == REASON
    assert step.eligible is False and step.actor == users.standing
    # The other steps are not overrides.
    assert not registration.transitions.exclude(pk=step.pk).filter(overrode_verdict=True).exists()


@pytest.mark.django_db
def test_the_eligible_path_needs_no_reason_and_records_no_override(tree, users, plans):
    _eligible_cell(tree.cell_b)
    registration = _appraised(users, plans, tree.cell_b)
    assert is_eligible(snapshot_for(registration))
    services.registration_recognize(registration=registration, user=users.standing, render=False)
    registration.refresh_from_db()
    assert registration.state == State.RECOGNIZED and registration.decision_id
    assert registration.recognized_over_verdict is False and registration.override_reason == ""
    step = registration.transitions.get(action="recognize")
    assert step.eligible is True and step.overrode_verdict is False


@pytest.mark.django_db
def test_the_verdict_is_checked_on_the_stored_registration_not_on_the_callers_copy(tree, users, plans):
    """A caller's in-memory copy pointing at an eligible cell does not make the stored one eligible."""
    _eligible_cell(tree.cell_a2)
    registration = _appraised(users, plans, tree.cell_b)
    copy = Registration.objects.get(pk=registration.pk)
    copy.organization = tree.cell_a2  # never saved
    with pytest.raises(ValidationError):
        services.registration_recognize(registration=copy, user=users.standing)
    assert Registration.objects.get(pk=registration.pk).state == State.APPRAISED_BOARD


@pytest.mark.django_db
def test_a_conference_recognizes_an_ineligible_registration_only_with_its_reason(tree, users, plans):
    first = _appraised(users, plans, tree.cell_b)
    conference = services.conference_create(
        user=users.standing, authority=tree.block, plan=plans.four_goods, year=2024, held_on=datetime.date(2025, 2, 14)
    )
    done, errors = services.conference_decide(conference=conference, user=users.standing, recognize=[first])
    assert done == [] and len(errors) == 1 and "lý do" in errors[0][1]
    first.refresh_from_db()
    assert first.state == State.APPRAISED_BOARD
    done, errors = services.conference_decide(
        conference=conference, user=users.standing, recognize=[first], overrides={first.pk: REASON}
    )
    assert (len(done), errors) == (1, [])
    first.refresh_from_db()
    assert first.state == State.RECOGNIZED and first.recognized_over_verdict and first.override_reason == REASON


@pytest.mark.django_db
def test_the_conference_page_asks_the_reason_and_refuses_without_it(tree, users, plans, client):
    registration = _appraised(users, plans, tree.cell_b)
    conference = services.conference_create(
        user=users.standing, authority=tree.block, plan=plans.four_goods, year=2024, held_on=datetime.date(2025, 2, 14)
    )
    client.force_login(users.standing)
    url = reverse("recognition:conference_detail", args=[conference.pk])
    assert f'name="override_{registration.pk}"' in client.get(url).content.decode()
    page = client.post(url, {"recognize": [str(registration.pk)]}, follow=True).content.decode()
    assert "cần ghi rõ lý do công nhận dù chưa đủ điều kiện" in page
    registration.refresh_from_db()
    assert registration.state == State.APPRAISED_BOARD
    client.post(url, {"recognize": [str(registration.pk)], f"override_{registration.pk}": REASON})
    registration.refresh_from_db()
    assert registration.state == State.RECOGNIZED and registration.override_reason == REASON


# ------------------------------------------------------------------------------ the pages


@pytest.mark.django_db
def test_the_decider_sees_the_verdict_and_the_reason_field_and_a_refusal_keeps_what_was_typed(
    tree, users, plans, client
):
    registration = _appraised(users, plans, tree.cell_b)
    client.force_login(users.standing)
    page = client.get(reverse("recognition:registration_detail", args=[registration.pk])).content.decode()
    assert "Lý do công nhận dù chưa đủ điều kiện" in page and 'name="override_reason"' in page
    assert "Tiêu chí chưa đạt" in page
    assert reverse("recognition:registration_preview", args=[registration.pk]) in page
    assert 'name="confirm_decision"' in page
    # Not confirmed: refused, the comment kept.
    response = _post_action(client, registration, action="recognize", comment="Ý kiến đã gõ", override_reason="")
    assert response.status_code == 400
    assert "Ý kiến đã gõ" in response.content.decode() and "xác nhận" in response.content.decode()
    # Confirmed, no reason: refused by the service, the comment kept, nothing changed.
    response = _post_action(
        client, registration, action="recognize", comment="Ý kiến đã gõ", confirm_decision="on", override_reason=""
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ý kiến đã gõ" in body and "cần ghi rõ lý do công nhận dù chưa đủ điều kiện" in body
    registration.refresh_from_db()
    assert registration.state == State.APPRAISED_BOARD and not Decision.objects.exists()
    # Confirmed with a reason: done.
    response = _post_action(client, registration, action="recognize", confirm_decision="on", override_reason=REASON)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.state == State.RECOGNIZED and registration.override_reason == REASON


@pytest.mark.django_db
def test_the_eligible_page_asks_no_reason_but_still_the_confirmation(tree, users, plans, client):
    _eligible_cell(tree.cell_b)
    registration = _appraised(users, plans, tree.cell_b)
    client.force_login(users.standing)
    page = client.get(reverse("recognition:registration_detail", args=[registration.pk])).content.decode()
    assert 'name="override_reason"' not in page and 'name="confirm_decision"' in page
    response = _post_action(client, registration, action="recognize", confirm_decision="on")
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.state == State.RECOGNIZED and not registration.recognized_over_verdict


@pytest.mark.django_db
def test_the_override_is_shown_on_the_registration_page_to_everyone_who_looks(tree, users, plans, client):
    registration = _appraised(users, plans, tree.cell_b)
    services.registration_recognize(
        registration=registration, user=users.standing, override_reason=REASON, render=False
    )
    step = registration.transitions.get(action="recognize")
    when = timezone.localtime(step.at).strftime("%d/%m/%Y %H:%M")
    for viewer in (users.standing, users.secretary_b, users.org_board):
        client.force_login(viewer)
        page = client.get(reverse("recognition:registration_detail", args=[registration.pk])).content.decode()
        warning = page[page.index('id="override-warning"') :]
        warning = warning[: warning.index("</section>")]
        assert WARNING in warning and REASON in warning
        assert person_name(users.standing) in warning  # who
        assert when in warning  # when


@pytest.mark.django_db
def test_lists_exports_and_the_decision_list_mark_the_overridden_ones(tree, users, plans, client):
    _eligible_cell(tree.cell_a1)
    eligible = services.registration_create(
        user=users.admin, plan=plans.four_goods, year=2024, organization=tree.cell_a1
    )
    advance(eligible, State.APPRAISED_GRASSROOTS, users.admin)
    services.registration_recognize(registration=eligible, user=users.committee_staff_a, render=False)
    overridden = _appraised(users, plans, tree.cell_b)
    services.registration_recognize(registration=overridden, user=users.standing, override_reason=REASON, render=False)
    eligible.refresh_from_db()
    overridden.refresh_from_db()
    assert not eligible.recognized_over_verdict and overridden.recognized_over_verdict

    client.force_login(users.standing)
    url = reverse("recognition:recognition_lists")
    page = client.get(url, {"scheme": Scheme.FOUR_GOODS, "year": 2024}).content.decode()
    rows = page[page.index("<tbody>") :]
    overridden_row = next(r for r in rows.split("<tr>") if overridden.subject_name in r)
    eligible_row = next(r for r in rows.split("<tr>") if eligible.subject_name in r)
    assert WARNING in overridden_row and REASON in overridden_row
    assert WARNING not in eligible_row
    assert 'id="override-count"' in page

    csv = client.get(url, {"scheme": Scheme.FOUR_GOODS, "year": 2024, "format": "csv"}).content.decode("utf-8-sig")
    header, *lines = [line for line in csv.splitlines() if line]
    assert "Công nhận dù chưa đủ điều kiện (lý do)" in header
    assert any(overridden.subject_name in line and REASON in line for line in lines)
    assert not any(eligible.subject_name in line and REASON in line for line in lines)

    pdfplumber = pytest.importorskip("pdfplumber")
    pdf = client.get(url, {"scheme": Scheme.FOUR_GOODS, "year": 2024, "format": "pdf"}).content
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        text = " ".join(" ".join((page.extract_text() or "").split()) for page in document.pages)
    assert text.count("(*)") == 2  # the overridden row and the note under the list
    assert "(*) Công nhận dù chưa đủ điều kiện" in text

    decisions = client.get(reverse("recognition:decision_list")).content.decode()
    rows = decisions[decisions.index("<tbody>") :].split("<tr>")
    marked = [r for r in rows if "override-mark" in r]
    assert len(marked) == 1 and overridden.decision.display_number in marked[0]
    assert eligible.decision.display_number not in marked[0]


def _page_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_marking_the_overrides_costs_the_same_queries_for_one_or_three(tree, users, plans, client):
    first = _appraised(users, plans, tree.cell_b)
    services.registration_recognize(registration=first, user=users.standing, override_reason=REASON, render=False)
    client.force_login(users.standing)
    lists = reverse("recognition:recognition_lists")
    query = {"scheme": Scheme.FOUR_GOODS, "year": 2024}
    decisions_one = _page_queries(client, reverse("recognition:decision_list"))
    lists_one = _page_queries(client, lists, query)
    for name in ("Chi bộ Trường THPT số 1", "Chi bộ Trường THPT số 2"):
        more = _appraised(users, plans, OrganizationFactory(name=name, parent=tree.block))
        services.registration_recognize(registration=more, user=users.standing, override_reason=REASON, render=False)
    assert _page_queries(client, reverse("recognition:decision_list")) == decisions_one
    assert _page_queries(client, lists, query) == lists_one
    page = client.get(reverse("recognition:decision_list")).content.decode()
    assert page.count("override-mark") == 3


@pytest.mark.django_db
def test_the_preview_renders_the_decision_pdf_without_taking_a_number(tree, users, plans, client):
    pdfplumber = pytest.importorskip("pdfplumber")
    registration = _appraised(users, plans, tree.cell_b)
    url = reverse("recognition:registration_preview", args=[registration.pk])
    client.force_login(users.secretary_b)  # not the decider
    assert client.get(url).status_code == 403
    client.force_login(users.standing)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    assert "BẢN XEM TRƯỚC" in text and "QUYẾT ĐỊNH" in text and tree.cell_b.name in text
    assert "1-QĐ" not in text
    assert not Decision.objects.exists() and not DecisionCounter.objects.filter(last_number__gt=0).exists()
    registration.refresh_from_db()
    assert registration.state == State.APPRAISED_BOARD
    # The real decision still gets the first number.
    services.registration_recognize(
        registration=registration, user=users.standing, override_reason=REASON, render=False
    )
    registration.refresh_from_db()
    assert registration.decision.display_number == "1-QĐ/ĐUK"


# ------------------------------------------------------------------------------ the API


@pytest.mark.django_db
def test_the_api_refuses_without_a_reason_and_records_one(tree, users, plans):
    registration = _appraised(users, plans, tree.cell_b)
    move = f"/api/recognition/registrations/{registration.pk}/transition/"
    api = _api(users.standing)
    refused = api.post(move, {"action": "recognize", "comment": "Đạt"}, format="json")
    assert refused.status_code == 400
    assert "override_reason" in refused.json()
    registration.refresh_from_db()
    assert registration.state == State.APPRAISED_BOARD and not Decision.objects.exists()
    done = api.post(move, {"action": "recognize", "override_reason": REASON}, format="json")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["state"] == "recognized" and body["recognized_over_verdict"] is True
    assert body["override_reason"] == REASON
    step = next(t for t in body["transitions"] if t["action"] == "recognize")
    assert step["overrode_verdict"] is True and step["override_reason"] == REASON


@pytest.mark.django_db
def test_the_api_needs_no_reason_on_the_eligible_path(tree, users, plans):
    _eligible_cell(tree.cell_b)
    registration = _appraised(users, plans, tree.cell_b)
    response = _api(users.standing).post(
        f"/api/recognition/registrations/{registration.pk}/transition/", {"action": "recognize"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["recognized_over_verdict"] is False


# ------------------------------------------------------------------------------ stale snapshots


@pytest.mark.django_db
def test_a_snapshot_older_than_the_facts_is_marked_stale_for_the_reviewers(tree, users, plans, client):
    verdicts.ensure([tree.cell_b], Scheme.FOUR_GOODS, 2024)  # the stored verdict that records fact changes
    registration = _appraised(users, plans, tree.cell_b)
    client.force_login(users.standing)
    detail = reverse("recognition:registration_detail", args=[registration.pk])
    queue = reverse("recognition:review_queue")
    assert STALE not in client.get(detail).content.decode()
    assert STALE not in client.get(queue).content.decode()
    # A fact the four-goods verdict reads changes after the snapshots were taken.
    RatingFactory(organization=tree.cell_b, year=2024, level="GOOD")
    changed = verdicts.facts_changed_at(tree.cell_b.pk, Scheme.FOUR_GOODS, 2024)
    assert changed is not None
    assert all(step.at < changed for step in Transition.objects.filter(registration=registration))
    page = client.get(detail).content.decode()
    # The registration's snapshot and each of its two steps' snapshots.
    assert page.count(STALE) == 1 + registration.transitions.count()
    assert STALE in client.get(queue).content.decode()
    # A new step takes a fresh snapshot: that one is not stale.
    services.registration_recognize(
        registration=registration, user=users.standing, override_reason=REASON, render=False
    )
    page = client.get(detail).content.decode()
    assert page.count(STALE) == registration.transitions.count() - 1


# ------------------------------------------------------------------------------ dashboard and demo


@pytest.mark.django_db
def test_the_dashboard_indicator_counts_the_overrides_of_the_year(tree, users, plans):
    assert _PROVIDERS["recognized_over_verdict"] is recognized_over_verdict
    _eligible_cell(tree.cell_a1)
    eligible = services.registration_create(
        user=users.admin, plan=plans.four_goods, year=2024, organization=tree.cell_a1
    )
    advance(eligible, State.APPRAISED_GRASSROOTS, users.admin)
    services.registration_recognize(registration=eligible, user=users.committee_staff_a, render=False)
    overridden = _appraised(users, plans, tree.cell_b)
    services.registration_recognize(registration=overridden, user=users.standing, override_reason=REASON, render=False)
    cells = [tree.cell_a1, tree.cell_a2, tree.cell_b]
    figure = recognized_over_verdict(cells=cells, grassroots=[tree.committee_a, tree.cell_b], year=2024)
    assert (figure["numerator"], figure["denominator"]) == (1, 2)
    assert figure["counted"] == [tree.cell_b.pk] and figure["not_counted"] == [tree.cell_a1.pk]
    assert figure["target"] is None and figure["met"] is None
    other_year = recognized_over_verdict(cells=cells, grassroots=[tree.committee_a, tree.cell_b], year=2023)
    assert other_year["numerator"] == 0 and other_year["value"] == 0


@pytest.mark.django_db
def test_the_dashboard_shows_the_count_of_overrides(tree, users, plans, client):
    overridden = _appraised(users, plans, tree.cell_b)
    services.registration_recognize(registration=overridden, user=users.standing, override_reason=REASON, render=False)
    client.force_login(users.standing)
    response = client.get(reverse("criteria:dashboard"), {"org": tree.block.pk, "year": 2024})
    assert response.status_code == 200
    figure = next(f for f in response.context["figures"] if f["code"] == "recognized_over_verdict")
    assert figure["numerator"] == 1 and figure["shown"] == "1"
    assert "Công nhận vượt kết quả đối chiếu tiêu chí" in response.content.decode()


def _assert_recognitions_follow_verdicts():
    steps = Transition.objects.filter(action="recognize")
    assert steps.exists()
    for step in steps:
        assert step.eligible is True or (step.overrode_verdict and step.override_reason.strip()), step
    for registration in Registration.objects.filter(state__in=[State.RECOGNIZED, State.REVOKED]):
        assert registration.recognized_over_verdict == (not registration.transitions.get(action="recognize").eligible)


@pytest.mark.django_db
def test_the_demo_recognitions_on_a_fact_less_tree_all_carry_a_reason(tree, users, plans):
    """recognition.demo on the test tree (no facts: every verdict "not eligible")."""
    from recognition import demo

    demo.populate(tree.block, random.Random(7))
    _assert_recognitions_follow_verdicts()
    assert Transition.objects.filter(action="recognize", overrode_verdict=True).exists()


@pytest.mark.django_db
def test_every_recognition_of_the_demo_block_matches_an_eligible_verdict_or_carries_a_reason():
    """The issue found four-goods recognitions of cells the engine calls ineligible in the demo."""
    call_command("demo_block", size="tiny", seed=7, stdout=io.StringIO())
    _assert_recognitions_follow_verdicts()


# ------------------------------------------------------------------------------ accessibility


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_decision_form_and_the_override_warning_have_no_serious_violations(live_server, browser, tree, users):
    """axe-core on the decider's form (verdict, reason, preview, confirmation) and on the warning."""
    from tests.browser.test_accessibility import DESKTOP, _login, _violations
    from tests.recognition.conftest import make_plan

    plan = make_plan(Scheme.FOUR_GOODS, tree.block)
    waiting = services.registration_create(user=users.admin, plan=plan, year=2024, organization=tree.cell_b)
    advance(waiting, State.APPRAISED_BOARD, users.admin)
    decided = services.registration_create(user=users.admin, plan=plan, year=2024, organization=tree.cell_a1)
    advance(decided, State.RECOGNIZED, users.admin, override_reason=REASON)
    base = live_server.url
    page = _login(browser, base, "thuongvu", DESKTOP)
    found = []
    for label, pk in (("decision form", waiting.pk), ("override warning", decided.pk)):
        response = page.goto(f"{base}{reverse('recognition:registration_detail', args=[pk])}")
        assert response.status == 200
        found += _violations(page, label)
    assert page.locator("#override-warning").is_visible()
    page.goto(f"{base}{reverse('recognition:registration_detail', args=[waiting.pk])}")
    page.fill("#id_override_reason", REASON)
    page.check("#id_confirm_decision")
    with page.expect_navigation():
        page.click("button[name=action][value=recognize]")
    assert page.locator("#override-warning").is_visible()
    page.context.close()
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)
    waiting.refresh_from_db()
    assert waiting.state == State.RECOGNIZED and waiting.override_reason == REASON
