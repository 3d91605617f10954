"""Permission matrix: every page and API endpoint × every role × in scope / out of scope / anonymous.

issue 6 (security); registry/scoping.py is the one place that decides. Roles are the
`users` fixture of tests/conftest.py: sec_a1 (secretary of cell A1), sec_b (secretary of
grassroots cell B), staff_a (staff of grassroots committee A), org_b / prop_b (boards
of the block), stand (standing committee of the block), attend (assigned attendee),
admin (system administrator of the block, a root: sees everything). "in" objects
belong to cell A1 / committee A; "out" objects to another block (tests/production/world.py).

Expected: 200 shown, 302 sent to the login page (anonymous) or on after a POST,
400 refused input, 403 forbidden, 404 not found / not in scope (the same answer as a
missing object), 405 method not allowed. Out-of-scope objects must never answer 200.

`PRINT_MATRIX=1 pytest tests/production/test_permission_matrix.py -s` prints the codes
actually observed, in the table's format, to review a change.
"""

import os
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from .world import ROLE_USERS, ROLES, build_world

# name -> (method, path with {placeholders} from world.py, POST data)
ROUTES = {
    "home": ("GET", "/", None),
    "healthz": ("GET", "/healthz", None),
    "login": ("GET", "/accounts/login/", None),
    "password_change": ("GET", "/accounts/password_change/", None),
    # registry
    "registry:tree": ("GET", "/to-chuc/", None),
    "registry:organization": ("GET", "/to-chuc/{committee}/", None),
    "registry:cell": ("GET", "/chi-bo/{cell}/", None),
    "registry:rating_entry": ("GET", "/chi-bo/{cell}/xep-loai/2024/", None),
    "registry:members": ("GET", "/dang-vien/", None),
    "registry:member": ("GET", "/dang-vien/{member}/", None),
    "registry:import": ("GET", "/nhap-du-lieu/", None),
    "registry:import_template": ("GET", "/nhap-du-lieu/mau/members.xlsx", None),
    "registry:export": ("GET", "/xuat-du-lieu/members.csv", None),
    # evaluations
    "evaluations:home": ("GET", "/meetings/", None),
    "evaluations:calendar": ("GET", "/meetings/calendar/", None),
    "evaluations:attendee": ("GET", "/meetings/attendee/", None),
    "evaluations:assignments": ("GET", "/meetings/assignments/", None),
    "evaluations:cell": ("GET", "/meetings/cell/{cell}/", None),
    "evaluations:meeting_create": ("GET", "/meetings/cell/{cell}/new/", None),
    "evaluations:schedule": ("GET", "/meetings/cell/{cell}/schedule/", None),
    "evaluations:committee": ("GET", "/meetings/committee/{committee}/", None),
    "evaluations:committee_lock": ("POST", "/meetings/committee/{committee}/lock/", {"year": "2025", "month": "3"}),
    "evaluations:quarterly": ("GET", "/meetings/committee/{committee}/quarter/", None),
    "evaluations:meeting": ("GET", "/meetings/{meeting}/", None),
    "evaluations:meeting_edit": ("GET", "/meetings/{meeting}/edit/", None),
    "evaluations:report": ("GET", "/meetings/{meeting}/report/", None),
    "evaluations:attachment": ("GET", "/meetings/attachment/{attachment}/", None),
    "evaluations:four_goods": ("GET", "/four-goods/{cell}/{year}/{month}/", None),
    "evaluations:notifications": ("GET", "/notifications/", None),
    # criteria
    "criteria:ranking": ("GET", "/tieu-chi/xep-hang/", None),
    "criteria:dashboard": ("GET", "/tieu-chi/chi-tieu/", None),
    "criteria:indicator": ("GET", "/tieu-chi/chi-tieu/registrations/", None),
    "criteria:subject": ("GET", "/tieu-chi/to-chuc/{cell}/", None),
    # recognition
    "recognition:registration_list": ("GET", "/recognition/", None),
    "recognition:registration_create": ("GET", "/recognition/new/", None),
    "recognition:registration_bulk": ("GET", "/recognition/bulk/", None),
    "recognition:registration_detail": ("GET", "/recognition/r/{registration}/", None),
    "recognition:registration_action": ("POST", "/recognition/r/{registration}/action/", {"action": "return"}),
    "recognition:evidence_upload": ("POST", "/recognition/r/{registration}/evidence/", {}),
    "recognition:evidence_download": ("GET", "/recognition/evidence/{evidence}/", None),
    "recognition:review_queue": ("GET", "/recognition/queue/", None),
    "recognition:conference_list": ("GET", "/recognition/conferences/", None),
    "recognition:conference_detail": ("GET", "/recognition/conferences/{conference}/", None),
    "recognition:conference_issue": ("POST", "/recognition/conferences/{conference}/issue/", {}),
    "recognition:conference_status": ("GET", "/recognition/conferences/{conference}/status.json", None),
    "recognition:decision_list": ("GET", "/recognition/decisions/", None),
    "recognition:decision_pdf": ("GET", "/recognition/decisions/{decision}/pdf/", None),
    "recognition:recognition_lists": ("GET", "/recognition/lists/", None),
    "recognition:quota_progress": ("GET", "/recognition/quotas/", None),
    "recognition:registration_report": ("GET", "/recognition/report/", None),
    "recognition:model_cell_recheck": ("GET", "/recognition/recheck/", None),
    # API (DRF router at /api/)
    "api-root": ("GET", "/api/", None),
    "api-schema": ("GET", "/api/schema/", None),
    "api-docs": ("GET", "/api/docs/", None),
    "api-redoc": ("GET", "/api/redoc/", None),
    "organization-list": ("GET", "/api/organizations/", None),
    "organization-detail": ("GET", "/api/organizations/{cell}/", None),
    "member-list": ("GET", "/api/members/", None),
    "member-detail": ("GET", "/api/members/{member}/", None),
    "membership-list": ("GET", "/api/memberships/", None),
    "membership-detail": ("GET", "/api/memberships/{membership}/", None),
    "rating-list": ("GET", "/api/ratings/", None),
    "rating-detail": ("GET", "/api/ratings/{rating}/", None),
    "member-attestation-list": ("GET", "/api/member-attestations/", None),
    "member-attestation-detail": ("GET", "/api/member-attestations/{member_attestation}/", None),
    "unit-attestation-list": ("GET", "/api/unit-attestations/", None),
    "unit-attestation-detail": ("GET", "/api/unit-attestations/{unit_attestation}/", None),
    "meeting-list": ("GET", "/api/meetings/", None),
    "meeting-detail": ("GET", "/api/meetings/{meeting}/", None),
    "meeting-report": ("GET", "/api/meetings/{meeting}/report/", None),
    "meeting-report-list": ("GET", "/api/meeting-reports/", None),
    "meeting-report-detail": ("GET", "/api/meeting-reports/{report}/", None),
    "meeting-schedule-list": ("GET", "/api/meeting-schedules/", None),
    "meeting-schedule-detail": ("GET", "/api/meeting-schedules/{schedule}/", None),
    "meeting-schedule-calendar": ("GET", "/api/meeting-schedules/calendar/", None),
    "meeting-postponement-list": ("GET", "/api/meeting-postponements/", None),
    "meeting-postponement-detail": ("GET", "/api/meeting-postponements/{postponement}/", None),
    "attendee-assignment-list": ("GET", "/api/attendee-assignments/", None),
    "attendee-assignment-detail": ("GET", "/api/attendee-assignments/{assignment}/", None),
    "attendee-assignment-quarterly": ("GET", "/api/attendee-assignments/quarterly/", None),
    "meeting-flag-list": ("GET", "/api/meeting-flags/", None),
    "meeting-framework-list": ("GET", "/api/meeting-frameworks/", None),
    "meeting-framework-detail": ("GET", "/api/meeting-frameworks/{framework}/", None),
    "four-goods-list": ("GET", "/api/four-goods/", None),
    "four-goods-detail": ("GET", "/api/four-goods/{assessment}/", None),
    "four-goods-lock": ("POST", "/api/four-goods/{assessment}/lock/", {}),
    "four-goods-reopen": ("POST", "/api/four-goods/{assessment}/reopen/", {}),
    "four-goods-reopen-list": ("GET", "/api/four-goods-reopenings/", None),
    "four-goods-reopen-detail": ("GET", "/api/four-goods-reopenings/{reopen}/", None),
    "notification-list": ("GET", "/api/notifications/", None),
    "notification-detail": ("GET", "/api/notifications/{notification}/", None),
    "notification-read": ("POST", "/api/notifications/{notification}/read/", {}),
    "criteria-plan-list": ("GET", "/api/criteria/plans/", None),
    "criteria-plan-detail": ("GET", "/api/criteria/plans/{plan}/", None),
    "criteria-verdict-detail": ("GET", "/api/criteria/verdicts/{cell}/", None),
    "criteria-verdict-indicators": ("GET", "/api/criteria/verdicts/{committee}/indicators/", None),
    "criteria-verdict-subtree": ("GET", "/api/criteria/verdicts/{committee}/subtree/", None),
    "recognition-registration-list": ("GET", "/api/recognition/registrations/", None),
    "recognition-registration-detail": ("GET", "/api/recognition/registrations/{registration}/", None),
    "recognition-registration-return-": ("POST", "/api/recognition/registrations/{registration}/return/", {}),
    "recognition-registration-submit": ("POST", "/api/recognition/registrations/{registration}/submit/", {}),
    "recognition-registration-appraise-grassroots": (
        "POST",
        "/api/recognition/registrations/{registration}/appraise-grassroots/",
        {},
    ),
    "recognition-registration-appraise-board": (
        "POST",
        "/api/recognition/registrations/{registration}/appraise-board/",
        {},
    ),
    "recognition-registration-recognize": ("POST", "/api/recognition/registrations/{registration}/recognize/", {}),
    "recognition-registration-reject": ("POST", "/api/recognition/registrations/{registration}/reject/", {}),
    "recognition-registration-revoke": ("POST", "/api/recognition/registrations/{registration}/revoke/", {}),
    "recognition-decision-list": ("GET", "/api/recognition/decisions/", None),
    "recognition-decision-detail": ("GET", "/api/recognition/decisions/{decision}/", None),
    "recognition-decision-pdf": ("GET", "/api/recognition/decisions/{decision}/pdf/", None),
}

