"""Every row of the transition table (recognition/workflow.py), through the page button and the API.

The expectations are written here from the rules, not read from the code:
- who may act: the role → capability table (registry/scoping.py ROLE_CAPABILITIES) and
  whose organization acts at each step (SCHEMES §1.3, §3.3, §4.1, §5): the grassroots
  committee appraises its subordinate cells, the authority's board appraises
  (organization board; propaganda board for exemplary models), the authority's standing
  committee decides, a subordinate cell's four-goods result is decided by its grassroots
  committee (§3.3), only the granting body revokes (§3.2); registering reaches down the
  tree (a capability held for an organization reaches everything under it);
- who sees a registration at all (VIEW, which every role holds, for the subject's
  organization or above): outside it → 404, as for a registration that does not exist;
- in scope without the capability for this step → 403; the wrong state or path → 409;
  a required reason missing or an unknown action → 400.

Tree (tests/conftest.py): block ── committee A ── cells A1, A2; block ── cell B.
"""

import threading
from dataclasses import dataclass

import pytest
from django.db import connection, connections
from django.urls import reverse
from rest_framework.test import APIClient

from criteria.models import Scheme
from recognition import services, workflow
from recognition.models import Decision, Registration, State, SubjectKind
from registry.scoping import APPRAISE_BOARD, APPRAISE_GRASSROOTS, DECIDE, REGISTER, ROLE_CAPABILITIES

from .conftest import OVERRIDE_REASON, advance

# Each test user's one appointment (tests/conftest.py `users`).
APPOINTMENTS = {
    "secretary_a1": ("cell_secretary", "cell_a1"),
    "secretary_b": ("cell_secretary", "cell_b"),
    "committee_staff_a": ("grassroots_staff", "committee_a"),
    "org_board": ("org_board", "block"),
    "propaganda_board": ("propaganda_board", "block"),
    "standing": ("standing", "block"),
    "attendee": ("attendee", "block"),
    "admin": ("sysadmin", "block"),
}
ANCESTORS_OR_SELF = {
    "block": {"block"},
    "committee_a": {"committee_a", "block"},
    "cell_a1": {"cell_a1", "committee_a", "block"},
    "cell_a2": {"cell_a2", "committee_a", "block"},
    "cell_b": {"cell_b", "block"},
}

# Positions in the tree and scheme, and who acts at each step for them (SCHEMES §1.3, §3.3, §4.1, §5).
POSITIONS = {
    "four_goods_sub_cell": {
        "spec": {"scheme": Scheme.FOUR_GOODS, "org": "cell_a1", "year": 2024},
        "grassroots": "committee_a",
        "authority": "committee_a",  # §3.3: a subordinate cell's four-goods result
        "board": "org_board",
    },
    "model_cell_sub_cell": {
        "spec": {"scheme": Scheme.MODEL_CELL, "org": "cell_a1", "year": 2025},
        "grassroots": "committee_a",
        "authority": "block",
        "board": "org_board",
    },
    "four_goods_gr_cell": {
        "spec": {"scheme": Scheme.FOUR_GOODS, "org": "cell_b", "year": 2024},
        "grassroots": None,
        "authority": "block",
        "board": "org_board",
    },
    "exemplary_model": {
        "spec": {
            "scheme": Scheme.EXEMPLARY,
            "org": "committee_a",
            "year": 2023,
            "subject_kind": SubjectKind.MODEL,
            "model_name": "Mô hình “Một cửa liên thông”",
            "model_type": 7,
        },
        "grassroots": None,
        "authority": "block",
        "board": "propaganda_board",  # §5: exemplary models go through the propaganda board
    },
}


