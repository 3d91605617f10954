"""The recognition workflow as one table (SCHEMES §1.3, §3.3, §4.1, §5).

Each row of `TRANSITIONS` is one way a registration moves: the action, the state it
leaves, the state it enters, the capability the actor must hold (ROLE_CAPABILITIES in
registry/scoping.py), whose organization the actor must act for, and the condition on
the registration beyond its state (which path through the appraisals it takes). Each
action in `ACTIONS` carries its Vietnamese label, whether a comment is required and
where the comment is also kept on the registration.

The table drives everything else, so adding an action means adding its `Action` and
its rows here:
- Registration's django-fsm transition methods are generated from it
  (`TransitionMethods`): the FSM checks the source state, the row's condition (its
  `conditions`) and the actor (its `permission`); states are checked only there;
- the buttons of the registration page and the review queue (`allowed_actions`);
- the one service that moves a registration
  (recognition/services/transitions.py `registration_transition`), which also keeps
  the audit row and runs the action's side effects, if it has any, on commit;
- the one API endpoint `POST /api/recognition/registrations/<pk>/transition/`.

This module imports no model: models.py builds its state machine from it.
"""

from dataclasses import dataclass
from itertools import groupby

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed, has_transition_perm, transition

from registry.scoping import (
    APPRAISE_BOARD,
    APPRAISE_GRASSROOTS,
    DECIDE,
    REGISTER,
    ROLE_CAPABILITIES,
    _appointments,
    can,
    is_unrestricted,
)

from .states import State

# --------------------------------------------------------------------------- who acts where


def acts_at(user, organization, capability, roles=None):
    """True when `user` holds `capability` through an appointment at `organization` itself
    (the body acting, not a level above it), optionally only in one of `roles`.
    Unrestricted users (registry.scoping.is_unrestricted) act everywhere."""
    if organization is None or not user.is_authenticated or not user.is_active:
        return False
    if is_unrestricted(user):
        return True
    for role, path in _appointments(user):  # cached per user object by registry.scoping
        if path != organization.path or capability not in ROLE_CAPABILITIES.get(role, ()):
            continue
        if roles is None or role in roles or role == "sysadmin":
            return True
    return False


def grassroots_of(registration):
    """The grassroots committee above the subject, or None when the subject is itself grassroots."""
    grassroots = registration.organization.grassroots()
    return grassroots if grassroots is not None and grassroots.pk != registration.organization_id else None


def granting_body(registration):
    """The body that granted a recognition: the issuer of its decision (SCHEMES §3.2, [004 §II.4.2.3])."""
    return registration.decision.issuer if registration.decision_id else registration.authority


@dataclass(frozen=True)
class Actor:
    """Whose organization the actor acts for in a row.

    `at_itself`: the capability must come from an appointment at that organization itself
    (a committee or board acting as a body); otherwise an appointment there or anywhere
    above it is enough (registering for a cell). `roles`: only these roles (by registration)."""

    description: str
    organizations: object  # registration -> list of organizations (None entries ignored)
    at_itself: bool = True
    roles: object = None  # registration -> set of roles, or None for any role with the capability

    def permits(self, user, registration, capability):
        roles = self.roles(registration) if self.roles else None
        for organization in self.organizations(registration):
            if organization is None:
                continue
            if self.at_itself and acts_at(user, organization, capability, roles):
                return True
            if not self.at_itself and can(user, capability, organization):
                return True
        return False

    def acting_for(self, registration):
        """The organization written in the audit row as the one the actor acted for."""
        return next((org for org in self.organizations(registration) if org is not None), None)


REGISTRANT = Actor(
    "the registrant (the registering organization, or the subject) or a level above it",
    lambda r: [r.registrant, r.organization],
    at_itself=False,
)
GRASSROOTS = Actor("the grassroots committee above the subject", lambda r: [grassroots_of(r)])
BOARD = Actor(
    "the authority's board: organization board, propaganda board for exemplary models (SCHEMES §5)",
    lambda r: [r.authority],
    roles=lambda r: {r.board_role},
)
AUTHORITY = Actor("the authority that decides (SCHEMES §3.3, §5)", lambda r: [r.authority])
GRANTOR = Actor("the body that granted the recognition (SCHEMES §3.2)", lambda r: [granting_body(r)])


@dataclass(frozen=True)
class Condition:
    """What must hold of the registration, beyond its state, for a row to apply."""

    description: str
    test: object  # registration -> bool

    def __call__(self, registration):
        return bool(self.test(registration))