# URL names deliberately not in the matrix, with the reason.
NOT_IN_MATRIX = {
    "logout": "POST only, ends the session of whoever sends it (tested for CSRF)",
    "set_language": "Django's language switch, no data",
    "password_change_done": "Django's confirmation page",
    "password_reset": "no mail-based reset in this portal's flows (Django's view)",
    "password_reset_done": "Django's view",
    "password_reset_confirm": "Django's view, token-protected",
    "password_reset_complete": "Django's view",
    "api-token": "POST user name and password (anonymous by design, throttled like the login form)",
    "api-tokens": "the signed-in user's own tokens only (tests/production/test_api_tokens.py)",
    "api-token-revoke": "the signed-in user's own tokens only (tests/production/test_api_tokens.py)",
}

MATRIX = """
# name                                        object   anon sec_a1  sec_b staff_a  org_b prop_b  stand attend  admin
home                                          -         302    200    200    200    200    200    200    200    200
healthz                                       -         200    200    200    200    200    200    200    200    200
login                                         -         200    200    200    200    200    200    200    200    200
password_change                               -         302    200    200    200    200    200    200    200    200
registry:tree                                 -         302    200    200    200    200    200    200    200    200
registry:organization                         in        302    404    404    302    302    302    302    302    302
registry:organization                         out       302    404    404    404    404    404    404    404    302
registry:cell                                 in        302    200    404    200    200    200    200    200    200
registry:cell                                 out       302    404    404    404    404    404    404    404    200
registry:rating_entry                         in        302    200    404    200    200    404    404    404    200
registry:rating_entry                         out       302    404    404    404    404    404    404    404    200
registry:members                              -         302    200    200    200    200    200    200    200    200
registry:member                               in        302    200    404    200    200    200    200    200    200
registry:member                               out       302    404    404    404    404    404    404    404    200
registry:import                               -         302    200    200    200    200    404    404    404    200
registry:import_template                      -         302    200    200    200    200    200    200    200    200
registry:export                               -         302    200    200    200    200    200    200    200    200
evaluations:home                              -         302    200    200    200    200    200    200    200    200
evaluations:calendar                          -         302    200    200    200    200    200    200    200    200
evaluations:attendee                          -         302    404    404    404    200    404    200    200    200
evaluations:assignments                       -         302    404    404    200    200    404    200    404    200
evaluations:cell                              in        302    200    404    200    200    200    200    200    200
evaluations:cell                              out       302    404    404    404    404    404    404    404    200
evaluations:meeting_create                    in        302    200    404    200    404    404    404    404    200
evaluations:meeting_create                    out       302    404    404    404    404    404    404    404    200
evaluations:schedule                          in        302    200    404    200    404    404    404    404    200
evaluations:schedule                          out       302    404    404    404    404    404    404    404    200
evaluations:committee                         in        302    404    404    200    200    200    200    200    200
evaluations:committee                         out       302    404    404    404    404    404    404    404    200
evaluations:committee_lock                    in        302    404    404    302    404    404    404    404    302
evaluations:committee_lock                    out       302    404    404    404    404    404    404    404    302
evaluations:quarterly                         in        302    404    404    200    200    200    200    200    200
evaluations:quarterly                         out       302    404    404    404    404    404    404    404    200
evaluations:meeting                           in        302    200    404    200    200    200    200    200    200
evaluations:meeting                           out       302    404    404    404    404    404    404    404    200
evaluations:meeting_edit                      in        302    200    404    200    404    404    404    404    200
evaluations:meeting_edit                      out       302    404    404    404    404    404    404    404    200
evaluations:report                            in        302    404    404    404    403    404    403    200    403
evaluations:report                            out       302    404    404    404    404    404    404    404    403
evaluations:attachment                        in        302    200    404    200    200    200    200    200    200
evaluations:attachment                        out       302    404    404    404    404    404    404    404    200
evaluations:four_goods                        in        302    200    404    200    200    200    200    200    200
evaluations:four_goods                        out       302    404    404    404    404    404    404    404    200
evaluations:notifications                     -         302    200    200    200    200    200    200    200    200
criteria:ranking                              -         302    200    200    200    200    200    200    200    200
criteria:dashboard                            -         302    200    200    200    200    200    200    200    200
criteria:indicator                            -         302    200    200    200    200    200    200    200    200
criteria:subject                              in        302    200    404    200    200    200    200    200    200
criteria:subject                              out       302    404    404    404    404    404    404    404    200
recognition:registration_list                 -         302    200    200    200    200    200    200    200    200
recognition:registration_create               -         302    200    200    200    200    200    200    200    200
recognition:registration_bulk                 -         302    200    200    200    200    200    200    200    200
recognition:registration_detail               in        302    200    404    200    200    200    200    200    200
recognition:registration_detail               out       302    404    404    404    404    404    404    404    200
recognition:registration_action               in        302    302    404    302    302    302    302    302    302
recognition:registration_action               out       302    404    404    404    404    404    404    404    302
recognition:evidence_upload                   in        302    302    404    302    302    302    302    302    302
recognition:evidence_upload                   out       302    404    404    404    404    404    404    404    302
recognition:evidence_download                 in        302    200    404    200    200    200    200    200    200
recognition:evidence_download                 out       302    404    404    404    404    404    404    404    200
recognition:review_queue                      -         302    200    200    200    200    200    200    200    200
recognition:conference_list                   -         302    403    403    200    403    403    200    403    200
recognition:conference_detail                 in        302    404    404    404    404    404    200    404    200
recognition:conference_detail                 out       302    404    404    404    404    404    404    404    200
recognition:conference_issue                  in        302    404    404    404    404    404    302    404    302
recognition:conference_issue                  out       302    404    404    404    404    404    404    404    302
recognition:conference_status                 in        302    404    404    404    404    404    200    404    200
recognition:conference_status                 out       302    404    404    404    404    404    404    404    200
recognition:decision_list                     -         302    200    200    200    200    200    200    200    200
recognition:decision_pdf                      in        302    200    404    200    200    200    200    200    200
recognition:decision_pdf                      out       302    404    404    404    404    404    404    404    200
recognition:recognition_lists                 -         302    200    200    200    200    200    200    200    200
recognition:quota_progress                    -         302    200    200    200    200    200    200    200    200
recognition:registration_report               -         302    200    200    200    200    200    200    200    200
recognition:model_cell_recheck                -         302    200    200    200    200    200    200    200    200
api-root                                      -         403    200    200    200    200    200    200    200    200
api-schema                                    -         403    200    200    200    200    200    200    200    200
api-docs                                      -         403    200    200    200    200    200    200    200    200
api-redoc                                     -         403    200    200    200    200    200    200    200    200
organization-list                             -         403    200    200    200    200    200    200    200    200
organization-detail                           in        403    200    404    200    200    200    200    200    200
organization-detail                           out       403    404    404    404    404    404    404    404    200
member-list                                   -         403    200    200    200    200    200    200    200    200
member-detail                                 in        403    200    404    200    200    200    200    200    200
member-detail                                 out       403    404    404    404    404    404    404    404    200
membership-list                               -         403    200    200    200    200    200    200    200    200
membership-detail                             in        403    200    404    200    200    200    200    200    200
membership-detail                             out       403    404    404    404    404    404    404    404    200
rating-list                                   -         403    200    200    200    200    200    200    200    200
rating-detail                                 in        403    200    404    200    200    200    200    200    200
rating-detail                                 out       403    404    404    404    404    404    404    404    200
member-attestation-list                       -         403    200    200    200    200    200    200    200    200
member-attestation-detail                     in        403    200    404    200    200    200    200    200    200
member-attestation-detail                     out       403    404    404    404    404    404    404    404    200
unit-attestation-list                         -         403    200    200    200    200    200    200    200    200
unit-attestation-detail                       in        403    200    404    200    200    200    200    200    200
unit-attestation-detail                       out       403    404    404    404    404    404    404    404    200
meeting-list                                  -         403    200    200    200    200    200    200    200    200
meeting-detail                                in        403    200    404    200    200    200    200    200    200
meeting-detail                                out       403    404    404    404    404    404    404    404    200
meeting-report                                in        403    200    404    200    200    200    200    200    200
meeting-report                                out       403    404    404    404    404    404    404    404    200
meeting-report-list                           -         403    200    200    200    200    200    200    200    200
meeting-report-detail                         in        403    200    404    200    200    200    200    200    200
meeting-report-detail                         out       403    404    404    404    404    404    404    404    200
meeting-schedule-list                         -         403    200    200    200    200    200    200    200    200
meeting-schedule-detail                       in        403    200    404    200    200    200    200    200    200
meeting-schedule-detail                       out       403    404    404    404    404    404    404    404    200
meeting-schedule-calendar                     -         403    200    200    200    200    200    200    200    200
meeting-postponement-list                     -         403    200    200    200    200    200    200    200    200
meeting-postponement-detail                   in        403    200    404    200    200    200    200    200    200
meeting-postponement-detail                   out       403    404    404    404    404    404    404    404    200
attendee-assignment-list                      -         403    200    200    200    200    200    200    200    200
attendee-assignment-detail                    in        403    200    404    200    200    200    200    200    200
attendee-assignment-detail                    out       403    404    404    404    404    404    404    404    200
attendee-assignment-quarterly                 -         403    400    400    400    400    400    400    400    400
meeting-flag-list                             -         403    400    400    400    400    400    400    400    400
meeting-framework-list                        -         403    200    200    200    200    200    200    200    200
meeting-framework-detail                      in        403    200    200    200    200    200    200    200    200
meeting-framework-detail                      out       403    200    200    200    200    200    200    200    200
four-goods-list                               -         403    200    200    200    200    200    200    200    200
four-goods-detail                             in        403    200    404    200    200    200    200    200    200
four-goods-detail                             out       403    404    404    404    404    404    404    404    200
four-goods-lock                               in        403    403    404    200    403    403    403    403    200
four-goods-lock                               out       403    404    404    404    404    404    404    404    200
four-goods-reopen                             in        403    400    404    400    400    400    400    400    400
four-goods-reopen                             out       403    404    404    404    404    404    404    404    400
four-goods-reopen-list                        -         403    200    200    200    200    200    200    200    200
four-goods-reopen-detail                      in        403    200    404    200    200    200    200    200    200
four-goods-reopen-detail                      out       403    404    404    404    404    404    404    404    200
notification-list                             -         403    200    200    200    200    200    200    200    200
notification-detail                           in        403    200    404    404    404    404    404    404    404
notification-detail                           out       403    404    404    404    404    404    404    404    404
notification-read                             in        403    200    404    404    404    404    404    404    404
notification-read                             out       403    404    404    404    404    404    404    404    404
criteria-plan-list                            -         403    200    200    200    200    200    200    200    200
criteria-plan-detail                          in        403    200    200    200    200    200    200    200    200
criteria-plan-detail                          out       403    404    404    404    404    404    404    404    200
criteria-verdict-detail                       in        403    200    404    200    200    200    200    200    200
criteria-verdict-detail                       out       403    404    404    404    404    404    404    404    200
criteria-verdict-indicators                   in        403    404    404    200    200    200    200    200    200
criteria-verdict-indicators                   out       403    404    404    404    404    404    404    404    200
criteria-verdict-subtree                      in        403    404    404    400    400    400    400    400    400
criteria-verdict-subtree                      out       403    404    404    404    404    404    404    404    400
recognition-registration-list                 -         403    200    200    200    200    200    200    200    200
recognition-registration-detail               in        403    200    404    200    200    200    200    200    200
recognition-registration-detail               out       403    404    404    404    404    404    404    404    200
recognition-registration-return-              in        403    403    404    400    403    403    403    403    400
recognition-registration-return-              out       403    404    404    404    404    404    404    404    400
recognition-registration-submit               in        403    400    404    400    400    400    400    400    400
recognition-registration-submit               out       403    404    404    404    404    404    404    404    400
recognition-registration-appraise-grassroots  in        403    403    404    200    400    400    400    400    400
recognition-registration-appraise-grassroots  out       403    404    404    404    404    404    404    404    200
recognition-registration-appraise-board       in        403    403    404    403    403    403    403    403    403
recognition-registration-appraise-board       out       403    404    404    404    404    404    404    404    403
recognition-registration-recognize            in        403    400    404    400    400    400    400    400    400
recognition-registration-recognize            out       403    404    404    404    404    404    404    404    400
recognition-registration-reject               in        403    400    404    400    400    400    400    400    400
recognition-registration-reject               out       403    404    404    404    404    404    404    404    400
recognition-registration-revoke               in        403    400    404    400    400    400    400    400    400
recognition-registration-revoke               out       403    404    404    404    404    404    404    404    400
recognition-decision-list                     -         403    200    200    200    200    200    200    200    200
recognition-decision-detail                   in        403    200    404    200    200    200    200    200    200
recognition-decision-detail                   out       403    404    404    404    404    404    404    404    200
recognition-decision-pdf                      in        403    200    404    200    200    200    200    200    200
recognition-decision-pdf                      out       403    404    404    404    404    404    404    404    200
"""