@dataclass(frozen=True)
class Case:
    """One row of the table on one position: who acts, in which capacity."""

    action: str
    source: str
    target: str
    capability: str
    position: str
    acts_for: str  # "registrant", "grassroots", "board" or "authority"

    @property
    def id(self):
        return f"{self.action}-from-{self.source}-{self.position}"

    def acting_organization(self):
        position = POSITIONS[self.position]
        if self.acts_for == "registrant":
            return position["spec"]["org"]
        if self.acts_for == "board":
            return position["authority"]
        return position[self.acts_for]

    def allowed(self):
        """The users the role table lets take this step here."""
        acting = self.acting_organization()
        board_role = POSITIONS[self.position]["board"]
        names = set()
        for name, (role, org) in APPOINTMENTS.items():
            if role == "sysadmin" and org == "block":
                names.add(name)  # the root's system administrator acts everywhere (registry/scoping.py)
                continue
            if self.capability not in ROLE_CAPABILITIES[role]:
                continue
            if self.acts_for == "registrant":
                if org in ANCESTORS_OR_SELF[acting]:  # registering reaches down the tree
                    names.add(name)
            elif org == acting and (self.acts_for != "board" or role == board_role):
                names.add(name)  # a committee or board acts as the body itself
        return names

    def in_scope(self):
        subject = POSITIONS[self.position]["spec"]["org"]
        return {name for name, (_role, org) in APPOINTMENTS.items() if org in ANCESTORS_OR_SELF[subject]}


S = State
CASES = [
    # submit (the registrant)
    Case("submit", S.DRAFT, S.SUBMITTED, REGISTER, "four_goods_sub_cell", "registrant"),
    Case("submit", S.DRAFT, S.SUBMITTED, REGISTER, "four_goods_gr_cell", "registrant"),
    Case("submit", S.DRAFT, S.SUBMITTED, REGISTER, "exemplary_model", "registrant"),
    Case("submit", S.RETURNED, S.SUBMITTED, REGISTER, "four_goods_gr_cell", "registrant"),
    # the grassroots committee appraises its subordinate cells (§1.3, §5)
    Case(
        "appraise_grassroots",
        S.SUBMITTED,
        S.APPRAISED_GRASSROOTS,
        APPRAISE_GRASSROOTS,
        "four_goods_sub_cell",
        "grassroots",
    ),
    Case(
        "appraise_grassroots",
        S.SUBMITTED,
        S.APPRAISED_GRASSROOTS,
        APPRAISE_GRASSROOTS,
        "model_cell_sub_cell",
        "grassroots",
    ),
    Case("return", S.SUBMITTED, S.RETURNED, APPRAISE_GRASSROOTS, "four_goods_sub_cell", "grassroots"),
    # the authority's board appraises (§1.3, §4.1, §5)
    Case("appraise_board", S.SUBMITTED, S.APPRAISED_BOARD, APPRAISE_BOARD, "four_goods_gr_cell", "board"),
    Case("appraise_board", S.SUBMITTED, S.APPRAISED_BOARD, APPRAISE_BOARD, "exemplary_model", "board"),
    Case("return", S.SUBMITTED, S.RETURNED, APPRAISE_BOARD, "four_goods_gr_cell", "board"),
    Case("return", S.SUBMITTED, S.RETURNED, APPRAISE_BOARD, "exemplary_model", "board"),
    Case("appraise_board", S.APPRAISED_GRASSROOTS, S.APPRAISED_BOARD, APPRAISE_BOARD, "model_cell_sub_cell", "board"),
    Case("return", S.APPRAISED_GRASSROOTS, S.RETURNED, APPRAISE_BOARD, "model_cell_sub_cell", "board"),
    # the grassroots committee decides its subordinate cells' four-goods (§3.3)
    Case("recognize", S.APPRAISED_GRASSROOTS, S.RECOGNIZED, DECIDE, "four_goods_sub_cell", "authority"),
    Case("reject", S.APPRAISED_GRASSROOTS, S.REJECTED, DECIDE, "four_goods_sub_cell", "authority"),
    Case("return", S.APPRAISED_GRASSROOTS, S.RETURNED, DECIDE, "four_goods_sub_cell", "authority"),
    # the authority's standing committee decides (§5)
    Case("recognize", S.APPRAISED_BOARD, S.RECOGNIZED, DECIDE, "four_goods_gr_cell", "authority"),
    Case("recognize", S.APPRAISED_BOARD, S.RECOGNIZED, DECIDE, "exemplary_model", "authority"),
    Case("reject", S.APPRAISED_BOARD, S.REJECTED, DECIDE, "model_cell_sub_cell", "authority"),
    Case("return", S.APPRAISED_BOARD, S.RETURNED, DECIDE, "four_goods_gr_cell", "authority"),
    # only the granting body revokes (§3.2)
    Case("revoke", S.RECOGNIZED, S.REVOKED, DECIDE, "four_goods_sub_cell", "authority"),
    Case("revoke", S.RECOGNIZED, S.REVOKED, DECIDE, "model_cell_sub_cell", "authority"),
]
del S

