#!/usr/bin/env python
"""Accounts, and registrations to decide, for the province load test (issue 13).

    DATABASE_URL=postgres://... .venv/bin/python loadtest/accounts.py --manifest var/loadtest/province/accounts.json

Idempotent: a second run changes nothing but tops the registrations waiting for a decision
back up. Every account is named `lt-…` and holds exactly one appointment
(registry.models.Appointment, roles of registry/scoping.py ROLE_CAPABILITIES), as the demo
logins are appointed in registry/demo.py:

* `lt-bithu-NNN`: cell secretaries, each appointed to a DIFFERENT cell, spread over the
  province (cells with members, taken at an even stride in tree order);
* `lt-thuongvu-NN`: standing-committee members, each at a different block (an upper
  committee under the root); they decide that block's registrations. `lt-thuongvu-tinh`:
  a standing-committee member of the root, who reads the province's dashboards;
* `lt-bantochuc-NN` (organization board) and `lt-bantuyengiao-NN` (propaganda board) at
  those blocks, `lt-dangu-NN` (grassroots staff) at grassroots committees under them.

Registrations: for each deciding block, registrations of its cells are created and walked
through the services (recognition.services: registered and submitted by the block's
propaganda board, appraised by the grassroots committee where the cell is a subordinate one,
then by the organization board) until `--registrations` of them wait for the standing
committee ("appraised_board"). Cells the stored verdict (criteria.Verdict) calls eligible come
first (meeting quality, four-goods, model cell); the rest are model-cell registrations, which
need an override reason when recognized.

Passwords are hashed with the settings' hasher (production: PBKDF2), once per run: the
load test logs each account in once before the users start (loadtest/province_locustfile.py).
The manifest (JSON) tells the load test who is who, which cell each secretary files for and
the dates that cell already has a meeting on (a second regular meeting the same day is refused).
"""

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "lt-"
DEFAULT_PASSWORD = "loadtest@2026"
FILING_FROM = datetime.date(2025, 1, 1)  # secretaries file meetings and four-goods months from here to today


def _organizations():
    from registry.models import CELL_KINDS, Membership, Organization, OrganizationKind

    root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        raise SystemExit("the database holds no organization tree (build it with scripts/bench.py)")
    blocks = list(Organization.objects.filter(parent=root, kind=OrganizationKind.UPPER_COMMITTEE).order_by("path")) or [
        root
    ]
    staffed = Membership.objects.filter(end_date__isnull=True).values("cell_id")
    cells = list(Organization.objects.filter(kind__in=CELL_KINDS, pk__in=staffed).order_by("path"))
    return root, blocks, cells


def spread(items, count):
    """`count` distinct items taken at an even stride through `items` (all of them when fewer)."""
    if count >= len(items):
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def _ensure_user(username, role, organization, encoded_password, full_name):
    """The account with exactly one appointment: `role` at `organization`."""
    from django.contrib.auth import get_user_model

    from registry.models import Appointment, Role

    User = get_user_model()
    family, _, given = full_name.rpartition(" ")
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": given,
            "last_name": family,
            "email": f"{username}@loadtest.invalid",
            "is_staff": role in (Role.ORGANIZATION_BOARD, Role.GRASSROOTS_STAFF),
            "password": encoded_password,
        },
    )
    wanted = {"organization": organization, "role": role}
    if not Appointment.objects.filter(user=user, **wanted).exists():
        Appointment.objects.filter(user=user).delete()
        Appointment.objects.create(user=user, **wanted)
    else:
        Appointment.objects.filter(user=user).exclude(**wanted).delete()
    return user, created


def _passwords_ok(password):
    """Do the existing lt- accounts log in with `password`? (One check: the same hash is set on all.)"""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username__startswith=PREFIX).order_by("pk").first()
    return user is None or user.check_password(password)


