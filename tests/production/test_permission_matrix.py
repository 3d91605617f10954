"""Permission matrix DECLARED from the role table: every route × method × role × in / out of scope × anonymous.

issue 10 (Tests). Nothing here is recorded from what the code answers: each route
declares the capability an operation needs and whose organization it is checked on,
and the expected answer for every role follows from `ROLE_CAPABILITIES`
(registry/scoping.py, the README's role table, SCHEMES.md §0) and from where each role
is appointed (`APPOINTED`, the `users` fixture of tests/conftest.py):

- anonymous: pages send to the login page (302), the API answers 401/403;
- the object lies outside every organization the role may VIEW: exactly 404, the
  answer for a nonexistent object (out-of-scope ids answer as missing ones);
- the role sees the object but lacks the operation's capability: 403 or 404, and a
  write changes nothing in the database;
- the role holds the capability: a read answers 200, a write is not refused
  (not 401/403/404, never 5xx).

"Changes nothing" is measured, not guessed: PostgreSQL counts the rows each request
inserts, updates and deletes (`pg_stat_xact_user_tables`); every request runs in a
savepoint of its own that is rolled back, so requests never see each other's writes.

Body checks: a member named FOREIGN_NAME sits in another block, one named SIBLING_NAME
in grassroots cell B (tests/production/permission_world.py). Neither name may appear in
any response of any route to a user whose scope does not reach them.

Routes come from Django's URL resolver, with their HTTP methods from DRF's routers: a
route (or an API method) the resolver has but this table does not declare fails
`test_every_route_is_declared`. The world is built once for the module.
"""

import json
import re
from dataclasses import dataclass, field

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from registry.scoping import (
    APPRAISE_BOARD,
    APPRAISE_GRASSROOTS,
    ATTEND,
    DECIDE,
    EDIT_REGISTRY,
    FILE_MONTHLY,
    LOCK_MONTH,
    MANAGE_PLANS,
    MANAGE_TREE,
    REGISTER,
    ROLE_CAPABILITIES,
    VIEW,
)

from .permission_world import FOREIGN_NAME, SIBLING_NAME, pworld, shared_world  # noqa: F401

ROLES = ["anon", "sec_a1", "sec_b", "staff_a", "org_b", "prop_b", "stand", "attend", "admin"]

# role -> (Role code of its appointment, the organization it is appointed at); tests/conftest.py `users`.
APPOINTED = {
    "sec_a1": ("cell_secretary", "cell_a1"),
    "sec_b": ("cell_secretary", "cell_b"),
    "staff_a": ("grassroots_staff", "committee_a"),
    "org_b": ("org_board", "block"),
    "prop_b": ("propaganda_board", "block"),
    "stand": ("standing", "block"),
    "attend": ("attendee", "block"),
    # the system administrator of the root organization reaches everything (scoping.is_unrestricted)
    "admin": ("sysadmin", "*"),
}

# The organizations above (and including) the one that owns an object, per side and level.
# "in": cell A1 under committee A under the block; "out": the same levels of another block.
OWNER_CHAIN = {
    ("in", "cell"): {"cell_a1", "committee_a", "block"},
    ("in", "committee"): {"committee_a", "block"},
    ("in", "block"): {"block"},
    ("out", "cell"): set(),
    ("out", "committee"): set(),
    ("out", "block"): set(),
}

# Pseudo-capabilities.
PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed_in"  # any signed-in user, no organization involved
OWNER = "owner"  # the user the object belongs to (notifications), no one else

# Who may take each workflow action (SCHEMES §5; the capabilities of scoping.py): a role
# without one of these over the registration's organization changes nothing.
ACTION_CAPABILITIES = {
    "submit": {REGISTER},
    "appraise_grassroots": {APPRAISE_GRASSROOTS},
    "appraise_board": {APPRAISE_BOARD},
    "recognize": {DECIDE},
    "reject": {DECIDE},
    # The world's registration (tests/production/world.py) is a submitted registration of a cell
    # under a grassroots committee: at that step only the grassroots committee appraises or
    # returns it (SCHEMES §5, the `return` rows of recognition/workflow.py); a board or the
    # standing committee returns only at the later steps it acts on.
    "return": {APPRAISE_GRASSROOTS},
    "revoke": {DECIDE},
}
# Assigning attendees: the upper level's boards/standing committee and the grassroots
# committee for its cells (SCHEMES §2.1 "upper-level committee members and board staff are assigned").
ASSIGN = (LOCK_MONTH, MANAGE_PLANS)
# Acting in the review queue: whoever appraises or decides (SCHEMES §5).
REVIEW = (APPRAISE_GRASSROOTS, APPRAISE_BOARD, DECIDE)