REASON = "Đề nghị bổ sung biên bản sinh hoạt."


def _create(tree, users, plans, position):
    spec = dict(POSITIONS[position]["spec"])
    scheme = spec.pop("scheme")
    org = getattr(tree, spec.pop("org"))
    return services.registration_create(
        user=users.admin, plan=getattr(plans, scheme), organization=org, registrant=org, **spec
    )


def _at(tree, users, plans, position, state):
    registration = _create(tree, users, plans, position)
    if state == State.RETURNED:
        advance(registration, State.SUBMITTED, users.admin)
        services.registration_return(registration=registration, user=users.admin, comment=REASON)
    else:
        advance(registration, state, users.admin)
    registration.refresh_from_db()
    assert registration.state == state
    return registration


def _discard(registration):
    """Clear the way for the next fresh registration: one open registration per subject, plan and year."""
    Registration.objects.filter(pk=registration.pk).delete()


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# Recognizing a subject the verdict finds not eligible needs a written reason, and on the page the
# decider confirms the decision's preview (issue 12, tests/recognition/test_override.py): every move
# here carries both, so the table alone decides who may act.
def _api_move(user, registration, action, comment=REASON):
    return _api(user).post(
        f"/api/recognition/registrations/{registration.pk}/transition/",
        {"action": action, "comment": comment, "override_reason": OVERRIDE_REASON},
        format="json",
    )


def _page_move(client, registration, action, comment=REASON):
    return client.post(
        reverse("recognition:registration_action", args=[registration.pk]),
        {"action": action, "comment": comment, "override_reason": OVERRIDE_REASON, "confirm_decision": "on"},
    )


def _has_button(client, registration, action):
    page = client.get(reverse("recognition:registration_detail", args=[registration.pk]))
    assert page.status_code == 200
    return f'name="action" value="{action}"' in page.content.decode()


def test_every_row_of_the_table_is_exercised_here():
    """The table and this file's expectations name the same steps (adding a row needs a case)."""
    table = {(row.action.name, row.source, row.capability) for row in workflow.TRANSITIONS}
    cases = {(case.action, case.source, case.capability) for case in CASES}
    assert table == cases
    assert {(row.action.name, row.source, row.target) for row in workflow.TRANSITIONS} == {
        (case.action, case.source, case.target) for case in CASES
    }


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_row_is_reachable_by_its_actor_and_refused_to_everyone_else(tree, users, plans, client, case):
    allowed, in_scope = case.allowed(), case.in_scope()
    assert allowed, "every step has someone who may take it"
    assert allowed <= in_scope
    registration = _at(tree, users, plans, case.position, case.source)

    # Refused: outside the scope 404, inside it 403; nothing moves, on the page or in the API.
    for name in sorted(set(APPOINTMENTS) - allowed):
        user = getattr(users, name)
        expected = 403 if name in in_scope else 404
        assert _api_move(user, registration, case.action).status_code == expected, (name, "api")
        client.force_login(user)
        assert _page_move(client, registration, case.action).status_code == expected, (name, "page")
        if name in in_scope:
            assert not _has_button(client, registration, case.action), name
        registration.refresh_from_db()
        assert registration.state == case.source
    _discard(registration)

    # Reachable: the button is shown and works; the API endpoint works; each on a fresh registration.
    for name in sorted(allowed):
        user = getattr(users, name)
        client.force_login(user)
        on_page = _at(tree, users, plans, case.position, case.source)
        assert _has_button(client, on_page, case.action), name
        response = _page_move(client, on_page, case.action)
        assert response.status_code == 302, (name, response.status_code)
        on_page.refresh_from_db()
        assert on_page.state == case.target
        last = on_page.transitions.last()
        assert (last.action, last.actor, last.from_state, last.to_state) == (
            case.action,
            user,
            case.source,
            case.target,
        )
        _discard(on_page)

        by_api = _at(tree, users, plans, case.position, case.source)
        response = _api_move(user, by_api, case.action)
        assert response.status_code == 200, (name, response.content)
        assert response.json()["state"] == case.target
        _discard(by_api)