def ensure_accounts(*, password, secretaries=60, standing=4, boards=None, grassroots_staff=8):
    """Create (or keep) the load-test accounts; returns the manifest (a JSON-ready dict)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from registry.models import Organization, OrganizationKind, Role

    root, blocks, cells = _organizations()
    deciding = blocks[: max(1, min(standing, len(blocks)))]
    boards = len(deciding) if boards is None else boards
    encoded = make_password(password)  # one hash per run: PBKDF2 costs ~0.5 s each
    if not _passwords_ok(password):
        get_user_model().objects.filter(username__startswith=PREFIX).update(password=encoded)
    committees = [
        c
        for block in deciding
        for c in Organization.objects.filter(
            path__startswith=block.path, kind=OrganizationKind.GRASSROOTS_COMMITTEE
        ).order_by("path")[:grassroots_staff]
    ]
    # Round-robin over the deciding blocks, so each block has grassroots staff whose cells it may register.
    committees = _round_robin(deciding, committees)[:grassroots_staff]
    manifest = {"password_env": "LOADTEST_PASSWORD", "root": root.pk, "secretaries": [], "staff": [], "standing": []}
    created = 0
    with transaction.atomic():
        for i, cell in enumerate(spread(cells, secretaries), start=1):
            user, new = _ensure_user(f"{PREFIX}bithu-{i:03d}", Role.CELL_SECRETARY, cell, encoded, f"Bí thư {i}")
            created += new
            manifest["secretaries"].append({"username": user.username, "cell": cell.pk})
        for i, committee in enumerate(committees, start=1):
            user, new = _ensure_user(
                f"{PREFIX}dangu-{i:02d}", Role.GRASSROOTS_STAFF, committee, encoded, f"Cán bộ đảng ủy {i}"
            )
            created += new
            manifest["staff"].append({"username": user.username, "role": "grassroots_staff", "org": committee.pk})
        for i in range(1, boards + 1):
            block = deciding[(i - 1) % len(deciding)]
            for prefix, role, name in (
                ("bantochuc", Role.ORGANIZATION_BOARD, "Cán bộ Ban Tổ chức"),
                ("bantuyengiao", Role.PROPAGANDA_BOARD, "Cán bộ Ban Tuyên giáo"),
            ):
                user, new = _ensure_user(f"{PREFIX}{prefix}-{i:02d}", role, block, encoded, f"{name} {i}")
                created += new
                manifest["staff"].append({"username": user.username, "role": role.value, "org": block.pk})
        for i, block in enumerate(deciding, start=1):
            user, new = _ensure_user(
                f"{PREFIX}thuongvu-{i:02d}", Role.STANDING_COMMITTEE, block, encoded, f"Ủy viên Thường vụ {i}"
            )
            created += new
            manifest["standing"].append({"username": user.username, "org": block.pk, "registrations": []})
        user, new = _ensure_user(
            f"{PREFIX}thuongvu-tinh", Role.STANDING_COMMITTEE, root, encoded, "Ủy viên Thường vụ Tỉnh ủy"
        )
        created += new
        manifest["province_standing"] = {"username": user.username, "org": root.pk}
    manifest["created"] = created
    _meeting_dates(manifest)
    return manifest


def _round_robin(blocks, committees):
    by_block = {b.pk: [c for c in committees if c.path.startswith(b.path)] for b in blocks}
    ordered = []
    while any(by_block.values()):
        for block in blocks:
            if by_block[block.pk]:
                ordered.append(by_block[block.pk].pop(0))
    return ordered


def _meeting_dates(manifest):
    """Each secretary's cell: the days since FILING_FROM that already have a meeting (ISO dates)."""
    from evaluations.models import Meeting

    cells = [s["cell"] for s in manifest["secretaries"]]
    taken = {}
    for cell, day in Meeting.objects.filter(cell_id__in=cells, date__gte=FILING_FROM).values_list("cell_id", "date"):
        taken.setdefault(cell, set()).add(day.isoformat())
    for secretary in manifest["secretaries"]:
        secretary["taken_dates"] = sorted(taken.get(secretary["cell"], ()))
    manifest["filing_from"] = FILING_FROM.isoformat()


def _offers():
    """[(plan, registration year, assessed year)] the standing committee of a block decides, in
    order of preference: meeting quality, four-goods and model cell, each for the year of the last
    stored verdicts (a model cell of year Y is judged on Y-1), within the newest plan's period."""
    from criteria.models import Plan, Scheme, Verdict
    from recognition.eligibility import assessed_year

    offers = []
    for scheme in (Scheme.MEETING_QUALITY, Scheme.FOUR_GOODS, Scheme.MODEL_CELL):
        plan = Plan.objects.filter(scheme=scheme).order_by("-issued_on", "-pk").first()
        if plan is None:
            continue
        last = Verdict.objects.filter(scheme=scheme).order_by("-year").values_list("year", flat=True).first()
        year = (last or plan.period_end_year) + (1 if scheme == Scheme.MODEL_CELL and last else 0)
        year = min(max(year, plan.period_start_year), plan.period_end_year)
        offers.append((plan, year, assessed_year(scheme, year)))
    return offers


def _eligible_by_stored_verdict(registration):
    from criteria.models import Verdict
    from recognition.eligibility import assessed_year

    return Verdict.objects.filter(
        organization_id=registration.organization_id,
        scheme=registration.scheme,
        year=assessed_year(registration.scheme, registration.year),
        eligible=True,
    ).exists()