VIA_GRASSROOTS = Condition(
    "a subordinate cell: its grassroots committee appraises first", lambda r: r.needs_grassroots_appraisal
)
DIRECT = Condition("no grassroots appraisal", lambda r: not r.needs_grassroots_appraisal)
BOARD_NEXT = Condition(
    "the authority is above the grassroots committee", lambda r: not r.authority_decides_after_grassroots
)
GRASSROOTS_DECIDES = Condition(
    "the grassroots committee is the authority (four-goods of a subordinate cell, SCHEMES §3.3)",
    lambda r: r.authority_decides_after_grassroots,
)


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Action:
    """One action a user can take; `method` is its Registration method (``return`` is a keyword)."""

    name: str
    method: str
    label: object
    comment_required: object = None  # the message shown when the comment is missing
    comment_field: str = ""  # the registration field that also keeps the comment
    primary: bool = True  # button style: forward moves are primary, refusals are not
    in_queue: bool = False  # offered for several registrations at once in the review queue


SUBMIT = Action("submit", "submit", _("Gửi đăng ký"))
APPRAISE_AT_GRASSROOTS = Action(
    "appraise_grassroots", "appraise_grassroots", _("Đảng ủy cơ sở thẩm định"), in_queue=True
)
APPRAISE_AT_BOARD = Action("appraise_board", "appraise_board", _("Ban chuyên môn thẩm định"), in_queue=True)
RECOGNIZE = Action("recognize", "recognize", _("Công nhận"))
REJECT = Action(
    "reject",
    "reject",
    _("Không công nhận"),
    comment_required=_("Cần ghi rõ lý do không công nhận."),
    comment_field="rejection_reason",
    primary=False,
)
RETURN = Action(
    "return",
    "return_to_registrant",
    _("Trả lại để bổ sung"),
    comment_required=_("Cần ghi rõ nội dung yêu cầu bổ sung."),
    comment_field="return_request",
    primary=False,
    in_queue=True,
)
REVOKE = Action(
    "revoke",
    "revoke",
    _("Hủy bỏ công nhận"),
    comment_required=_("Cần ghi rõ lý do hủy bỏ công nhận."),
    comment_field="revocation_reason",
    primary=False,
)

APPRAISALS = (APPRAISE_AT_GRASSROOTS, APPRAISE_AT_BOARD)  # their actors review the evidence and may add to it
ACTIONS = {a.name: a for a in (SUBMIT, APPRAISE_AT_GRASSROOTS, APPRAISE_AT_BOARD, RECOGNIZE, REJECT, RETURN, REVOKE)}


@dataclass(frozen=True)
class Row:
    action: Action
    source: str
    target: str
    capability: str
    actor: Actor
    when: Condition | None = None

    def applies(self, registration):
        return self.when is None or self.when(registration)

    def permits(self, user, registration):
        return self.actor.permits(user, registration, self.capability)


S = State
TRANSITIONS = (
    # registrant: draft or returned → submitted (SCHEMES §5)
    Row(SUBMIT, S.DRAFT, S.SUBMITTED, REGISTER, REGISTRANT),
    Row(SUBMIT, S.RETURNED, S.SUBMITTED, REGISTER, REGISTRANT),
    # the grassroots committee appraises its subordinate cells (SCHEMES §1.3, §5)
    Row(APPRAISE_AT_GRASSROOTS, S.SUBMITTED, S.APPRAISED_GRASSROOTS, APPRAISE_GRASSROOTS, GRASSROOTS, VIA_GRASSROOTS),
    Row(RETURN, S.SUBMITTED, S.RETURNED, APPRAISE_GRASSROOTS, GRASSROOTS, VIA_GRASSROOTS),
    # the competent board of the authority appraises (SCHEMES §1.3, §4.1, §5)
    Row(APPRAISE_AT_BOARD, S.SUBMITTED, S.APPRAISED_BOARD, APPRAISE_BOARD, BOARD, DIRECT),
    Row(RETURN, S.SUBMITTED, S.RETURNED, APPRAISE_BOARD, BOARD, DIRECT),
    Row(APPRAISE_AT_BOARD, S.APPRAISED_GRASSROOTS, S.APPRAISED_BOARD, APPRAISE_BOARD, BOARD, BOARD_NEXT),
    Row(RETURN, S.APPRAISED_GRASSROOTS, S.RETURNED, APPRAISE_BOARD, BOARD, BOARD_NEXT),
    # the grassroots committee decides its subordinate cells' four-goods (SCHEMES §3.3)
    Row(RECOGNIZE, S.APPRAISED_GRASSROOTS, S.RECOGNIZED, DECIDE, AUTHORITY, GRASSROOTS_DECIDES),
    Row(REJECT, S.APPRAISED_GRASSROOTS, S.REJECTED, DECIDE, AUTHORITY, GRASSROOTS_DECIDES),
    Row(RETURN, S.APPRAISED_GRASSROOTS, S.RETURNED, DECIDE, AUTHORITY, GRASSROOTS_DECIDES),
    # the standing committee of the authority decides (SCHEMES §5)
    Row(RECOGNIZE, S.APPRAISED_BOARD, S.RECOGNIZED, DECIDE, AUTHORITY),
    Row(REJECT, S.APPRAISED_BOARD, S.REJECTED, DECIDE, AUTHORITY),
    Row(RETURN, S.APPRAISED_BOARD, S.RETURNED, DECIDE, AUTHORITY),
    # only the body that granted a recognition revokes it (SCHEMES §3.2, [004 §II.4.2.3])
    Row(REVOKE, S.RECOGNIZED, S.REVOKED, DECIDE, GRANTOR),
)
del S


