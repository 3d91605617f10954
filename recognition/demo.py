"""Demo registrations in every state and issued decisions with PDFs (SCHEMES §5).

Called by `manage.py demo_block` after the registry, evaluations and criteria demo data exist.
Everything goes through the services, acting as the demo users of each role, so the
transition log reads as it would in real use. At most five PDFs are rendered.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from criteria import engine
from criteria.engine import plans_in_force
from criteria.models import Scheme
from registry.formats import person_name
from registry.models import Appointment, Member, Membership, OrganizationKind, Role, UnitType

from . import services
from .eligibility import assessed_year, is_eligible, snapshot_for
from .models import Registration, SubjectKind

DECIDED_ON = datetime.date(2025, 2, 20)

# Every demo recognition matches an eligible verdict or carries the override reason its decider
# wrote (issue 12): the reason is given only where the engine, asked now, says "not eligible".
OVERRIDE_REASONS = {
    "four_goods_committee": (
        "Chi bộ hoàn thành tốt nhiệm vụ chính trị của đơn vị năm 2024; số liệu chỉ tiêu năm (kết quả thực "
        "hiện nhiệm vụ, kết nạp đảng viên) chưa được cập nhật lên hệ thống. Đảng ủy đã đối chiếu báo cáo tổng "
        "kết năm và biên bản kiểm điểm cuối năm của chi bộ, thống nhất công nhận."
    ),
    "four_goods_conference": (
        "Ban Thường vụ đã đối chiếu báo cáo tổng kết năm 2024 và hồ sơ minh chứng của chi bộ; các số liệu còn "
        "thiếu trên hệ thống được Ban Tổ chức xác nhận bằng văn bản, hội nghị thống nhất công nhận."
    ),
    "model_cell": (
        "Ban Tổ chức đã kiểm tra thực tế tại chi bộ; các tiêu chí còn thiếu số liệu trên hệ thống được xác nhận "
        "qua biên bản sinh hoạt chi bộ và báo cáo của Đảng ủy cơ sở, Ban Thường vụ thống nhất công nhận."
    ),
}


def _override_for(registration, key):
    """The decider's written reason when the verdict recomputed now is not eligible, else ""."""
    return "" if is_eligible(snapshot_for(registration)) else OVERRIDE_REASONS[key]


POOL = 40  # cells looked at to find eligible ones for the demo's recognitions


def _eligible_ids(cells, scheme, year, plan):
    """The cells the engine finds eligible now for `scheme` and `year` (one batch evaluation)."""
    if not cells or plan is None:
        return set()
    results = engine.evaluate(cells, scheme, assessed_year(scheme, year), plan=plan)
    return {pk for pk, result in results.items() if result.eligible}


def _committees_of(block):
    return list(block.descendants().filter(kind=OrganizationKind.GRASSROOTS_COMMITTEE).order_by("pk"))


def _arrange(cells, targets, decided, eligible):
    """One cell per target, in the targets' order: eligible cells take the `decided` targets first,
    so the demo's recognitions follow the verdicts wherever the block has eligible cells, and the
    other targets (returned, rejected, waiting) take the other cells first."""
    good = [c for c in cells if c.pk in eligible]
    other = [c for c in cells if c.pk not in eligible]
    out = []
    for target in targets:
        first, second = (good, other) if target in decided else (other, good)
        pool = first or second
        if not pool:
            break
        out.append((pool.pop(0), target))
    return out


def _user(role, organization):
    """The demo user acting in `role` at `organization`, else the root system administrator."""
    appointment = (
        Appointment.objects.filter(role=role, organization=organization).select_related("user").first()
        or Appointment.objects.filter(role=Role.SYSTEM_ADMIN, organization__depth=0).select_related("user").first()
    )
    return appointment.user if appointment else None