def ensure_registrations(manifest, *, per_block=20):
    """Top each deciding block up to `per_block` registrations waiting for its standing committee
    ("appraised_board"); writes their ids into the manifest (each standing member decides only
    its own block's). Cells whose stored verdict is eligible come first, whatever the scheme; the
    rest are model-cell registrations, which need an override reason when recognized."""
    from django.contrib.auth import get_user_model

    from criteria.models import Scheme, Verdict
    from recognition import services
    from recognition.models import Registration, State
    from recognition.services.policy import authority_for
    from registry.models import CELL_KINDS, Organization, OrganizationKind

    offers = _offers()
    if not offers:
        manifest["registration_note"] = "no plan: no registrations to decide"
        return manifest
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__startswith=PREFIX)}
    staff_at = {}
    for entry in manifest["staff"]:
        staff_at.setdefault((entry["role"], entry["org"]), users[entry["username"]])
    grassroots_staff = {org: user for (role, org), user in staff_at.items() if role == "grassroots_staff"}
    made = 0
    for standing in manifest["standing"]:
        block = Organization.objects.get(pk=standing["org"])
        registrar = staff_at.get(("propaganda_board", block.pk))
        board = staff_at.get(("org_board", block.pk))
        if registrar is None or board is None:
            continue
        ours = Registration.objects.filter(authority=block, created_by__username__startswith=PREFIX)
        # Walk forward any left half way by an interrupted run.
        for registration in ours.filter(state__in=(State.DRAFT, State.SUBMITTED, State.APPRAISED_GRASSROOTS)):
            _walk(registration, registrar, board, grassroots_staff)
        need = per_block - ours.filter(state=State.APPRAISED_BOARD).count()
        if need > 0:
            # A subordinate cell is appraised by its grassroots committee first: only under one with lt- staff.
            paths = [
                c.path
                for c in Organization.objects.filter(pk__in=list(grassroots_staff))
                if c.path.startswith(block.path)
            ]
            cells = [
                c
                for c in Organization.objects.filter(path__startswith=block.path, kind__in=CELL_KINDS).order_by("path")
                if c.kind == OrganizationKind.GRASSROOTS_CELL or any(c.path.startswith(p) for p in paths)
            ]
            picks = []
            for eligible_only in (True, False):
                for plan, year, assessed in offers:
                    if len(picks) >= need or (not eligible_only and plan.scheme != Scheme.MODEL_CELL):
                        continue
                    taken = set(
                        Registration.objects.filter(plan=plan, year=year).values_list("organization_id", flat=True)
                    )
                    taken |= {cell.pk for p, _y, cell in picks if p.pk == plan.pk}
                    eligible = set(
                        Verdict.objects.filter(scheme=plan.scheme, year=assessed, eligible=True).values_list(
                            "organization_id", flat=True
                        )
                    )
                    for cell in cells:
                        if len(picks) >= need:
                            break
                        if cell.pk in taken or (eligible_only and cell.pk not in eligible):
                            continue
                        if authority_for(plan.scheme, cell, plan).pk != block.pk:
                            continue  # decided by its grassroots committee, not by this standing committee
                        picks.append((plan, year, cell))
            for plan, year, cell in picks:
                registration = services.registration_create(user=registrar, plan=plan, year=year, organization=cell)
                _walk(registration, registrar, board, grassroots_staff)
                made += 1
        waiting = list(ours.filter(state=State.APPRAISED_BOARD).order_by("pk"))
        standing["registrations"] = [r.pk for r in waiting]
        standing["eligible_stored"] = [r.pk for r in waiting if _eligible_by_stored_verdict(r)]
    manifest["registrations_created"] = made
    return manifest


def _walk(registration, registrar, board, grassroots_staff):
    from recognition import services
    from recognition.models import State

    registration.refresh_from_db()
    if registration.state == State.DRAFT:
        services.registration_submit(registration=registration, user=registrar, comment="Đề nghị xét (kiểm thử tải).")
        registration.refresh_from_db()
    if registration.state == State.SUBMITTED and registration.needs_grassroots_appraisal:
        committee = registration.organization.grassroots()
        services.registration_appraise_grassroots(
            registration=registration, user=grassroots_staff[committee.pk], comment="Đảng ủy cơ sở đã thẩm định."
        )
        registration.refresh_from_db()
    if registration.state in (State.SUBMITTED, State.APPRAISED_GRASSROOTS):
        services.registration_appraise_board(registration=registration, user=board, comment="Ban đã thẩm định hồ sơ.")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest", type=Path, required=True, help="where to write the accounts (JSON)")
    parser.add_argument("--secretaries", type=int, default=int(os.environ.get("LT_SECRETARIES", 60)))
    parser.add_argument("--standing", type=int, default=int(os.environ.get("LT_STANDING", 4)))
    parser.add_argument("--grassroots-staff", type=int, default=int(os.environ.get("LT_GRASSROOTS_STAFF", 8)))
    parser.add_argument("--registrations", type=int, default=int(os.environ.get("LT_REGISTRATIONS", 20)))
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    password = os.environ.get("LOADTEST_PASSWORD", DEFAULT_PASSWORD)
    manifest = ensure_accounts(
        password=password, secretaries=args.secretaries, standing=args.standing, grassroots_staff=args.grassroots_staff
    )
    manifest = ensure_registrations(manifest, per_block=args.registrations)
    args.manifest.parent.mkdir(parents=True, exist_ok=True)
    args.manifest.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    waiting = sum(len(s["registrations"]) for s in manifest["standing"])
    eligible = sum(len(s.get("eligible_stored", ())) for s in manifest["standing"])
    print(
        f"accounts: {len(manifest['secretaries'])} secretaries (distinct cells), {len(manifest['staff'])} staff, "
        f"{len(manifest['standing'])} deciding standing members + 1 of the province ({manifest['created']} new); "
        f"registrations waiting for a decision: {waiting} ({eligible} eligible by the stored verdict, "
        f"{manifest.get('registrations_created', 0)} new)"
    )


if __name__ == "__main__":
    main()
