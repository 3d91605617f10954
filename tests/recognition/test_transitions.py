"""Every allowed and every forbidden transition per role and position in the tree (SCHEMES §3.3, §5).

Positions (tests/conftest.py tree):
- four_goods_sub_cell: cell A1 (subordinate cell), four-goods → decided by committee A (SCHEMES §3.3);
- model_cell_sub_cell: cell A1, model cell → committee A appraises, the block's organization board
  appraises, the block's standing committee decides (SCHEMES §1.3);
- four_goods_gr_cell: cell B (grassroots cell) → the block's organization board, then standing;
- exemplary_model: committee A's administrative-reform model → the block's propaganda board, then
  standing (SCHEMES §4.1, §5).
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from criteria.models import Scheme
from recognition import services
from recognition.models import State, SubjectKind

from .conftest import OVERRIDE_REASON, advance

USERS = [
    "secretary_a1",
    "secretary_b",
    "committee_staff_a",
    "org_board",
    "propaganda_board",
    "standing",
    "attendee",
    "admin",
]

POSITIONS = {
    "four_goods_sub_cell": {"scheme": Scheme.FOUR_GOODS, "org": "cell_a1", "year": 2024},
    "model_cell_sub_cell": {"scheme": Scheme.MODEL_CELL, "org": "cell_a1", "year": 2025},
    "four_goods_gr_cell": {"scheme": Scheme.FOUR_GOODS, "org": "cell_b", "year": 2024},
    "exemplary_model": {
        "scheme": Scheme.EXEMPLARY,
        "org": "committee_a",
        "year": 2023,
        "subject_kind": SubjectKind.MODEL,
        "model_name": "Mô hình “Một cửa liên thông”",
        "model_type": 7,
    },
}

# (position, action, source state) → the users allowed; every other user is refused.
# REGISTER is held by cell secretaries for their cell, grassroots staff for their committee's subtree
# and the propaganda board for the block's subtree (registry/scoping.py ROLE_CAPABILITIES).
ALLOWED = {
    ("four_goods_sub_cell", "submit", State.DRAFT): {"secretary_a1", "committee_staff_a", "propaganda_board", "admin"},
    ("four_goods_sub_cell", "appraise_grassroots", State.SUBMITTED): {"committee_staff_a", "admin"},
    ("four_goods_sub_cell", "return", State.SUBMITTED): {"committee_staff_a", "admin"},
    ("four_goods_sub_cell", "appraise_board", State.APPRAISED_GRASSROOTS): set(),
    ("four_goods_sub_cell", "recognize", State.APPRAISED_GRASSROOTS): {"committee_staff_a", "admin"},
    ("four_goods_sub_cell", "reject", State.APPRAISED_GRASSROOTS): {"committee_staff_a", "admin"},
    ("four_goods_sub_cell", "return", State.APPRAISED_GRASSROOTS): {"committee_staff_a", "admin"},
    ("four_goods_sub_cell", "revoke", State.RECOGNIZED): {"committee_staff_a", "admin"},
    ("model_cell_sub_cell", "submit", State.DRAFT): {"secretary_a1", "committee_staff_a", "propaganda_board", "admin"},
    ("model_cell_sub_cell", "appraise_grassroots", State.SUBMITTED): {"committee_staff_a", "admin"},
    ("model_cell_sub_cell", "appraise_board", State.SUBMITTED): set(),
    ("model_cell_sub_cell", "recognize", State.APPRAISED_GRASSROOTS): set(),
    ("model_cell_sub_cell", "appraise_board", State.APPRAISED_GRASSROOTS): {"org_board", "admin"},
    ("model_cell_sub_cell", "return", State.APPRAISED_GRASSROOTS): {"org_board", "admin"},
    ("model_cell_sub_cell", "recognize", State.APPRAISED_BOARD): {"standing", "admin"},
    ("model_cell_sub_cell", "reject", State.APPRAISED_BOARD): {"standing", "admin"},
    ("model_cell_sub_cell", "return", State.APPRAISED_BOARD): {"standing", "admin"},
    ("model_cell_sub_cell", "revoke", State.RECOGNIZED): {"standing", "admin"},
    ("four_goods_gr_cell", "submit", State.DRAFT): {"secretary_b", "propaganda_board", "admin"},
    ("four_goods_gr_cell", "appraise_grassroots", State.SUBMITTED): set(),
    ("four_goods_gr_cell", "appraise_board", State.SUBMITTED): {"org_board", "admin"},
    ("four_goods_gr_cell", "return", State.SUBMITTED): {"org_board", "admin"},
    ("four_goods_gr_cell", "recognize", State.APPRAISED_BOARD): {"standing", "admin"},
    ("four_goods_gr_cell", "reject", State.APPRAISED_BOARD): {"standing", "admin"},
    ("four_goods_gr_cell", "revoke", State.RECOGNIZED): {"standing", "admin"},
    ("exemplary_model", "submit", State.DRAFT): {"committee_staff_a", "propaganda_board", "admin"},
    ("exemplary_model", "appraise_grassroots", State.SUBMITTED): set(),
    ("exemplary_model", "appraise_board", State.SUBMITTED): {"propaganda_board", "admin"},
    ("exemplary_model", "return", State.SUBMITTED): {"propaganda_board", "admin"},
    ("exemplary_model", "recognize", State.APPRAISED_BOARD): {"standing", "admin"},
    ("exemplary_model", "reject", State.APPRAISED_BOARD): {"standing", "admin"},
    ("exemplary_model", "revoke", State.RECOGNIZED): {"standing", "admin"},
}

SERVICE = {
    "submit": lambda r, u: services.registration_submit(registration=r, user=u),
    "appraise_grassroots": lambda r, u: services.registration_appraise_grassroots(registration=r, user=u),
    "appraise_board": lambda r, u: services.registration_appraise_board(registration=r, user=u),
    "recognize": lambda r, u: services.registration_recognize(
        override_reason=OVERRIDE_REASON, registration=r, user=u, render=False
    ),
    "reject": lambda r, u: services.registration_reject(registration=r, user=u, comment="Chưa đủ tiêu chí."),
    "return": lambda r, u: services.registration_return(registration=r, user=u, comment="Bổ sung biên bản."),
    "revoke": lambda r, u: services.registration_revoke(registration=r, user=u, comment="Vi phạm.", render=False),
}

TARGET = {
    "submit": State.SUBMITTED,
    "appraise_grassroots": State.APPRAISED_GRASSROOTS,
    "appraise_board": State.APPRAISED_BOARD,
    "recognize": State.RECOGNIZED,
    "reject": State.REJECTED,
    "return": State.RETURNED,
    "revoke": State.REVOKED,
}


def _registration(tree, users, plans, position):
    spec = dict(POSITIONS[position])
    scheme = spec.pop("scheme")
    org = getattr(tree, spec.pop("org"))
    return services.registration_create(
        user=users.admin, plan=getattr(plans, scheme), organization=org, registrant=org, **spec
    )


CASES = [(position, action, state, user) for (position, action, state) in ALLOWED for user in USERS]


@pytest.mark.django_db
@pytest.mark.parametrize(("position", "action", "state", "username"), CASES)
def test_each_role_may_only_make_the_transitions_of_its_place_in_the_tree(
    tree, users, plans, position, action, state, username
):
    registration = advance(_registration(tree, users, plans, position), state, users.admin)
    user = getattr(users, username)
    expected = username in ALLOWED[(position, action, state)]
    assert (action in [a.name for a in services.allowed_actions(user, registration)]) is expected
    if expected:
        SERVICE[action](registration, user)
        registration.refresh_from_db()
        assert registration.state == TARGET[action]
        last = registration.transitions.last()
        assert (last.actor, last.from_state, last.to_state) == (user, state, TARGET[action])
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            SERVICE[action](registration, user)
        registration.refresh_from_db()
        assert registration.state == state


FSM_SOURCES = {
    "submit": {State.DRAFT, State.RETURNED},
    "appraise_grassroots": {State.SUBMITTED},
    "appraise_board": {State.SUBMITTED, State.APPRAISED_GRASSROOTS},
    "recognize": {State.APPRAISED_GRASSROOTS, State.APPRAISED_BOARD},
    "reject": {State.APPRAISED_GRASSROOTS, State.APPRAISED_BOARD},
    "return": {State.SUBMITTED, State.APPRAISED_GRASSROOTS, State.APPRAISED_BOARD},
    "revoke": {State.RECOGNIZED},
}
OUT_OF_ORDER = [
    (action, state)
    for action in SERVICE
    for state in (State.DRAFT, State.SUBMITTED, State.APPRAISED_BOARD, State.RECOGNIZED)
    if state not in FSM_SOURCES[action]
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "state"), OUT_OF_ORDER)
def test_even_an_administrator_cannot_skip_a_step(tree, users, plans, action, state):
    registration = advance(_registration(tree, users, plans, "four_goods_gr_cell"), state, users.admin)
    with pytest.raises(ValidationError, match="Không thể"):
        SERVICE[action](registration, users.admin)
    registration.refresh_from_db()
    assert registration.state == state


@pytest.mark.django_db
def test_the_block_standing_committee_cannot_decide_a_subordinate_cells_four_goods(tree, users, plans):
    """SCHEMES §3.3: a subordinate cell's four-goods result is decided by its grassroots committee."""
    registration = advance(
        _registration(tree, users, plans, "four_goods_sub_cell"), State.APPRAISED_GRASSROOTS, users.admin
    )
    assert registration.authority == tree.committee_a
    with pytest.raises(PermissionDenied):
        services.registration_recognize(override_reason=OVERRIDE_REASON, registration=registration, user=users.standing)
    services.registration_recognize(
        override_reason=OVERRIDE_REASON, registration=registration, user=users.committee_staff_a, render=False
    )
    registration.refresh_from_db()
    assert registration.decision.issuer == tree.committee_a