def _in_time(registration):
    """Demo registrations were sent before the deadline, except the ones meant to show lateness."""
    if registration.deadline:
        sent = timezone.make_aware(datetime.datetime.combine(registration.deadline, datetime.time(9)))
        Registration.objects.filter(pk=registration.pk).update(
            submitted_at=sent - datetime.timedelta(days=3), is_late=False
        )


def _walk(registration, steps, users):
    for step in steps:
        registration.refresh_from_db()
        if step == "submit":
            services.registration_submit(registration=registration, user=users["registrant"], comment="Đề nghị xét.")
        elif step == "grassroots":
            services.registration_appraise_grassroots(
                registration=registration, user=users["grassroots"], comment="Đảng ủy đã thẩm định, đề nghị xét."
            )
        elif step == "board":
            services.registration_appraise_board(
                registration=registration, user=users["board"], comment="Ban đã thẩm định hồ sơ và kiểm tra thực tế."
            )
        elif step == "return":
            services.registration_return(
                registration=registration,
                user=users["board"],
                comment="Đề nghị bổ sung biên bản sinh hoạt chuyên đề quý III.",
            )
    registration.refresh_from_db()
    return registration


@transaction.atomic
def populate(block, rng):
    """Registrations of the block's cells, committees, models and members in every state, with
    a handful of issued decisions and their PDFs."""
    # The block's own plans (criteria.demo_plans), as every registration of its cells is filed under.
    plans = {scheme: plan for scheme, plan in plans_in_force(Scheme.values, block).items() if plan.pk is not None}
    committees = list(block.descendants().filter(kind=OrganizationKind.GRASSROOTS_COMMITTEE).order_by("pk")[:3])
    grassroots_cells = list(block.descendants().filter(kind=OrganizationKind.GRASSROOTS_CELL).order_by("pk")[:POOL])
    if not committees or not plans.get(Scheme.FOUR_GOODS):
        return {}
    committee = committees[0]
    sub_cells = list(committee.descendants().filter(kind=OrganizationKind.SUBORDINATE_CELL).order_by("pk")[:POOL])
    standing = _user(Role.STANDING_COMMITTEE, block)
    org_board = _user(Role.ORGANIZATION_BOARD, block)
    propaganda = _user(Role.PROPAGANDA_BOARD, block)
    committee_staff = _user(Role.GRASSROOTS_STAFF, committee) or _user(Role.SYSTEM_ADMIN, block)
    pdfs = []

    # 1. Four-goods 2024 of the first committee's subordinate cells: registered in bulk, decided by
    #    the committee itself (SCHEMES §3.3).
    four_goods = plans[Scheme.FOUR_GOODS]
    plan_of_states = ["recognized", "returned", "grassroots", "submitted", "draft", "recognized"]
    arranged = _arrange(
        sub_cells, plan_of_states, {"recognized"}, _eligible_ids(sub_cells, Scheme.FOUR_GOODS, 2024, four_goods)
    )
    created, _skipped = services.registrations_bulk_create(
        user=committee_staff, plan=four_goods, year=2024, committee=committee, cells=[c for c, _t in arranged]
    )
    by_cell = {r.organization_id: r for r in created}
    committee_users = {"registrant": committee_staff, "grassroots": committee_staff, "board": committee_staff}
    committee_recognized = []
    for registration, target in [(by_cell[c.pk], t) for c, t in arranged if c.pk in by_cell]:
        if target == "draft":
            continue
        _walk(registration, ["submit"], committee_users)
        if target != "submitted":  # the one left "submitted" also shows a late registration
            _in_time(registration)
        if target == "grassroots":
            _walk(registration, ["grassroots"], committee_users)
        elif target == "returned":
            services.registration_return(
                registration=registration, user=committee_staff, comment="Bổ sung bảng tự đánh giá tháng 11, 12."
            )
        elif target == "recognized":
            _walk(registration, ["grassroots"], committee_users)
            committee_recognized.append(registration)
    if committee_recognized:
        for registration in committee_recognized:
            services.registration_recognize(
                registration=registration,
                user=committee_staff,
                comment="Đạt chi bộ bốn tốt.",
                override_reason=_override_for(registration, "four_goods_committee"),
                issued_on=DECIDED_ON,
                signer_title="BÍ THƯ",
                render=False,
            )
        committee_recognized[0].refresh_from_db()
        pdfs.append(committee_recognized[0].decision)

    # 2. Four-goods 2024 of grassroots cells: the block's organization board appraises, the
    #    standing committee decides in conference with one collective decision.
    states = ["decide", "reject", "board", "submitted", "draft", "decide"]
    arranged = _arrange(
        grassroots_cells, states, {"decide"}, _eligible_ids(grassroots_cells, Scheme.FOUR_GOODS, 2024, four_goods)
    )
    cell_registrations = []
    for cell, target in arranged:
        secretary = _user(Role.CELL_SECRETARY, cell)
        cell_registrations.append(
            (services.registration_create(user=secretary, plan=four_goods, year=2024, organization=cell), target)
        )
    to_recognize, to_reject = [], {}
    for registration, target in cell_registrations:
        if target == "draft":
            continue
        board_users = {"registrant": _user(Role.CELL_SECRETARY, registration.organization), "board": org_board}
        _walk(registration, ["submit"], board_users)
        _in_time(registration)
        if target in ("board", "decide", "reject"):
            _walk(registration, ["board"], board_users)
        if target == "decide":
            to_recognize.append(registration)
        elif target == "reject":
            to_reject[registration] = "Chưa đạt tiêu chí chất lượng sinh hoạt: 3 tháng chỉ đạt mức trung bình."
    if to_recognize or to_reject:
        conference = services.conference_create(
            user=standing,
            authority=block,
            plan=four_goods,
            year=2024,
            held_on=DECIDED_ON,
            signer_title="BÍ THƯ",
            signer_name=person_name(standing),
        )
        overrides = {r.pk: _override_for(r, "four_goods_conference") for r in to_recognize}
        services.conference_decide(
            conference=conference, user=standing, recognize=to_recognize, reject=to_reject, overrides=overrides
        )
        services.conference_generate_decisions(conference=conference, user=standing)  # renders one PDF

    # 3. Model cell 2025: one recognized by a single decision, one recognized then revoked.
    model_cell = plans.get(Scheme.MODEL_CELL)
    if model_cell and len(sub_cells) >= 2:
        chain = {"registrant": committee_staff, "grassroots": committee_staff, "board": org_board}
        model_regs = []
        # The committee whose cells the engine finds eligible model cells, if the block has one.
        model_committee, pool, eligible = committees[-1], [], set()
        for candidate in [committees[-1]] + [c for c in _committees_of(block) if c.pk != committees[-1].pk]:
            cells = list(candidate.descendants().filter(kind=OrganizationKind.SUBORDINATE_CELL).order_by("pk")[:POOL])
            found = _eligible_ids(cells, Scheme.MODEL_CELL, 2025, model_cell)
            if not pool or found:
                model_committee, pool, eligible = candidate, cells, found
            if found:
                break
        for cell, _target in _arrange(pool, ["recognized", "recognized"], {"recognized"}, eligible):
            grassroots_staff = _user(Role.GRASSROOTS_STAFF, model_committee) or committee_staff
            chain.update(registrant=grassroots_staff, grassroots=grassroots_staff)
            registration = services.registration_create(
                user=grassroots_staff, plan=model_cell, year=2025, organization=cell, registrant=model_committee
            )
            model_regs.append(_walk(registration, ["submit", "grassroots", "board"], chain))
        for registration in model_regs:
            services.registration_recognize(
                registration=registration,
                user=standing,
                comment="Đạt chi bộ kiểu mẫu.",
                override_reason=_override_for(registration, "model_cell"),
                issued_on=datetime.date(2025, 3, 20),
                signer_name=person_name(standing),
                render=False,
            )
            registration.refresh_from_db()
        pdfs.append(model_regs[0].decision)
        if len(model_regs) > 1:
            services.registration_revoke(
                registration=model_regs[1],
                user=standing,
                comment="Năm 2025 chi bộ có đảng viên bị kỷ luật, không duy trì được tiêu chí chi bộ kiểu mẫu.",
                issued_on=datetime.date(2025, 9, 2),
                signer_name=person_name(standing),
                render=False,
            )
            model_regs[1].refresh_from_db()
            pdfs.append(model_regs[1].revocation_decision)

    # 4. Exemplary models and individuals 2021–2023 through the propaganda board.
    exemplary = plans.get(Scheme.EXEMPLARY)
    if exemplary:
        chain = {"registrant": propaganda, "board": propaganda}
        picks = list(
            block.descendants()
            .filter(kind__in=[OrganizationKind.GRASSROOTS_COMMITTEE, OrganizationKind.GRASSROOTS_CELL])
            .order_by("pk")[:8]
        )
        for index, org in enumerate(picks):
            model_type = _model_type_for(org, rng)
            try:
                registration = services.registration_create(
                    user=propaganda,
                    plan=exemplary,
                    year=2023,
                    organization=org,
                    subject_kind=SubjectKind.MODEL,
                    model_name=_model_name(model_type, org),
                    model_type=model_type,
                )
            except Exception:  # a type this unit may not hold: skip it in the demo
                continue
            steps = [[], ["submit"], ["submit", "board"], ["submit", "return"]][index % 4]
            _walk(registration, steps, chain)
        member = Member.objects.filter(
            pk__in=Membership.objects.filter(cell__path__startswith=committee.path, end_date__isnull=True).values(
                "member_id"
            )
        ).first()
        if member is not None:
            cell = Membership.objects.filter(member=member, end_date__isnull=True).first().cell
            registration = services.registration_create(
                user=propaganda,
                plan=exemplary,
                year=2023,
                organization=cell,
                subject_kind=SubjectKind.MEMBER,
                member=member,
                member_position="Trưởng phòng",
                registrant=committee,
            )
            steps = (
                ["submit", "grassroots", "board"] if registration.needs_grassroots_appraisal else ["submit", "board"]
            )
            _walk(registration, steps, {**chain, "grassroots": _user(Role.GRASSROOTS_STAFF, committee)})

    for decision in [d for d in pdfs if d is not None][:4]:
        services.decision_render_pdf(decision=decision)
    return {"registrations": Registration.objects.count()}