@dataclass(frozen=True)
class Op:
    """One operation: what capability it needs, checked on whose organization.

    cap: a capability of scoping.py, a tuple (any of them), PUBLIC, SIGNED_IN or OWNER.
    level: "cell" / "committee" / "block": the object's organization is that level of the
      side ("in" / "out") under test; "plan": a plan of the side's block, read by everyone in
      or under it; None: no object, the capability is needed anywhere.
    obj: the world key of the URL's `pk` (and `kwargs`: other URL arguments -> world key or value).
    data: a dict; "form" (the form the system administrator is shown, resubmitted);
      "object" (the administrator's JSON of the object, sent back); "copy:<detail route>"
      (that JSON posted to a list); a callable(ids) -> dict.
    ok: the statuses of a permitted read.
    assigned: only the attendee assigned to the cell (ATTEND "as the assigned attendee").
    """

    cap: object
    level: str | None = None
    obj: str | None = None
    kwargs: dict = field(default_factory=dict)
    data: object = None
    ok: frozenset = frozenset({200})
    assigned: bool = False


def detail(cap, obj, level="cell", **kw):
    return Op(cap, level, obj, **kw)


def crud(obj, write_cap, *, list_post=True, put=True, delete=True, level="cell", list_name=None):
    """A DRF model viewset: list / create / retrieve / update / partial update / destroy."""
    base = {"GET": Op(VIEW)}
    if list_post:
        base["POST"] = Op(write_cap, level, obj, data="copy")
    one = {"GET": detail(VIEW, obj, level), "PATCH": detail(write_cap, obj, level, data="object")}
    if put:
        one["PUT"] = detail(write_cap, obj, level, data="object")
    if delete:
        one["DELETE"] = detail(write_cap, obj, level)
    return base, one


def transitions(obj):
    ops = {}
    for action, caps in ACTION_CAPABILITIES.items():
        ops[f"POST {action}"] = detail(tuple(caps), obj, data={"action": action, "comment": "Kiểm tra quyền"})
    return ops