def rows_for(action_name, source=None):
    return [r for r in TRANSITIONS if r.action.name == action_name and (source is None or r.source == source)]


def row_for(registration, action_name):
    """The row that applies to `registration` in its state for `action_name`, or None."""
    return next((r for r in rows_for(action_name, registration.state) if r.applies(registration)), None)


# --------------------------------------------------------------------------- the state machine


def _condition(rows):
    def condition(registration):
        return any(row.applies(registration) for row in rows)

    condition.__doc__ = " or ".join(row.when.description if row.when else "always" for row in rows)
    return condition


def _permission(rows):
    def permission(registration, user):
        return any(row.applies(registration) and row.permits(user, registration) for row in rows)

    return permission


def _fsm_method(action):
    """Registration.<action.method>: one django-fsm transition per source state of the action's rows.

    Rows sharing a source (return from "submitted" goes to the grassroots committee or to the
    board) have exclusive conditions and become one FSM transition with both."""

    def move(self):
        """Only moves the state: recognition/services/transitions.py does the rest."""

    move.__name__ = action.method
    move.__qualname__ = f"Registration.{action.method}"
    rows = sorted(rows_for(action.name), key=lambda r: r.source)
    for source, group in groupby(rows, key=lambda r: r.source):
        group = list(group)
        targets = {row.target for row in group}
        assert len(targets) == 1, f"{action.name} from {source} has several targets"
        move = transition(
            field="state",
            source=source,
            target=targets.pop(),
            conditions=[_condition(group)],
            permission=_permission(group),
            custom={"action": action.name},
        )(move)
    return move


# Registration inherits these methods (recognition/models.py).
TransitionMethods = type(
    "TransitionMethods",
    (),
    {"__module__": __name__, **{action.method: _fsm_method(action) for action in ACTIONS.values()}},
)


class TransitionConflict(ValidationError):
    """The action is not possible in the registration's state or on its path (HTTP 409)."""


def allowed_actions(user, registration):
    """The actions `user` may take on `registration` now, in the table's order (django-fsm decides)."""
    names = {t.custom["action"] for t in registration.get_available_user_state_transitions(user)}
    return [action for name, action in ACTIONS.items() if name in names]


def refusal(user, registration, action):
    """Why `user` may not take `action` now, as the exception to raise; None when allowed.

    In the order django-fsm checks: the state (409), the path (409), the actor (403)."""
    method = getattr(registration, action.method)
    if not can_proceed(method):
        return TransitionConflict(
            gettext("Không thể “%(action)s” khi đăng ký đang ở trạng thái “%(state)s”.")
            % {"action": action.label, "state": registration.get_state_display()}
        )
    if not has_transition_perm(method, user):
        return PermissionDenied(gettext("Bạn không có thẩm quyền “%(action)s” đăng ký này.") % {"action": action.label})
    return None


def markdown_table():
    """The table as Markdown, for the README (`python manage.py shell -c ...`)."""
    lines = [
        "| action | label | from | to | capability | acting for | when | comment |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in TRANSITIONS:
        lines.append(
            f"| `{row.action.name}` | {row.action.label} | {row.source} | {row.target} | `{row.capability}` "
            f"| {row.actor.description} | {row.when.description if row.when else '—'} "
            f"| {'required' if row.action.comment_required else 'optional'} |"
        )
    return "\n".join(lines)
