"""Registrations, deadlines, caps, quotas, decisions, revocation and the yearly re-check
(SCHEMES §1.3, §3.2–3.3, §4.1–4.2, §5)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from recognition import services
from recognition.models import Decision, ModelCellRecheck, RecheckProposal, State, SubjectKind, Transition
from registry.models import OrganizationKind, RatingLevel, UnitType
from tests.factories import MemberFactory, MembershipFactory, OrganizationFactory, RatingFactory

from .conftest import OVERRIDE_REASON, advance


def _four_goods(tree, users, plans, org, year=2024):
    return services.registration_create(user=users.admin, plan=plans.four_goods, year=year, organization=org)


@pytest.mark.django_db
def test_a_registration_sent_after_the_plans_deadline_is_flagged_late_and_kept(tree, users, plans):
    """[004 §II.4.1]: subordinate cells send theirs to the grassroots committee by 15 January."""
    registration = _four_goods(tree, users, plans, tree.cell_a1, 2025)
    assert registration.deadline == datetime.date(2025, 1, 15)
    with time_machine.travel(datetime.datetime(2025, 1, 20, 9, 0, tzinfo=datetime.UTC)):
        services.registration_submit(registration=registration, user=users.secretary_a1)
    registration.refresh_from_db()
    assert registration.state == State.SUBMITTED
    assert registration.is_late is True


@pytest.mark.django_db
def test_a_registration_sent_in_time_is_not_late(tree, users, plans):
    registration = _four_goods(tree, users, plans, tree.cell_b, 2025)
    assert registration.deadline == datetime.date(2025, 1, 31)  # grassroots cell → block by 31 January
    with time_machine.travel(datetime.datetime(2025, 1, 30, 9, 0, tzinfo=datetime.UTC)):
        services.registration_submit(registration=registration, user=users.secretary_b)
    registration.refresh_from_db()
    assert registration.is_late is False


@pytest.mark.django_db
def test_a_returned_registration_carries_the_request_and_can_be_resubmitted(tree, users, plans):
    registration = advance(_four_goods(tree, users, plans, tree.cell_b), State.SUBMITTED, users.admin)
    services.registration_return(
        registration=registration, user=users.org_board, comment="Bổ sung biên bản sinh hoạt tháng 6."
    )
    registration.refresh_from_db()
    assert registration.state == State.RETURNED
    assert registration.return_request == "Bổ sung biên bản sinh hoạt tháng 6."
    assert [a.name for a in services.allowed_actions(users.secretary_b, registration)] == ["submit"]
    services.registration_submit(registration=registration, user=users.secretary_b, comment="Đã bổ sung.")
    registration.refresh_from_db()
    assert registration.state == State.SUBMITTED
    assert [t.action for t in registration.transitions.all()] == ["submit", "return", "submit"]


@pytest.mark.django_db
def test_returning_needs_the_request_and_rejecting_needs_a_reason(tree, users, plans):
    registration = advance(_four_goods(tree, users, plans, tree.cell_b), State.APPRAISED_BOARD, users.admin)
    with pytest.raises(ValidationError, match="yêu cầu bổ sung"):
        services.registration_return(registration=registration, user=users.standing, comment="  ")
    with pytest.raises(ValidationError, match="lý do không công nhận"):
        services.registration_reject(registration=registration, user=users.standing, comment="")
    services.registration_reject(registration=registration, user=users.standing, comment="Có đảng viên bị kỷ luật.")
    registration.refresh_from_db()
    assert (registration.state, registration.rejection_reason) == (State.REJECTED, "Có đảng viên bị kỷ luật.")


@pytest.mark.django_db
def test_a_revocation_needs_a_reason_and_issues_its_own_numbered_decision(tree, users, plans):
    registration = advance(_four_goods(tree, users, plans, tree.cell_b), State.RECOGNIZED, users.admin)
    granted = registration.decision
    with pytest.raises(ValidationError, match="lý do hủy bỏ"):
        services.registration_revoke(registration=registration, user=users.standing, comment="")
    services.registration_revoke(
        registration=registration,
        user=users.standing,
        comment="Phát hiện đảng viên vi phạm quy định những điều đảng viên không được làm.",
        issued_on=datetime.date(2025, 9, 2),
        render=False,
    )
    registration.refresh_from_db()
    assert registration.state == State.REVOKED
    revocation = registration.revocation_decision
    assert revocation.kind == "revocation" and revocation.revokes == granted
    assert revocation.issuer == granted.issuer
    assert revocation.number == granted.number + 1
    assert "hủy bỏ" in revocation.subject_line


@pytest.mark.django_db
def test_every_transition_stores_the_eligibility_seen_at_that_moment_and_cannot_be_edited(tree, users, plans):
    registration = advance(_four_goods(tree, users, plans, tree.cell_b), State.APPRAISED_BOARD, users.admin)
    transitions = list(registration.transitions.all())
    assert len(transitions) == 2
    for transition in transitions:
        assert transition.eligibility["computed_at"]
        assert "criteria" in transition.eligibility
        assert transition.actor == users.admin
    first = transitions[0]
    first.comment = "sửa lại"
    with pytest.raises(ValidationError):
        first.save()
    with pytest.raises(ValidationError):
        first.delete()
    assert Transition.objects.get(pk=first.pk).comment == ""


@pytest.mark.django_db
def test_the_snapshot_uses_the_criteria_engine_with_reasons(tree, users, plans):
    pytest.importorskip("criteria.engine")
    registration = _four_goods(tree, users, plans, tree.cell_b)
    services.registration_submit(registration=registration, user=users.secretary_b)
    snapshot = registration.transitions.get().eligibility
    assert snapshot["available"] is True, snapshot
    assert snapshot["eligible"] is False  # no ratings, meetings or self-assessments recorded
    assert snapshot["criteria"] and all(c["reason"] for c in snapshot["criteria"])


@pytest.mark.django_db
def test_a_grassroots_committee_registers_its_cells_in_bulk_and_skips_those_already_registered(tree, users, plans):
    _four_goods(tree, users, plans, tree.cell_a1, 2025)
    created, skipped = services.registrations_bulk_create(
        user=users.committee_staff_a, plan=plans.four_goods, year=2025, committee=tree.committee_a
    )
    assert [r.organization for r in created] == [tree.cell_a2]
    assert skipped == [tree.cell_a1]
    assert created[0].registrant == tree.committee_a
    assert created[0].authority == tree.committee_a  # SCHEMES §3.3
    with pytest.raises(PermissionDenied):
        services.registrations_bulk_create(
            user=users.secretary_b, plan=plans.four_goods, year=2025, committee=tree.committee_a
        )


@pytest.mark.django_db
def test_a_5s_model_is_refused_for_an_administrative_agency_with_the_reason(tree, users, plans):
    """SCHEMES §4.2: type (12) "5S" is for enterprises and hospitals."""
    assert tree.committee_a.unit_type == UnitType.ADMINISTRATIVE
    with pytest.raises(ValidationError) as info:
        services.registration_create(
            user=users.committee_staff_a,
            plan=plans.exemplary,
            year=2021,
            organization=tree.committee_a,
            subject_kind=SubjectKind.MODEL,
            model_name="Mô hình 5S tại cơ quan",
            model_type=12,
        )
    text = " ".join(info.value.messages)
    assert "cơ quan hành chính" in text and "5S" in text and "doanh nghiệp" in text
    hospital = OrganizationFactory(
        name="Đảng bộ Bệnh viện Đa khoa tỉnh",
        kind=OrganizationKind.GRASSROOTS_COMMITTEE,
        unit_type=UnitType.PUBLIC_SERVICE,
        parent=tree.block,
    )
    registration = services.registration_create(
        user=users.admin,
        plan=plans.exemplary,
        year=2021,
        organization=hospital,
        subject_kind=SubjectKind.MODEL,
        model_name="Mô hình 5S khoa Nội",
        model_type=12,
    )
    assert registration.phase == "2021-2023"


@pytest.mark.django_db
def test_outstanding_four_goods_only_for_excellent_cells(tree, users, plans):
    registration = advance(_four_goods(tree, users, plans, tree.cell_b), State.APPRAISED_BOARD, users.admin)
    RatingFactory(organization=tree.cell_b, year=2024, level=RatingLevel.GOOD)
    with pytest.raises(ValidationError, match="Hoàn thành xuất sắc nhiệm vụ"):
        services.registration_recognize(
            override_reason=OVERRIDE_REASON, registration=registration, user=users.standing, commend=True, render=False
        )
    registration.refresh_from_db()
    assert registration.state == State.APPRAISED_BOARD  # the whole decision rolled back


@pytest.mark.django_db
def test_outstanding_four_goods_is_capped_at_20_percent_of_passed_rounded_down(tree, users, plans):
    """[004 §II.4.2.2]: at most 20% of the cells that passed, per authority and year; floor(0.2 × n)."""
    cells = [OrganizationFactory(name=f"Chi bộ Phòng {i}", parent=tree.block) for i in range(10)]
    for cell in cells:
        RatingFactory(organization=cell, year=2024, level=RatingLevel.EXCELLENT)
    registrations = [advance(_four_goods(tree, users, plans, c), State.APPRAISED_BOARD, users.admin) for c in cells]
    # 4 passed without commendation; the 5th asks for it: floor(0.2 × 5) = 1 → allowed.
    for registration in registrations[:4]:
        services.registration_recognize(
            override_reason=OVERRIDE_REASON, registration=registration, user=users.standing, render=False
        )
    services.registration_recognize(
        override_reason=OVERRIDE_REASON, registration=registrations[4], user=users.standing, commend=True, render=False
    )
    # 6 passed, a 2nd commendation: floor(0.2 × 6) = 1 → refused with the numbers.
    with pytest.raises(ValidationError) as info:
        services.registration_recognize(
            override_reason=OVERRIDE_REASON,
            registration=registrations[5],
            user=users.standing,
            commend=True,
            render=False,
        )
    message = " ".join(info.value.messages)
    assert "tối đa 20%" in message and "làm tròn xuống" in message and "Đã đạt: 6" in message
    assert "tối đa: 1" in message
    services.registration_recognize(
        override_reason=OVERRIDE_REASON, registration=registrations[5], user=users.standing, render=False
    )
    services.registration_recognize(
        override_reason=OVERRIDE_REASON, registration=registrations[6], user=users.standing, render=False
    )
    services.registration_recognize(
        override_reason=OVERRIDE_REASON, registration=registrations[7], user=users.standing, render=False
    )
    # 9 passed → floor(1.8) = 1 → still refused.
    with pytest.raises(ValidationError):
        services.registration_recognize(
            override_reason=OVERRIDE_REASON,
            registration=registrations[8],
            user=users.standing,
            commend=True,
            render=False,
        )
    services.registration_recognize(
        override_reason=OVERRIDE_REASON, registration=registrations[8], user=users.standing, render=False
    )
    # 10 passed → floor(2.0) = 2 → a second commendation is allowed.
    services.registration_recognize(
        override_reason=OVERRIDE_REASON, registration=registrations[9], user=users.standing, commend=True, render=False
    )
    assert sum(r.commended for r in type(registrations[0]).objects.filter(pk__in=[r.pk for r in registrations])) == 2


@pytest.mark.django_db
def test_exemplary_quota_per_type_and_phase_refuses_one_too_many(tree, users, plans):
    """Type (4) health: block quota 1 for 2021–2023 [003 §III.1.1]."""
    hospitals = [
        OrganizationFactory(
            name=f"Đảng bộ Bệnh viện {i}",
            kind=OrganizationKind.GRASSROOTS_COMMITTEE,
            unit_type=UnitType.PUBLIC_SERVICE,
            parent=tree.block,
        )
        for i in range(2)
    ]
    regs = [
        advance(
            services.registration_create(
                user=users.admin,
                plan=plans.exemplary,
                year=2022,
                organization=h,
                subject_kind=SubjectKind.MODEL,
                model_name=f"Mô hình chăm sóc người bệnh {i}",
                model_type=4,
            ),
            State.APPRAISED_BOARD,
            users.admin,
        )
        for i, h in enumerate(hospitals)
    ]
    services.registration_recognize(
        override_reason=OVERRIDE_REASON, registration=regs[0], user=users.standing, render=False
    )
    with pytest.raises(ValidationError, match="Đã đủ chỉ tiêu mô hình loại \\(4\\)"):
        services.registration_recognize(
            override_reason=OVERRIDE_REASON, registration=regs[1], user=users.standing, render=False
        )
    from recognition.selectors import quota_progress

    row = next(r for r in quota_progress(plans.exemplary, "2021-2023", tree.block) if r["type"] == 4)
    assert (row["registered"], row["recognized"], row["quota"], row["percent"]) == (2, 1, 1, 100)


@pytest.mark.django_db
def test_decision_numbers_run_on_per_issuer_and_year_and_restart_next_year(tree, users, plans):
    regs = [
        advance(_four_goods(tree, users, plans, c), State.APPRAISED_BOARD, users.admin)
        for c in [tree.cell_b] + [OrganizationFactory(parent=tree.block) for _ in range(2)]
    ]
    days = [datetime.date(2025, 3, 20), datetime.date(2025, 4, 2), datetime.date(2026, 1, 5)]
    for registration, day in zip(regs, days, strict=True):
        services.registration_recognize(
            override_reason=OVERRIDE_REASON, registration=registration, user=users.standing, issued_on=day, render=False
        )
    numbers = [(d.year, d.number, d.display_number) for d in Decision.objects.order_by("issued_on")]
    assert numbers == [(2025, 1, "1-QĐ/ĐUK"), (2025, 2, "2-QĐ/ĐUK"), (2026, 1, "1-QĐ/ĐUK")]


@pytest.mark.django_db
def test_a_committee_numbers_its_own_decisions_apart_from_the_block(tree, users, plans):
    tree.committee_a.code = "ĐUSTC"
    tree.committee_a.save()
    a1 = advance(_four_goods(tree, users, plans, tree.cell_a1), State.RECOGNIZED, users.admin)
    b = advance(_four_goods(tree, users, plans, tree.cell_b), State.RECOGNIZED, users.admin)
    assert a1.decision.display_number == "1-QĐ/ĐUSTC"
    assert b.decision.display_number == "1-QĐ/ĐUK"


@pytest.mark.django_db
def test_individual_exemplars_register_with_position(tree, users, plans):
    member = MemberFactory(full_name="Trần Thị Hương")
    MembershipFactory(member=member, cell=tree.cell_a1)
    registration = services.registration_create(
        user=users.committee_staff_a,
        plan=plans.exemplary,
        year=2021,
        organization=tree.cell_a1,
        subject_kind=SubjectKind.MEMBER,
        member=member,
        member_position="Trưởng phòng Ngân sách",
    )
    assert registration.subject_name == "Trần Thị Hương"
    assert registration.authority == tree.block
    services.registration_submit(registration=registration, user=users.committee_staff_a)
    assert registration.transitions.get().eligibility["computed_at"]


@pytest.mark.django_db
def test_the_yearly_model_cell_recheck_proposes_dropping_a_failing_cell_and_standing_drops_it(tree, users, plans):
    """SCHEMES §1.3: in January the grassroots committee re-checks; in Q1 the standing committee drops."""
    registration = services.registration_create(
        user=users.admin, plan=plans.model_cell, year=2022, organization=tree.cell_a1
    )
    advance(registration, State.APPRAISED_BOARD, users.admin)
    with pytest.raises(PermissionDenied):
        services.model_cell_recheck(
            user=users.secretary_a1, committee=tree.committee_a, plan=plans.model_cell, year=2023
        )
    rechecks = services.model_cell_recheck(
        user=users.committee_staff_a, committee=tree.committee_a, plan=plans.model_cell, year=2023
    )
    assert [r.registration for r in rechecks] == [registration]
    recheck = rechecks[0]
    if recheck.eligibility.get("available"):
        assert recheck.proposal == RecheckProposal.DROP  # nothing recorded for 2023
    else:
        ModelCellRecheck.objects.filter(pk=recheck.pk).update(proposal=RecheckProposal.DROP)
        recheck.refresh_from_db()
    services.model_cell_recheck_apply(recheck=recheck, user=users.standing)
    registration.refresh_from_db()
    assert registration.state == State.REJECTED
    assert "2023" in registration.rejection_reason


@pytest.mark.django_db
def test_model_cell_and_four_goods_register_organizations_only(tree, users, plans):
    with pytest.raises(ValidationError):
        services.registration_create(user=users.admin, plan=plans.model_cell, year=2022, organization=tree.committee_a)
    with pytest.raises(ValidationError, match="giai đoạn"):
        services.registration_create(user=users.admin, plan=plans.four_goods, year=2019, organization=tree.cell_b)


@pytest.mark.django_db
def test_a_secretary_cannot_register_another_cell(tree, users, plans):
    with pytest.raises(PermissionDenied):
        services.registration_create(
            user=users.secretary_b, plan=plans.four_goods, year=2024, organization=tree.cell_a1
        )