DECLARED = {
    "home": {"GET": Op(SIGNED_IN)},
    "healthz": {"GET": Op(PUBLIC)},
    "login": {"GET": Op(PUBLIC)},
    "password_change": {"GET": Op(SIGNED_IN)},
    # registry
    "registry:tree": {"GET": Op(VIEW)},
    "registry:organization": {"GET": detail(VIEW, "committee", "committee", ok=frozenset({200, 302}))},
    "registry:cell": {"GET": detail(VIEW, "cell")},
    "registry:rating_entry": {
        "GET": detail(EDIT_REGISTRY, "cell", kwargs={"year": 2024}),
        "POST": detail(EDIT_REGISTRY, "cell", kwargs={"year": 2024}, data="form"),
    },
    "registry:members": {"GET": Op(VIEW)},
    "registry:member": {"GET": detail(VIEW, "member")},
    "registry:import": {"GET": Op(EDIT_REGISTRY), "POST": Op(EDIT_REGISTRY, data={})},
    # everything of the kind the user may see (the body check reads the csv for foreign names)
    "registry:export": {"GET": Op(VIEW, kwargs={"kind": "members", "file_format": "csv"})},
    # the empty template: headers only, no data
    "registry:import_template": {"GET": Op(SIGNED_IN, kwargs={"kind": "members", "file_format": "csv"})},
    # evaluations
    "evaluations:home": {"GET": Op(VIEW)},
    "evaluations:calendar": {"GET": Op(VIEW)},
    "evaluations:attendee": {"GET": Op(ATTEND)},
    "evaluations:assignments": {"GET": Op(ASSIGN), "POST": Op(ASSIGN, data="form")},
    "evaluations:cell": {"GET": detail(VIEW, "cell")},
    "evaluations:meeting_create": {
        "GET": detail(FILE_MONTHLY, "cell"),
        "POST": detail(FILE_MONTHLY, "cell", data="form"),
    },
    "evaluations:schedule": {"GET": detail(FILE_MONTHLY, "cell"), "POST": detail(FILE_MONTHLY, "cell", data="form")},
    "evaluations:committee": {"GET": detail(VIEW, "committee", "committee")},
    "evaluations:committee_lock": {
        "POST": detail(LOCK_MONTH, "committee", "committee", data={"year": "2025", "month": "4"}),
    },
    "evaluations:quarterly": {"GET": detail(VIEW, "committee", "committee")},
    "evaluations:meeting": {"GET": detail(VIEW, "meeting")},
    "evaluations:meeting_edit": {
        "GET": detail(FILE_MONTHLY, "meeting"),
        "POST": detail(FILE_MONTHLY, "meeting", data="form"),
    },
    "evaluations:report": {
        "GET": detail(ATTEND, "meeting", assigned=True),
        "POST": detail(ATTEND, "meeting", assigned=True, data="form"),
    },
    "evaluations:attachment": {"GET": detail(VIEW, "attachment")},
    "evaluations:meeting_minutes": {"GET": detail(VIEW, "meeting")},
    "evaluations:four_goods": {
        "GET": detail(VIEW, "cell", kwargs={"year": "year", "month": "month"}),
        "POST": detail(FILE_MONTHLY, "cell", kwargs={"year": "year", "month": "month"}, data="form"),
        "POST lock": detail(
            LOCK_MONTH, "cell", kwargs={"year": 2025, "month": 5}, data={"action": "lock", "reason": "Kiểm tra quyền"}
        ),
    },
    "evaluations:notifications": {"GET": Op(SIGNED_IN), "POST": Op(SIGNED_IN, data={})},
    # criteria
    "criteria:ranking": {"GET": Op(VIEW)},
    "criteria:dashboard": {"GET": Op(VIEW)},
    "criteria:indicator": {"GET": Op(VIEW, kwargs={"code": "registrations"})},
    "criteria:subject": {"GET": detail(VIEW, "cell")},
    # the facts the schemes read, recorded by their owners (issue 12): read with VIEW, written with
    # EDIT_REGISTRY held for the organization: the cell's yearly facts and the committee's own
    "criteria:facts_year": {
        "GET": detail(VIEW, "cell", kwargs={"year": 2024}),
        "POST": detail(EDIT_REGISTRY, "cell", kwargs={"year": 2024}, data="form"),
        "GET committee": detail(VIEW, "committee", "committee", kwargs={"year": 2024}),
        "POST committee": detail(EDIT_REGISTRY, "committee", "committee", kwargs={"year": 2024}, data="form"),
    },
    "criteria:facts_nominations": {
        "GET": detail(VIEW, "cell", kwargs={"year": 2024}),
        "POST": detail(EDIT_REGISTRY, "cell", kwargs={"year": 2024}, data="form"),
    },
    # 2023: the world's mass organization is rated for 2024 only, so the form offers a rating to write
    "criteria:facts_mass_orgs": {
        "GET": detail(VIEW, "cell", kwargs={"year": 2023}),
        "POST": detail(EDIT_REGISTRY, "cell", kwargs={"year": 2023}, data="form"),
    },
    "criteria:facts_import": {"GET": Op(EDIT_REGISTRY), "POST": Op(EDIT_REGISTRY, data={})},
    # the template: headers and one example row from the user's own write scope
    "criteria:facts_import_template": {"GET": Op(SIGNED_IN, kwargs={"kind": "nominations", "file_format": "csv"})},
    # recognition
    "recognition:registration_list": {"GET": Op(VIEW)},
    "recognition:registration_create": {"GET": Op(VIEW), "POST": Op(REGISTER, data="form")},
    "recognition:registration_bulk": {"GET": Op(VIEW), "POST": Op(REGISTER, data="form")},
    "recognition:registration_detail": {"GET": detail(VIEW, "registration")},
    "recognition:registration_action": transitions("registration"),
    "recognition:evidence_upload": {
        "POST": detail(
            REGISTER,
            "registration",
            data=lambda ids: {
                "title": "Minh chứng kiểm tra",
                "file": SimpleUploadedFile("minh-chung.pdf", b"%PDF-1.4 kiem tra", content_type="application/pdf"),
            },
        )
    },
    "recognition:evidence_download": {"GET": detail(VIEW, "evidence")},
    "recognition:review_queue": {"GET": Op(VIEW), "POST": Op(REVIEW, data="form")},
    "recognition:conference_list": {"GET": Op(DECIDE), "POST": Op(DECIDE, data="form")},
    "recognition:conference_detail": {"GET": detail(DECIDE, "conference", "block")},
    "recognition:conference_issue": {"POST": detail(DECIDE, "conference", "block", data={})},
    "recognition:conference_status": {"GET": detail(DECIDE, "conference", "block")},
    # The would-be decision's preview (issue 12): for the deciders over the subject.
    "recognition:registration_preview": {"GET": detail(DECIDE, "registration")},
    "recognition:decision_list": {"GET": Op(VIEW)},
    "recognition:decision_pdf": {"GET": detail(VIEW, "decision")},
    "recognition:recognition_lists": {"GET": Op(VIEW)},
    "recognition:quota_progress": {"GET": Op(VIEW)},
    "recognition:registration_report": {"GET": Op(VIEW)},
    "recognition:model_cell_recheck": {"GET": Op(VIEW)},
    # API
    "api-root": {"GET": Op(SIGNED_IN)},
    "api-schema": {"GET": Op(SIGNED_IN)},
    "api-docs": {"GET": Op(SIGNED_IN)},
    "api-redoc": {"GET": Op(SIGNED_IN)},
    "organization-list": {
        "GET": Op(VIEW),
        # a new organization under committee A (in) / the other block's committee (out): tree management
        "POST": Op(
            MANAGE_TREE,
            "committee",
            "committee",
            data=lambda ids: {"name": "Chi bộ Kiểm tra Quyền", "kind": "sub_cell", "parent": ids["committee"]},
        ),
    },
    "organization-detail": {
        "GET": detail(VIEW, "cell"),
        # retyping or moving an organization is tree management (issue 10 hole 4)
        "PATCH": detail(MANAGE_TREE, "cell", data={"kind": "gr_committee"}),
        # the organization sent back unchanged is an edit, not a move or a retyping
        "PUT": detail(EDIT_REGISTRY, "cell", data="object"),
    },
    "recognition-registration-list": {"GET": Op(VIEW), "POST": Op(REGISTER, "cell", "registration", data="copy")},
    "recognition-registration-detail": {"GET": detail(VIEW, "registration")},
    "recognition-registration-transition": transitions("registration"),
    "recognition-decision-list": {"GET": Op(VIEW)},
    "recognition-decision-detail": {"GET": detail(VIEW, "decision")},
    "recognition-decision-pdf": {"GET": detail(VIEW, "decision")},
    "meeting-report": {"GET": detail(VIEW, "meeting"), "POST": detail(ATTEND, "meeting", assigned=True, data={})},
    "meeting-report-list": {"GET": Op(VIEW)},
    "meeting-report-detail": {"GET": detail(VIEW, "report")},
    "meeting-schedule-calendar": {"GET": Op(VIEW)},
    "meeting-postponement-detail": {"GET": detail(VIEW, "postponement")},
    "attendee-assignment-quarterly": {"GET": Op(VIEW, ok=frozenset({200, 400}))},
    "attendee-assignment-detail": {"GET": detail(VIEW, "assignment")},
    "meeting-flag-list": {"GET": Op(VIEW, ok=frozenset({200, 400}))},
    # meeting frameworks are reference data of the whole portal (SCHEMES §2.1)
    "meeting-framework-list": {"GET": Op(SIGNED_IN)},
    "meeting-framework-detail": {"GET": Op(SIGNED_IN, obj="framework")},
    "four-goods-lock": {"POST": detail(LOCK_MONTH, "assessment", data={})},
    "four-goods-reopen": {"POST": detail(LOCK_MONTH, "assessment", data={"reason": "Kiểm tra quyền"})},
    "four-goods-reopen-list": {"GET": Op(VIEW)},
    "four-goods-reopen-detail": {"GET": detail(VIEW, "reopen")},
    "notification-list": {"GET": Op(SIGNED_IN)},
    "notification-detail": {"GET": Op(OWNER, obj="notification")},
    "notification-read": {"POST": Op(OWNER, obj="notification", data={})},
    # mass organizations are read to name them in a rating [000 §II.1(3)]; the tree's owners keep them
    "mass-organization-list": {"GET": Op(VIEW)},
    "mass-organization-detail": {"GET": detail(VIEW, "mass_org")},
    "criteria-plan-list": {"GET": Op(SIGNED_IN)},
    "criteria-plan-detail": {"GET": detail(VIEW, "plan", "plan")},
    "criteria-verdict-detail": {"GET": detail(VIEW, "cell")},
    "criteria-verdict-indicators": {"GET": detail(VIEW, "committee", "committee")},
    "criteria-verdict-subtree": {"GET": detail(VIEW, "committee", "committee", ok=frozenset({200, 400}))},
}