def parse_matrix(text):
    rows = {}
    for line in text.strip().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, target, *codes = line.split()
        assert len(codes) == len(ROLES), line
        rows[(name, target)] = dict(zip(ROLES, (int(c) for c in codes), strict=True))
    return rows


EXPECTED = parse_matrix(MATRIX)
# URL names whose expected codes are what the product must do but not (yet) what it does: name -> reason.
KNOWN_GAPS = {}
# Reference data shared by every organization (not scoped): "out" is the same object as "in".
GLOBAL_REFERENCE = {"meeting-framework-detail"}


def targets(name):
    path = ROUTES[name][1]
    return ["in", "out"] if "{" in path else ["-"]


def url_names():
    """Every named URL of the site (admin and static excluded), without DRF's format-suffix twins."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_of_the_site_is_in_the_matrix():
    missing = url_names() - set(ROUTES) - set(NOT_IN_MATRIX)
    assert not missing, f"add these URLs to ROUTES and MATRIX: {sorted(missing)}"
    stale = set(ROUTES) - url_names()
    assert not stale, f"these URLs no longer exist: {sorted(stale)}"


def request_as(client, method, path, data):
    if method == "GET":
        return client.get(path)
    if path.startswith("/api/"):
        return client.post(path, data or {}, content_type="application/json")
    return client.post(path, data or {})


def observe(users, world, name, target):
    method, template, data = ROUTES[name]
    path = template.format(**(world[target] if target != "-" else world["in"]))
    observed = {}
    for role in ROLES:
        client = Client()
        if role != "anon":
            client.force_login(getattr(users, ROLE_USERS[role]))
        observed[role] = request_as(client, method, path, data).status_code
    return method, path, observed


@pytest.fixture
def world(tree, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(tree, users)


@pytest.mark.parametrize("name", list(ROUTES))
@pytest.mark.django_db
def test_each_role_gets_the_expected_answer(name, users, world, request):
    if name in KNOWN_GAPS:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_GAPS[name], strict=True))
    problems = []
    for target in targets(name):
        method, path, observed = observe(users, world, name, target)
        if os.environ.get("PRINT_MATRIX"):
            print(f"\n{name:<46}{target:<7}" + " ".join(f"{observed[r]:>6}" for r in ROLES))
            continue
        if target == "out" and name not in GLOBAL_REFERENCE:
            leaks = [r for r in ROLES if r != "admin" and observed[r] == 200]
            if leaks:
                problems.append(f"{method} {path}: an out-of-scope object shown to {leaks}")
        expected = EXPECTED[(name, target)]
        if observed != expected:
            wrong = {r: f"{expected[r]}→{observed[r]}" for r in ROLES if observed[r] != expected[r]}
            problems.append(f"{method} {path} [{target}] expected→observed: {wrong}")
    assert not problems, "\n".join(problems)


# --- CSRF on every form -------------------------------------------------------------------

FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


def post_forms(html):
    return [f for f in FORM.findall(html) if re.search(r"method=[\"']?post", f, re.I)]


@pytest.mark.parametrize("name", [n for n in ROUTES if ROUTES[n][0] == "GET" and not ROUTES[n][1].startswith("/api/")])
@pytest.mark.django_db
def test_every_form_carries_the_csrf_token(name, users, world):
    method, template, _data = ROUTES[name]
    client = Client()
    client.force_login(users.admin)
    response = client.get(template.format(**world["in"]))
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        pytest.skip(f"not an HTML page ({response.status_code})")
    forms = post_forms(response.content.decode())
    for form in forms:
        assert "csrfmiddlewaretoken" in form, f"{template}: a POST form without the CSRF token:\n{form[:300]}"


@pytest.mark.parametrize("name", [n for n in ROUTES if n not in ("healthz", "api-schema", "api-docs", "api-redoc")])
@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused(name, users, world):
    _method, template, data = ROUTES[name]
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.admin)
    path = template.format(**world["in"])
    response = request_as(client, "POST", path, data)
    assert response.status_code == 403, f"POST {path} without a CSRF token answered {response.status_code}"