# A state with no row for the action at all (SCHEMES §5: no step is skipped, none is repeated).
WRONG_STATE = {
    "submit": State.APPRAISED_BOARD,
    "appraise_grassroots": State.DRAFT,
    "appraise_board": State.RECOGNIZED,
    "recognize": State.SUBMITTED,
    "reject": State.DRAFT,
    "return": State.RECOGNIZED,
    "revoke": State.APPRAISED_BOARD,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "state"), sorted(WRONG_STATE.items()))
def test_an_action_from_the_wrong_state_is_a_conflict_even_for_the_administrator(
    tree, users, plans, client, action, state
):
    assert action in workflow.ACTIONS
    registration = _at(tree, users, plans, "four_goods_gr_cell", state)
    response = _api_move(users.admin, registration, action)
    assert response.status_code == 409
    assert "Không thể" in response.json()["detail"]
    client.force_login(users.admin)
    assert not _has_button(client, registration, action)
    response = _page_move(client, registration, action)
    assert response.status_code == 409
    assert "Không thể" in response.content.decode()
    registration.refresh_from_db()
    assert registration.state == state


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("position", "state", "action"),
    [
        # §1.3/§5: a subordinate cell goes through its grassroots committee before the board
        ("four_goods_sub_cell", State.SUBMITTED, "appraise_board"),
        # §5: a model cell appraised by its grassroots committee still goes to the block's board
        ("model_cell_sub_cell", State.APPRAISED_GRASSROOTS, "recognize"),
        # §3.3: a subordinate cell's four-goods result is decided by the committee, not re-appraised
        ("four_goods_sub_cell", State.APPRAISED_GRASSROOTS, "appraise_board"),
        # a grassroots cell has no grassroots committee above it
        ("four_goods_gr_cell", State.SUBMITTED, "appraise_grassroots"),
    ],
)
def test_a_step_off_the_registrations_path_is_a_conflict(tree, users, plans, position, state, action):
    registration = _at(tree, users, plans, position, state)
    assert _api_move(users.admin, registration, action).status_code == 409
    registration.refresh_from_db()
    assert registration.state == state


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(a.name for a in workflow.ACTIONS.values() if a.comment_required))
def test_a_refusal_without_its_reason_is_a_400_that_keeps_the_state(tree, users, plans, client, action):
    """Rejecting, returning and revoking say why (SCHEMES §3.2, §5)."""
    state = State.RECOGNIZED if action == "revoke" else State.APPRAISED_BOARD
    registration = _at(tree, users, plans, "four_goods_gr_cell", state)
    response = _api_move(users.standing, registration, action, comment="   ")
    assert response.status_code == 400
    assert "comment" in response.json()
    client.force_login(users.standing)
    response = _page_move(client, registration, action, comment="")
    assert response.status_code == 400
    assert "Cần ghi rõ" in response.content.decode()
    registration.refresh_from_db()
    assert registration.state == state