# The registry's API offers no DELETE (registry/api.py ScopedViewSet.http_method_names): a member
# leaves a roll by ending the membership, which keeps the history.
NO_DELETE = {"delete": False}
for _list, _detail, _obj, _cap, _kw in (
    ("member-list", "member-detail", "member", EDIT_REGISTRY, NO_DELETE),
    ("membership-list", "membership-detail", "membership", EDIT_REGISTRY, NO_DELETE),
    ("rating-list", "rating-detail", "rating", EDIT_REGISTRY, NO_DELETE),
    ("member-attestation-list", "member-attestation-detail", "member_attestation", EDIT_REGISTRY, NO_DELETE),
    ("unit-attestation-list", "unit-attestation-detail", "unit_attestation", EDIT_REGISTRY, NO_DELETE),
    (
        "criteria-organization-year-list",
        "criteria-organization-year-detail",
        "organization_year",
        EDIT_REGISTRY,
        NO_DELETE,
    ),
    ("criteria-nomination-list", "criteria-nomination-detail", "nomination", EDIT_REGISTRY, NO_DELETE),
    ("meeting-list", "meeting-detail", "meeting", FILE_MONTHLY, {}),
    ("meeting-schedule-list", "meeting-schedule-detail", "schedule", FILE_MONTHLY, {}),
    ("meeting-postponement-list", None, "postponement", FILE_MONTHLY, {}),
    ("attendee-assignment-list", None, "assignment", ASSIGN, {}),
    ("four-goods-list", "four-goods-detail", "assessment", FILE_MONTHLY, {"delete": False}),
):
    _many, _one = crud(_obj, _cap, **_kw)
    DECLARED[_list] = _many
    if _detail:
        DECLARED[_detail] = _one