def _model_type_for(org, rng):
    by_unit = {
        UnitType.ADMINISTRATIVE: [7, 8, 9, 6],
        UnitType.PUBLIC_SERVICE: [7, 12, 3, 4],
        UnitType.ENTERPRISE: [2, 10, 11, 12],
        UnitType.OTHER: [8, 9, 6],
    }
    return rng.choice(by_unit.get(org.unit_type, [1]))


MODEL_NAMES = {
    1: "Tổ chức cơ sở đảng tiêu biểu “{org}”",
    2: "Tiết kiệm chi phí, nâng cao năng suất tại {org}",
    3: "Dạy tốt – học tốt làm theo lời Bác tại {org}",
    4: "Thầy thuốc như mẹ hiền tại {org}",
    6: "Cơ quan văn minh, kỷ cương tại {org}",
    7: "Một cửa liên thông, “5 không” trong giải quyết thủ tục tại {org}",
    8: "Văn hóa công sở – nụ cười công sở tại {org}",
    9: "“5 không” phòng, chống tiêu cực tại {org}",
    10: "An toàn – tiết kiệm trong sản xuất tại {org}",
    11: "Doanh nghiệp vì cộng đồng – {org}",
    12: "Thực hành 5S tại {org}",
}


def _model_name(model_type, org):
    short = org.name.replace("Đảng bộ ", "").replace("Chi bộ ", "")
    return MODEL_NAMES.get(model_type, "Mô hình điển hình tại {org}").format(org=short)
