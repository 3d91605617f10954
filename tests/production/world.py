"""One object of every kind a URL points at, inside and outside the roles' scope.

"in":  objects of cell A1 / committee A of the shared `tree` fixture (tests/conftest.py);
"out": the same objects in another block (another root of the tree), which no role of
       the `users` fixture reaches except the system administrator of a root organization
       (registry/scoping.is_unrestricted).
"""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile

from criteria.models import MemberNomination, OrganizationYear, Scheme
from registry.models import OrganizationKind, Role
from tests.evaluations.factories import file_meeting, members_on
from tests.factories import (
    BlockFactory,
    MassOrganizationFactory,
    OrganizationFactory,
    RatingFactory,
    UserFactory,
    appoint,
)
from tests.recognition.conftest import advance, make_plan
from tests.registry.factories import member_attestation, unit_attestation

MEETING_DAY = datetime.date(2025, 3, 12)


def _monthly(admin, attendee, *, cell, committee, members, owner):
    """Meetings, reports, schedules, assignments, four-goods assessments and notifications of `cell`."""
    from evaluations import services as evaluations
    from evaluations.models import MeetingAttachment, MeetingSchedule, Notification

    meeting = file_meeting(admin, cell, members, MEETING_DAY)
    assignment = evaluations.assignment_create(
        user=admin,
        attendee=attendee,
        cell=cell,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2025, 12, 31),
    )
    report = evaluations.attendee_report_file(
        user=attendee,
        meeting=meeting,
        data={"meeting_conduct": "Đúng quy trình", "assessment": "Khá", "decided_score": Decimal("80")},
    )
    evaluations.schedule_set(user=admin, cell=cell, day_of_month=10)
    postponement = evaluations.postponement_report(
        user=admin,
        cell=cell,
        original_date=datetime.date(2025, 4, 10),
        new_date=datetime.date(2025, 4, 17),
        reason="Trùng hội nghị của tỉnh",
    )
    assessment = evaluations.four_goods_save(
        user=admin,
        organization=cell,
        year=2025,
        month=3,
        points={"FG1": 25, "FG2": 25, "FG3": 22, "FG4": 20},
        achieved={"FG1": True, "FG2": True, "FG3": True, "FG4": True},
        today=datetime.date(2025, 12, 1),
    )
    evaluations.four_goods_lock_month(user=admin, organization=committee, year=2025, month=3)
    assessment.refresh_from_db()
    evaluations.four_goods_reopen(user=admin, assessment=assessment, reason="Sửa số liệu")
    notification = Notification.objects.create(user=owner, organization=cell, title="Nhắc nộp tự đánh giá")
    attachment = MeetingAttachment.objects.create(
        meeting=meeting, file=ContentFile(b"%PDF-1.4 bien ban", name="bien-ban.pdf"), title="Biên bản"
    )
    return {
        "meeting": meeting.pk,
        "attachment": attachment.pk,
        "framework": meeting.framework_id,
        "assignment": assignment.pk,
        "report": report.pk,
        "schedule": MeetingSchedule.objects.get(cell=cell).pk,
        "postponement": postponement.pk,
        "assessment": assessment.pk,
        "reopen": assessment.reopenings.get().pk,
        "notification": notification.pk,
    }


def _side(admin, attendee, owner, *, block, committee, cell, plans, tag):
    from recognition import services as recognition
    from recognition.models import State

    members = members_on(cell, 3)
    rating = RatingFactory(organization=cell, year=2024)
    yearly = OrganizationYear.objects.create(organization=cell, year=2024, unit_targets_met=True)
    nomination = MemberNomination.objects.create(member=members[0], year=2024, trusted=True)
    mass_org = MassOrganizationFactory(cell=cell)
    mass_rating = RatingFactory(mass_organization=mass_org, year=2024)
    monthly = _monthly(admin, attendee, cell=cell, committee=committee, members=members, owner=owner)
    draft = recognition.registration_create(user=admin, plan=plans[Scheme.FOUR_GOODS], year=2024, organization=cell)
    recognition.registration_submit(registration=draft, user=admin)
    evidence = recognition.evidence_add(
        registration=draft, user=admin, title="Biên bản", file=ContentFile(b"%PDF-1.4 minh chung", name="bien-ban.pdf")
    )
    decided = recognition.registration_create(user=admin, plan=plans[Scheme.MODEL_CELL], year=2025, organization=cell)
    advance(decided, State.RECOGNIZED, admin)
    decided.refresh_from_db()
    conference = recognition.conference_create(
        user=admin, authority=block, plan=plans[Scheme.MODEL_CELL], year=2025, held_on=datetime.date(2025, 12, 20)
    )
    return {
        "block": block.pk,
        "committee": committee.pk,
        "cell": cell.pk,
        "member": members[0].pk,
        "membership": members[0].memberships.first().pk,
        "rating": rating.pk,
        "organization_year": yearly.pk,
        "nomination": nomination.pk,
        "mass_org": mass_org.pk,
        "mass_rating": mass_rating.pk,
        "member_attestation": member_attestation(members[0], year=2024).pk,
        "unit_attestation": unit_attestation(cell, year=2024).pk,
        **monthly,
        "registration": draft.pk,
        "evidence": evidence.pk,
        "conference": conference.pk,
        "decision": decided.decision_id,
        "plan": plans[Scheme.FOUR_GOODS].pk,
        "year": 2025,
        "month": 3,
        "tag": tag,
    }


def build_world(tree, users):
    """Objects for every URL argument; returns {"in": {...ids}, "out": {...ids}}."""
    admin = users.admin
    plans = {scheme: make_plan(scheme, tree.block) for scheme in (Scheme.MODEL_CELL, Scheme.FOUR_GOODS)}
    inside = _side(
        admin,
        users.attendee,
        users.secretary_a1,
        block=tree.block,
        committee=tree.committee_a,
        cell=tree.cell_a1,
        plans=plans,
        tag="in",
    )

    other_block = BlockFactory(name="Đảng bộ Khối doanh nghiệp tỉnh")
    other_committee = OrganizationFactory(
        name="Đảng bộ Công ty Điện lực", kind=OrganizationKind.GRASSROOTS_COMMITTEE, parent=other_block
    )
    other_cell = OrganizationFactory(
        name="Chi bộ Phòng Kỹ thuật", kind=OrganizationKind.SUBORDINATE_CELL, parent=other_committee
    )
    other_secretary = appoint(UserFactory(username="bithu_x"), other_cell, Role.CELL_SECRETARY)
    other_attendee = appoint(UserFactory(username="dusinhhoat_x"), other_block, Role.MEETING_ATTENDEE)
    other_plans = {scheme: make_plan(scheme, other_block) for scheme in (Scheme.MODEL_CELL, Scheme.FOUR_GOODS)}
    outside = _side(
        admin,
        other_attendee,
        other_secretary,
        block=other_block,
        committee=other_committee,
        cell=other_cell,
        plans=other_plans,
        tag="out",
    )
    return {"in": inside, "out": outside}


ROLES = ["anon", "sec_a1", "sec_b", "staff_a", "org_b", "prop_b", "stand", "attend", "admin"]
ROLE_USERS = {
    "sec_a1": "secretary_a1",
    "sec_b": "secretary_b",
    "staff_a": "committee_staff_a",
    "org_b": "org_board",
    "prop_b": "propaganda_board",
    "stand": "standing",
    "attend": "attendee",
    "admin": "admin",
}