DECLARED["meeting-postponement-list"]["POST"] = Op(FILE_MONTHLY, "cell", "postponement", data="copy")

# Each list route's POST copies the administrator's JSON of this detail route.
COPY_FROM = {
    "member-list": "member-detail",
    "membership-list": "membership-detail",
    "rating-list": "rating-detail",
    "member-attestation-list": "member-attestation-detail",
    "unit-attestation-list": "unit-attestation-detail",
    "criteria-organization-year-list": "criteria-organization-year-detail",
    "criteria-nomination-list": "criteria-nomination-detail",
    "meeting-list": "meeting-detail",
    "meeting-schedule-list": "meeting-schedule-detail",
    "meeting-postponement-list": "meeting-postponement-detail",
    "attendee-assignment-list": "attendee-assignment-detail",
    "four-goods-list": "four-goods-detail",
    "recognition-registration-list": "recognition-registration-detail",
}

# The seven per-action wrappers that the single transition endpoint replaces (issue 10): if
# they are still served they are declared like it; absent, they are not stale.
LEGACY_TRANSITIONS = {
    "recognition-registration-submit": "submit",
    "recognition-registration-appraise-grassroots": "appraise_grassroots",
    "recognition-registration-appraise-board": "appraise_board",
    "recognition-registration-recognize": "recognize",
    "recognition-registration-reject": "reject",
    "recognition-registration-return-": "return",
    "recognition-registration-revoke": "revoke",
}
for _name, _action in LEGACY_TRANSITIONS.items():
    DECLARED[_name] = {"POST": detail(tuple(ACTION_CAPABILITIES[_action]), "registration", data={})}
OPTIONAL = set(LEGACY_TRANSITIONS) | {"recognition-registration-transition"}

# Routes the resolver finds that are declared elsewhere, with the reason.
NOT_DECLARED_HERE = {
    "logout": "POST only, ends the session of whoever sends it (CSRF-tested)",
    "set_language": "Django's language switch, no data",
    "password_change_done": "Django's confirmation page",
    "password_reset": "Django's view, no data of the portal",
    "password_reset_done": "Django's view",
    "password_reset_confirm": "Django's view, token-protected",
    "password_reset_complete": "Django's view",
    "api-token": "POST user name and password, anonymous by design (tests/production/test_api_tokens.py)",
    "api-tokens": "the signed-in user's own tokens only (tests/production/test_api_tokens.py)",
    "api-token-revoke": "the signed-in user's own tokens only (tests/production/test_api_tokens.py)",
}

