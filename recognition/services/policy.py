"""Who may do what in the recognition workflow (SCHEMES §3.3, §5).

Transitions are decided by the table in recognition/workflow.py through django-fsm;
this module answers the questions around it: which body decides a subject, who may
register or add evidence, and what happens next in words a secretary understands.
"""

from django.utils.translation import gettext as _

from criteria.models import Scheme
from registry.models import OrganizationKind
from registry.scoping import REGISTER, can

from ..models import State
from ..workflow import ACTIONS, APPRAISALS, TransitionConflict, acts_at, allowed_actions, grassroots_of, refusal

__all__ = [
    "ACTIONS",
    "TransitionConflict",
    "acts_at",
    "allowed_actions",
    "authority_for",
    "board_name",
    "grassroots_of",
    "may_add_evidence",
    "may_register",
    "next_step",
    "refusal",
]


def authority_for(scheme, organization, plan=None):
    """Who decides (SCHEMES §3.3, §5): a subordinate cell's four-goods result its grassroots
    committee; everything else the standing committee of the upper level above the subject."""
    if scheme == Scheme.FOUR_GOODS and organization.kind in (
        OrganizationKind.SUBORDINATE_CELL,
        OrganizationKind.PARTIAL_COMMITTEE,
    ):
        grassroots = organization.grassroots()
        if grassroots is not None:
            return grassroots
    ancestors = list(organization.ancestors())
    uppers = [org for org in ancestors if org.kind == OrganizationKind.UPPER_COMMITTEE]
    if uppers:
        return uppers[-1]
    if plan is not None and plan.issuer_id:
        return plan.issuer
    if ancestors:
        return ancestors[-1]
    return organization


def may_register(user, registration):
    """The registrant's side: registering, completing and submitting (REGISTER on the subject or registrant)."""
    return can(user, REGISTER, registration.organization) or can(user, REGISTER, registration.registrant)


def may_add_evidence(user, registration):
    """The registrant, or the reviewer whose appraisal is next, may attach evidence."""
    if may_register(user, registration):
        return True
    return any(action in APPRAISALS for action in allowed_actions(user, registration))


def board_name(registration):
    return _("Ban Tuyên giáo") if registration.scheme == Scheme.EXEMPLARY else _("Ban Tổ chức")


def next_step(registration):
    """What happens next, in words a secretary understands."""
    state = registration.state
    if state in (State.DRAFT, State.RETURNED):
        return _("Tổ chức đăng ký hoàn thiện hồ sơ và gửi")
    if state == State.SUBMITTED:
        if registration.needs_grassroots_appraisal:
            return _("Chờ đảng ủy cơ sở thẩm định")
        return _("Chờ %(board)s thẩm định") % {"board": board_name(registration)}
    if state == State.APPRAISED_GRASSROOTS:
        if registration.authority_decides_after_grassroots:
            return _("Chờ đảng ủy cơ sở quyết định công nhận")
        return _("Chờ %(board)s thẩm định") % {"board": board_name(registration)}
    if state == State.APPRAISED_BOARD:
        return _("Chờ Ban Thường vụ quyết định")
    if state == State.RECOGNIZED and not registration.decision_id:
        return _("Chờ ban hành quyết định")
    return ""