@pytest.mark.django_db
def test_an_unknown_action_is_a_400_and_a_registration_out_of_reach_a_404(tree, users, plans):
    registration = _at(tree, users, plans, "four_goods_gr_cell", State.SUBMITTED)
    response = _api_move(users.admin, registration, "approve_everything")
    assert response.status_code == 400 and "action" in response.json()
    missing = Registration.objects.order_by("-pk").first().pk + 1000
    assert (
        _api(users.admin)
        .post(f"/api/recognition/registrations/{missing}/transition/", {"action": "submit"}, format="json")
        .status_code
        == 404
    )
    # the same answer for one that exists outside the scope (cell B is not under cell A1)
    assert _api_move(users.secretary_a1, registration, "appraise_board").status_code == 404


@pytest.mark.django_db
def test_the_schema_documents_one_transition_operation_with_its_request_body(users):
    response = _api(users.admin).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    paths = [p for p in schema["paths"] if p.startswith("/api/recognition/registrations/")]
    assert "/api/recognition/registrations/{id}/transition/" in paths
    for retired in ("submit", "appraise-board", "appraise-grassroots", "recognize", "reject", "return", "revoke"):
        assert f"/api/recognition/registrations/{{id}}/{retired}/" not in paths
    operation = schema["paths"]["/api/recognition/registrations/{id}/transition/"]["post"]
    assert operation["operationId"] == "recognition_registrations_transition"
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    request_schema = schema["components"]["schemas"][body]
    assert request_schema["required"] == ["action"]
    action_enum = request_schema["properties"]["action"]
    if "$ref" in action_enum:
        action_enum = schema["components"]["schemas"][action_enum["$ref"].rsplit("/", 1)[-1]]
    elif "allOf" in action_enum:
        action_enum = schema["components"]["schemas"][action_enum["allOf"][0]["$ref"].rsplit("/", 1)[-1]]
    assert set(action_enum["enum"]) == set(workflow.ACTIONS)
    assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_reviewers_deciding_at_once_through_the_api_make_one_decision(tree, users, plans):
    registration = _at(tree, users, plans, "four_goods_gr_cell", State.APPRAISED_BOARD)
    barrier = threading.Barrier(2)
    statuses = []

    def decide(user):
        client = _api(user)
        try:
            barrier.wait()
            statuses.append(
                client.post(
                    f"/api/recognition/registrations/{registration.pk}/transition/",
                    {"action": "recognize", "comment": "Đạt", "override_reason": OVERRIDE_REASON},
                    format="json",
                ).status_code
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(user,)) for user in (users.standing, users.admin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [200, 409]
    registration.refresh_from_db()
    assert registration.state == State.RECOGNIZED
    assert registration.transitions.filter(action="recognize").count() == 1
    assert Decision.objects.count() == 1


# --------------------------------------------------------------------------- the registrant's list filter


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "shown_years", "error"),
    [
        ("2025", {2025}, False),
        ("năm 2025", {2025}, False),  # what people type: the one number in it is the year
        ("abc", {2024, 2025}, True),
        ("2024 hoặc 2025", {2024, 2025}, True),
        ("99999999999999999999", {2024, 2025}, True),
    ],
)
def test_the_year_filter_reads_what_people_type_and_never_fails(tree, users, plans, client, typed, shown_years, error):
    in_2024 = services.registration_create(user=users.admin, plan=plans.four_goods, year=2024, organization=tree.cell_b)
    in_2025 = services.registration_create(user=users.admin, plan=plans.four_goods, year=2025, organization=tree.cell_b)
    by_year = {2024: in_2024, 2025: in_2025}
    client.force_login(users.secretary_b)
    response = client.get(reverse("recognition:registration_list"), {"year": typed})
    assert response.status_code == 200
    page = response.content.decode()
    for year, registration in by_year.items():
        assert (f'data-registration="{registration.pk}"' in page) is (year in shown_years), year
    assert ("Năm không hợp lệ: hãy nhập bốn chữ số, ví dụ 2025." in page) is error
    client.force_login(users.org_board)
    assert client.get(reverse("recognition:review_queue"), {"year": typed}).status_code == 200