# Tables a request may write whatever it is allowed to do: sessions, login bookkeeping.
BOOKKEEPING = re.compile(r"^(django_session|auth_user|axes_.*|knox_.*|django_admin_log)$")


# --------------------------------------------------------------------------- the declared answer


def caps_of(role):
    return ROLE_CAPABILITIES[APPOINTED[role][0]]


def holds(role, capability, side, level):
    """Does `role` hold `capability` for the `level` organization of `side` (or, level None, anywhere)?"""
    code, organization = APPOINTED[role]
    wanted = set(capability) if isinstance(capability, tuple) else {capability}
    if not wanted & ROLE_CAPABILITIES[code]:
        return False
    if organization == "*" or level is None:
        return True
    if level == "plan":  # a block's plan is read by everyone in or under the block
        return side == "in"
    return organization in OWNER_CHAIN[(side, level)]


def expected(name, op, side, role):
    """'ok', 'denied', 'hidden', 'login' or 'unauthenticated', from the role table alone."""
    if op.cap == PUBLIC:
        return "ok"
    if role == "anon":
        return "unauthenticated" if is_api(name) else "login"
    if op.cap == SIGNED_IN:
        return "ok"
    if op.cap == OWNER:  # tests/production/world.py: cell A1's secretary owns the "in" notification
        return "ok" if (side, role) == ("in", "sec_a1") else "hidden"
    if op.level is not None and not holds(role, VIEW, side, op.level):
        return "hidden"
    if not holds(role, op.cap, side, op.level):
        return "denied"
    if op.assigned and (side, role) != ("in", "attend"):  # world.py assigns `attendee` to cell A1 only
        return "denied"
    return "ok"


def is_api(name):
    return not (":" in name or name in ("home", "healthz", "login", "password_change"))


# --------------------------------------------------------------------------- the resolver


def resolver_routes():
    """{url name: set of HTTP methods, or None for a plain Django view} for the whole site but admin and static."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                actions = getattr(pattern.callback, "actions", None)
                methods = {m.upper() for m in actions} if actions else None
                allowed = getattr(getattr(pattern.callback, "cls", None), "http_method_names", None)
                if methods is not None and allowed is not None:  # a method the viewset refuses is no operation
                    methods = {m for m in methods if m.lower() in allowed}
                if methods is not None:  # HEAD answers as GET does, without the body
                    methods -= {"HEAD", "OPTIONS"}
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), methods

    found = {}
    for name, methods in walk(get_resolver().url_patterns):
        if methods is None:
            found.setdefault(name, None)
        else:
            found[name] = (found.get(name) or set()) | methods
    return found


def declared_methods(name):
    return {key.split()[0] for key in DECLARED[name]}


def test_every_route_is_declared():
    found = resolver_routes()
    undeclared = sorted(set(found) - set(DECLARED) - set(NOT_DECLARED_HERE))
    assert not undeclared, f"declare these routes in DECLARED (capability, level, object): {undeclared}"
    unclassified = sorted(
        f"{method} {name}"
        for name, methods in found.items()
        if name in DECLARED and methods
        for method in methods - declared_methods(name)
    )
    assert not unclassified, f"declare these API operations in DECLARED: {unclassified}"
    stale = sorted(set(DECLARED) - set(found) - OPTIONAL)
    assert not stale, f"these declared routes no longer exist: {stale}"
    assert OPTIONAL & set(found), "neither the transition endpoint nor the per-action wrappers exist"


def cases():
    found = resolver_routes()
    for name in DECLARED:
        if name not in found:
            continue
        methods = found[name]
        for key in DECLARED[name]:
            if methods is not None and key.split()[0] not in methods:
                continue
            yield pytest.param(name, key, id=f"{name} {key}")


# --------------------------------------------------------------------------- requests


def path_for(name, op, ids):
    kwargs = {}
    if op.obj is not None:
        key = {"evaluations:four_goods": "org_pk", "evaluations:meeting_create": "cell_pk"}.get(name, "pk")
        key = "cell_pk" if name == "evaluations:schedule" else key
        kwargs[key] = ids[op.obj]
    for argument, value in op.kwargs.items():
        kwargs[argument] = ids[value] if isinstance(value, str) and value in ids else value
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # a list route: the object only gives the payload and the organization
        kwargs.pop("pk", None)
        return reverse(name, kwargs=kwargs)


def written_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        return dict(cursor.fetchall())


def send(client, method, path, data, *, api):
    """One request in a savepoint that is rolled back; returns (response, tables it wrote)."""
    with transaction.atomic():
        before = written_rows()
        if method == "GET":
            response = client.get(path)
        elif api:
            response = client.generic(method, path, json.dumps(data or {}), content_type="application/json")
        else:
            response = client.post(path, data or {})
        after = written_rows()
        transaction.set_rollback(True)
    wrote = sorted(t for t, n in after.items() if n != before.get(t, 0) and not BOOKKEEPING.match(t))
    return response, wrote


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
FIELD = re.compile(r"<(input|textarea|select)\b([^>]*)>(.*?)(?=<(?:input|textarea|select|/form)\b)?", re.S | re.I)
ATTR = re.compile(r'([\w-]+)=(?:"([^"]*)"|\'([^\']*)\'|([^\s>]+))')


def _attrs(text):
    return {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in ATTR.finditer(text)}


def form_data(html):
    """The fields of the page's main POST form, as the page fills them in (the form resubmitted unchanged)."""
    import html as html_lib

    for attributes, body in FORM.findall(html):
        form_attrs = _attrs(attributes)
        action = form_attrs.get("action", "")
        if form_attrs.get("method", "get").lower() != "post" or "logout" in action or "setlang" in action:
            continue
        data = {}
        for tag in re.finditer(r"<input\b[^>]*>", body, re.I):
            a = _attrs(tag.group(0))
            if "name" not in a or a.get("type") in ("submit", "file", "button"):
                continue
            if a.get("type") in ("checkbox", "radio") and "checked" not in tag.group(0):
                continue
            data.setdefault(a["name"], html_lib.unescape(a.get("value", "on" if a.get("type") == "checkbox" else "")))
        for tag in re.finditer(r"<textarea\b([^>]*)>(.*?)</textarea>", body, re.S | re.I):
            a = _attrs(tag.group(1))
            if "name" in a:
                data[a["name"]] = html_lib.unescape(tag.group(2))
        for tag in re.finditer(r"<select\b([^>]*)>(.*?)</select>", body, re.S | re.I):
            a = _attrs(tag.group(1))
            options = re.findall(r"<option\b([^>]*)>", tag.group(2), re.I)
            chosen = [o for o in options if "selected" in o] or [o for o in options if _attrs(o).get("value")]
            if "name" in a and chosen:
                data[a["name"]] = html_lib.unescape(_attrs(chosen[0]).get("value", ""))
        return data
    return {}


def payload(world, name, op, side, path):
    if op.data is None:
        return None
    ids = world.ids[side]
    admin = world.clients["admin"]
    if callable(op.data):
        return op.data(ids)
    if op.data == "form":
        response, _ = send(admin, "GET", path, None, api=False)
        return form_data(response.content.decode()) if response.status_code == 200 else {}
    if op.data in ("object", "copy"):
        source = name if op.data == "object" else COPY_FROM[name]
        source_path = reverse(source, kwargs={"pk": ids[DECLARED[source]["GET"].obj]})
        response, _ = send(admin, "GET", source_path, None, api=True)
        body = response.json() if response.status_code == 200 else {}
        if op.data == "copy":
            body.pop("id", None)
        return body
    return dict(op.data)


def text_of(response):
    kind = response.get("Content-Type", "")
    if not any(t in kind for t in ("html", "json", "text", "javascript", "csv")):
        return ""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


def hidden_names(role):
    """The seeded names outside `role`'s reach (permission_world.py)."""
    if role == "admin":
        return []
    names = [FOREIGN_NAME]
    if role in ("anon", "sec_a1", "staff_a"):
        names.append(SIBLING_NAME)
    return names


def judge(name, key, op, side, role, response, wrote, sent):
    """The problems with one answer, against the declared expectation."""
    method = key.split()[0]
    status = response.status_code
    want = expected(name, op, side, role)
    problems = []
    where = f"{key} {name} [{side}] as {role}: {status}"
    if status >= 500:
        problems.append(f"{where}: a server error")
    elif want == "ok":
        if method == "GET" and status not in op.ok:
            problems.append(f"{where}, expected {sorted(op.ok)} (the role holds {op.cap})")
        if method != "GET" and status in (401, 403, 404):
            problems.append(f"{where}, expected the write to be accepted or validated (the role holds {op.cap})")
    elif want == "login":
        login = reverse(django_settings.LOGIN_URL)
        if status != 302 or not response["Location"].startswith(login):
            problems.append(f"{where}, expected a redirect to the login page")
    elif want == "unauthenticated":
        if status not in (401, 403):
            problems.append(f"{where}, expected 401/403")
    elif want == "hidden":
        if status != 404 and not (
            op.obj is None or (method == "POST" and op.data == "copy") or name == "organization-list"
        ):
            problems.append(f"{where}, expected 404 as for a nonexistent object (outside the role's scope)")
        if status == 200 and method == "GET":
            problems.append(f"{where}: an out-of-scope object shown")
    elif want == "denied" and method == "GET" and status not in (403, 404):
        problems.append(f"{where}, expected 403/404 (the role lacks {op.cap})")
    if want in ("denied", "hidden", "login", "unauthenticated") and method != "GET":
        if wrote:
            problems.append(f"{where}: a forbidden write changed {wrote} (the role lacks {op.cap})")
        if 200 <= status < 300 and is_api(name):
            problems.append(f"{where}: a forbidden API write answered success")
    body = text_of(response)
    for secret in hidden_names(role):
        if secret in json.dumps(sent or {}, ensure_ascii=False, default=str):
            continue
        if secret in body or json.dumps(secret)[1:-1] in body:
            problems.append(f"{where}: the body names {secret!r}, outside the role's scope")
    return problems


@pytest.mark.parametrize(("name", "key"), list(cases()))
def test_each_role_gets_the_declared_answer(name, key, pworld):  # noqa: F811
    op = DECLARED[name][key]
    method = key.split()[0]
    problems = []
    for side in ("in", "out") if (op.level or op.obj) else ("in",):
        path = path_for(name, op, pworld.ids[side])
        data = payload(pworld, name, op, side, path)
        for role in ROLES:
            sent = data
            if isinstance(data, dict) and any(isinstance(v, SimpleUploadedFile) for v in data.values()):
                sent = {k: (SimpleUploadedFile(v.name, b"%PDF-1.4 kiem tra") if hasattr(v, "name") else v)
                        for k, v in data.items()}  # fmt: skip
            response, wrote = send(pworld.clients[role], method, path, sent, api=is_api(name))
            problems += judge(name, key, op, side, role, response, wrote, data)
    assert not problems, "\n".join(problems)


def test_the_body_check_can_see_the_seeded_names(pworld):  # noqa: F811
    """Control: the system administrator is shown both seeded names, so their absence elsewhere means something."""
    response, _ = send(pworld.clients["admin"], "GET", "/api/members/?page_size=500", None, api=True)
    everyone = [m.get("full_name") for m in response.json()["results"]]
    response_b, _ = send(pworld.clients["org_b"], "GET", "/api/members/?page_size=500", None, api=True)
    assert FOREIGN_NAME in everyone
    assert SIBLING_NAME in [m.get("full_name") for m in response_b.json()["results"]]


def test_a_forbidden_write_is_seen_by_the_row_counter(pworld):  # noqa: F811
    """Control: a write the administrator may make is counted, so a count of zero means nothing was written."""
    path = reverse("member-detail", kwargs={"pk": pworld.ids["in"]["member"]})
    response, wrote = send(pworld.clients["admin"], "PATCH", path, {"full_name": "Nguyễn Văn Sửa"}, api=True)
    assert response.status_code == 200
    assert "registry_member" in wrote


def _templates():
    """{url name: ("GET", path with {world keys}, None)} of the declared GET routes, for the query-count tests."""
    templates = {}
    found = resolver_routes()
    for name, ops in DECLARED.items():
        op = ops.get("GET")
        if op is None or name not in found:
            continue
        sentinels = {key: 987_650_000 + i for i, key in enumerate(["cell", "committee", "year", "month", op.obj])}
        ids = {key: value for key, value in sentinels.items() if key}
        path = path_for(name, op, ids)
        for key, value in ids.items():
            path = path.replace(str(value), "{" + key + "}")
        templates[name] = ("GET", path, None)
    return templates


# The GET routes in the shape tests/production/test_query_counts.py reads.
ROUTES = _templates()
