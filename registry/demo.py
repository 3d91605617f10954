"""A realistic demo block generated deterministically from a seed.

`build_block(seed, size)` creates the organization tree, members with plausible
Vietnamese names, memberships (with some transfers), mass organizations, yearly
ratings 2017–2025 (a grassroots cell's five-year window of 2021 is complete), attestations
and the demo users, one per role. Everything is
written with bulk_create so that the province size (4,000 cells, 90,000 members)
builds in a reasonable time for benchmarks.
"""

import datetime
import random
import zlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import (
    UNIT_CRITERIA_BY_TYPE,
    Appointment,
    AttestationStatus,
    DisciplinaryRecord,
    GoodExampleRating,
    MassOrganization,
    MassOrganizationKind,
    Member,
    MemberAttestation,
    Membership,
    Organization,
    OrganizationKind,
    Rating,
    RatingLevel,
    Role,
    UnitAttestation,
    UnitType,
)

DEMO_PASSWORD = "demo@2025"
RATING_YEARS = range(2017, 2026)
ATTESTATION_YEARS = range(2021, 2026)

# How well a demo cell works, shared by every app's demo step so that ratings, attestations,
# meetings and yearly facts tell one story (issue 12): "model" cells meet every model-cell
# criterion [000 §II] every year; "near" cells miss exactly one, every year (a near miss with a gap report);
# "strong" and "good" cells are mostly four-goods [002 §II] but not model cells; "weak" ones lag.
PROFILES = (("model", 6), ("near", 4), ("strong", 10), ("good", 42), ("normal", 30), ("weak", 8))
NEAR_MISS_KINDS = ("rating", "handbook", "mass_org", "speakers")
_profiles = {}  # cell pk -> profile of the block built last in this process


def _profile_from_code(code, seed):
    """A stable profile for a cell code (hash-based, so it needs no shared random state)."""
    total = sum(weight for _name, weight in PROFILES)
    point = zlib.crc32(f"{seed}:{code}".encode()) % total
    for name, weight in PROFILES:
        if point < weight:
            return name
        point -= weight
    return PROFILES[-1][0]


def profile_of(organization, seed=2025):
    """The demo profile of a cell (see PROFILES); committees and other organizations are "normal"."""
    found = _profiles.get(organization.pk)
    if found is not None:
        return found
    if organization.kind not in (OrganizationKind.GRASSROOTS_CELL, OrganizationKind.SUBORDINATE_CELL):
        return "normal"
    return _profile_from_code(organization.code, seed)


def late_model(organization):
    """Whether a "model" cell became one late: EXCELLENT only from LATE_MODEL_FROM, so its first
    windows are one EXCELLENT year short (G1) and the block's model-cell share rises to 2025."""
    return zlib.crc32(f"late:{organization.code}".encode()) % 2 == 0


def near_miss_kind(organization):
    """Which single criterion a "near" cell misses (G1, G4, G3 or G2 of [000 §II.1])."""
    return NEAR_MISS_KINDS[zlib.crc32(f"near:{organization.code}".encode()) % len(NEAR_MISS_KINDS)]


@dataclass(frozen=True)
class Size:
    grassroots_committees: int
    grassroots_cells: int
    subordinate_cells: int
    members: int


SIZES = {
    "block": Size(grassroots_committees=16, grassroots_cells=24, subordinate_cells=226, members=3000),
    "province": Size(grassroots_committees=260, grassroots_cells=340, subordinate_cells=3660, members=90000),
    "tiny": Size(grassroots_committees=2, grassroots_cells=2, subordinate_cells=6, members=80),
}

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Lương",
    "Hà",
    "Triệu",
    "Mai",
    "Tạ",
    "Đoàn",
    "Lục",
]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Thành", "Xuân", "Trọng", "Mạnh", "Anh", "Tiến"]
MIDDLE_F = ["Thị", "Thị", "Thu", "Thanh", "Ngọc", "Kim", "Minh", "Phương", "Hồng", "Diệu"]
GIVEN_M = [
    "Hùng",
    "Dũng",
    "Cường",
    "Tuấn",
    "Thắng",
    "Hải",
    "Long",
    "Sơn",
    "Tùng",
    "Quý",
    "Đạt",
    "Khánh",
    "Phúc",
    "Thịnh",
    "Nghĩa",
    "Bình",
    "Hưng",
    "Trung",
    "Hiếu",
    "Toàn",
    "Việt",
    "Lâm",
    "Đông",
    "Giang",
]
GIVEN_F = [
    "Hương",
    "Lan",
    "Hà",
    "Hạnh",
    "Thảo",
    "Trang",
    "Huyền",
    "Nhung",
    "Yến",
    "Oanh",
    "Ngân",
    "Phượng",
    "Thúy",
    "Loan",
    "Vân",
    "Mai",
    "Linh",
    "Hằng",
    "Quyên",
    "Duyên",
    "Dung",
    "Hòa",
]

AGENCIES = {
    UnitType.ADMINISTRATIVE: [
        "Sở Tài chính",
        "Sở Nội vụ",
        "Sở Tư pháp",
        "Sở Kế hoạch và Đầu tư",
        "Văn phòng UBND tỉnh",
        "Sở Công Thương",
        "Thanh tra tỉnh",
        "Sở Nông nghiệp và Môi trường",
        "Ban Dân tộc",
        "Sở Xây dựng",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Khoa học và Công nghệ",
    ],
    UnitType.PUBLIC_SERVICE: [
        "Bệnh viện Đa khoa tỉnh",
        "Trường Cao đẳng Nghề",
        "Đài Phát thanh và Truyền hình",
        "Trung tâm Kiểm soát bệnh tật",
        "Bệnh viện Y học cổ truyền",
        "Trường Chính trị tỉnh",
        "Báo Yên Bái",
        "Trung tâm Xúc tiến đầu tư",
    ],
    UnitType.ENTERPRISE: [
        "Công ty Điện lực",
        "Công ty Cổ phần Xi măng",
        "Công ty Cấp nước",
        "Ngân hàng Nông nghiệp chi nhánh tỉnh",
        "Công ty Lâm nghiệp",
        "Công ty Cổ phần Môi trường đô thị",
        "Công ty Xổ số kiến thiết",
        "Công ty Cổ phần Chè",
    ],
}
SUB_UNITS = [
    "Văn phòng",
    "Phòng Tổ chức – Hành chính",
    "Phòng Kế hoạch",
    "Phòng Tài vụ",
    "Phòng Nghiệp vụ 1",
    "Phòng Nghiệp vụ 2",
    "Phòng Kỹ thuật",
    "Phân xưởng Sản xuất",
    "Khoa Nội",
    "Khoa Ngoại",
    "Tổ Kinh doanh",
    "Phòng Thanh tra",
    "Đội Vận hành",
    "Phòng Pháp chế",
    "Khoa Dược",
    "Phòng Quản lý",
]

DEMO_USERS = [
    # username, role, how the organization is chosen, description
    ("bithu", Role.CELL_SECRETARY, "first_subordinate_cell"),
    ("bithu2", Role.CELL_SECRETARY, "first_grassroots_cell"),
    ("dangu", Role.GRASSROOTS_STAFF, "first_committee"),
    ("bantochuc", Role.ORGANIZATION_BOARD, "block"),
    ("bantuyengiao", Role.PROPAGANDA_BOARD, "block"),
    ("thuongvu", Role.STANDING_COMMITTEE, "block"),
    ("dusinhhoat", Role.MEETING_ATTENDEE, "block"),
    ("quantri", Role.SYSTEM_ADMIN, "root"),
]


class Names:
    def __init__(self, rng):
        self.rng = rng

    def person(self, gender):
        rng = self.rng
        if gender == "M":
            return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


def _weighted(rng, pairs):
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def _bulk_organizations(orgs):
    """Insert organizations in bulk, then fill their materialized paths level by level."""
    Organization.objects.bulk_create(orgs, batch_size=1000)
    for org in orgs:
        parent = org.parent
        org.path = f"{parent.path if parent else ''}{org.pk:08d}."
        org.depth = org.path.count(".") - 1
    Organization.objects.bulk_update(orgs, ["path", "depth"], batch_size=1000)
    return orgs


def _cell_sizes(rng, cells, total):
    """Members per cell: mostly 6–25, some large; boundaries 9/10 and 30/31 appear on purpose."""
    sizes = [max(3, int(rng.lognormvariate(2.45, 0.45))) for _ in cells]
    for index, forced in enumerate([9, 10, 30, 31]):
        if index < len(sizes):
            sizes[index] = forced
    scale = total / sum(sizes)
    sizes = [max(3, round(s * scale)) for s in sizes]
    for index, forced in enumerate([9, 10, 30, 31]):
        if index < len(sizes):
            sizes[index] = forced
    return sizes


ORG_RATINGS = {
    "strong": [(RatingLevel.EXCELLENT, 60), (RatingLevel.GOOD, 40)],
    "good": [(RatingLevel.EXCELLENT, 25), (RatingLevel.GOOD, 72), (RatingLevel.PASS, 3)],
    "normal": [(RatingLevel.EXCELLENT, 15), (RatingLevel.GOOD, 75), (RatingLevel.PASS, 8), (RatingLevel.FAIL, 2)],
    "weak": [(RatingLevel.GOOD, 50), (RatingLevel.PASS, 40), (RatingLevel.FAIL, 10)],
}
MEMBER_RATINGS = {
    "model": [(RatingLevel.EXCELLENT, 25), (RatingLevel.GOOD, 75)],
    "strong": [(RatingLevel.EXCELLENT, 18), (RatingLevel.GOOD, 80), (RatingLevel.PASS, 2)],
    "good": [(RatingLevel.EXCELLENT, 15), (RatingLevel.GOOD, 81), (RatingLevel.PASS, 4)],
    "normal": [(RatingLevel.EXCELLENT, 14), (RatingLevel.GOOD, 78), (RatingLevel.PASS, 7), (RatingLevel.FAIL, 1)],
    "weak": [(RatingLevel.EXCELLENT, 10), (RatingLevel.GOOD, 75), (RatingLevel.PASS, 13), (RatingLevel.FAIL, 2)],
}
# The one cell-year in which every member's four-goods self-assessment is clean [002 §II.1.4].
FOUR_GOODS_CLEAN = {"strong": 0.9, "good": 0.8, "normal": 0.6, "weak": 0.35}
# A near miss's one lapse recurs every year, so every year's window holds it [000 §IV.1].
NEAR_MISS_YEARS = ATTESTATION_YEARS
LATE_MODEL_FROM = 2021  # a late model cell's first EXCELLENT year (see late_model)
# Share of the grassroots committees that run a year "tight" (drawn anew each year): every cell
# under them keeps its members' four-goods self-assessments clean that year, so the committee
# can pass FG4 [002 §II.2]; elsewhere one lapse in a dozen cells would always sink it.
COMMITTEE_TIGHT_SHARE = 0.5


def _perfect(profile):
    return profile in ("model", "near")


def _organization_levels(rng, org, profile):
    """{year: level} of a party organization's yearly ratings.

    A model cell is GOOD or better every year and EXCELLENT in all years but one, so every
    window has enough EXCELLENT years [000 §II.1(1)]: 3 years with 2 for a subordinate cell,
    5 with 3 for a grassroots cell. A "rating" near miss has one EXCELLENT year too few in
    every window ending 2021–2025. A late model cell is EXCELLENT from LATE_MODEL_FROM only:
    a model cell from 2022 (subordinate) or 2023 (grassroots), a G1 near miss before.
    """
    if profile == "model" and late_model(org):
        return {y: RatingLevel.EXCELLENT if y >= LATE_MODEL_FROM else RatingLevel.GOOD for y in RATING_YEARS}
    if _perfect(profile) and not (profile == "near" and near_miss_kind(org) == "rating"):
        good_year = rng.choice(list(RATING_YEARS))
        return {y: RatingLevel.GOOD if y == good_year else RatingLevel.EXCELLENT for y in RATING_YEARS}
    if profile == "near":
        if org.kind == OrganizationKind.GRASSROOTS_CELL:
            excellent = {2017, 2019, 2022, 2024}  # 2 in every five years 2017–2021 … 2021–2025: 3 needed
        else:
            excellent = {2017, 2020, 2023}  # 1 in every three years 2019–2021 … 2023–2025: 2 needed
        return {y: RatingLevel.EXCELLENT if y in excellent else RatingLevel.GOOD for y in RATING_YEARS}
    levels = {}
    for year in RATING_YEARS:
        if rng.random() < 0.01:
            continue  # a year nobody recorded: the criteria must say so
        levels[year] = _weighted(rng, ORG_RATINGS[profile])
    return levels


def _member_rating(rng, profile):
    return _weighted(rng, MEMBER_RATINGS["model" if _perfect(profile) else profile])


@transaction.atomic
def build_block(seed=2025, size="block", *, with_users=True):
    """Create the demo tree and registry data; return the block organization."""
    rng = random.Random(seed)
    names = Names(rng)
    dims = SIZES[size]

    province = Organization.objects.create(
        name="Đảng bộ tỉnh Yên Bái", kind=OrganizationKind.UPPER_COMMITTEE, code="TU", place_name="Yên Bái"
    )
    block = Organization.objects.create(
        name="Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh Yên Bái",
        parent=province,
        kind=OrganizationKind.UPPER_COMMITTEE,
        code="ĐUK",
        place_name="Yên Bái",
    )

    unit_types = [UnitType.ADMINISTRATIVE, UnitType.PUBLIC_SERVICE, UnitType.ENTERPRISE]
    grassroots = []
    for index in range(dims.grassroots_committees + dims.grassroots_cells):
        unit_type = unit_types[index % 3] if index % 13 != 12 else UnitType.OTHER
        pool = AGENCIES.get(unit_type) or [
            "Cơ quan Ủy ban Mặt trận Tổ quốc",
            "Hội Nông dân tỉnh",
            "Liên đoàn Lao động tỉnh",
        ]
        agency = pool[(index // 3) % len(pool)]
        suffix = f" {index // (3 * len(pool)) + 2}" if index >= 3 * len(pool) else ""
        is_committee = index < dims.grassroots_committees
        grassroots.append(
            Organization(
                parent=block,
                kind=OrganizationKind.GRASSROOTS_COMMITTEE if is_committee else OrganizationKind.GRASSROOTS_CELL,
                name=f"{'Đảng bộ' if is_committee else 'Chi bộ'} {agency}{suffix}",
                code=f"{'ĐU' if is_committee else 'CB'}{index + 1}",
                unit_type=unit_type,
                place_name="Yên Bái",
                head_is_secretary=rng.random() < 0.97,
                active_from=datetime.date(2010, 1, 1),
            )
        )
    _bulk_organizations(grassroots)
    committees = [org for org in grassroots if org.kind == OrganizationKind.GRASSROOTS_COMMITTEE]

    # Two of the committees have partial committees (đảng bộ bộ phận) with cells under them.
    partials = []
    for committee in committees[:2]:
        for number in (1, 2):
            partials.append(
                Organization(
                    parent=committee,
                    kind=OrganizationKind.PARTIAL_COMMITTEE,
                    name=f"Đảng bộ bộ phận số {number} – {committee.name[8:]}",
                    code=f"{committee.code}-BP{number}",
                    unit_type=committee.unit_type,
                    place_name="Yên Bái",
                )
            )
    _bulk_organizations(partials)

    parents = committees + partials
    subordinate = []
    for index in range(dims.subordinate_cells):
        parent = parents[index % len(parents)]
        unit = SUB_UNITS[(index // len(parents)) % len(SUB_UNITS)]
        round_no = index // (len(parents) * len(SUB_UNITS))
        subordinate.append(
            Organization(
                parent=parent,
                kind=OrganizationKind.SUBORDINATE_CELL,
                name=f"Chi bộ {unit}{f' {round_no + 1}' if round_no else ''}",
                code=f"CB{len(grassroots) + index + 1}",  # after the grassroots ones: codes are unique
                unit_type=parent.unit_type,
                place_name="Yên Bái",
                head_is_secretary=rng.random() < 0.97,
                active_from=datetime.date(2012, 1, 1),
            )
        )
    _bulk_organizations(subordinate)

    cells = [org for org in grassroots if org.kind == OrganizationKind.GRASSROOTS_CELL] + subordinate
    strength = {cell.pk: _profile_from_code(cell.code, seed) for cell in cells}
    _ensure_success_path(cells, strength)
    for org in committees + partials:
        strength[org.pk] = "normal"
    _profiles.clear()
    _profiles.update(strength)

    _members_and_memberships(rng, names, cells, dims.members, strength)
    _mass_organizations(rng, cells, strength)
    _ratings(rng, committees + partials + cells, strength)
    _attestations(rng, cells, strength)
    if with_users:
        create_demo_users(province, block, committees, cells)
    return block


def _ensure_success_path(cells, strength):
    """Even the smallest demo shows a model cell and a near miss (issue 12): where the hash gave
    none, the first "good" cells (else the first others) take those profiles. The block's
    profiles come from the hash alone."""
    for wanted in ("model", "near"):
        if wanted in strength.values():
            continue
        spare = [c for c in cells if strength[c.pk] == "good"] or [c for c in cells if not _perfect(strength[c.pk])]
        if spare:
            strength[spare[0].pk] = wanted


def _members_and_memberships(rng, names, cells, total, strength):
    sizes = _cell_sizes(rng, cells, total)
    members, placements = [], []
    card = 10_000_000
    for cell, count in zip(cells, sizes, strict=True):
        for position in range(count):
            gender = "M" if rng.random() < 0.58 else "F"
            born = datetime.date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28))
            admitted = datetime.date(min(born.year + rng.randint(20, 30), 2022), rng.randint(1, 12), rng.randint(1, 28))
            card += 1
            member = Member(
                full_name=names.person(gender),
                gender=gender,
                date_of_birth=born,
                card_number=str(card),
                admitted_on=admitted,
                official_on=admitted + datetime.timedelta(days=365),
                is_secretary=position == 0,
                is_deputy_secretary=position == 1,
                is_committee_member=position < 3,
                is_leader=position < 2 or rng.random() < 0.08,
                is_unit_head=position == 0,
                is_direct_worker=cell.unit_type == UnitType.ENTERPRISE and rng.random() < 0.4,
                exempted_since=datetime.date(2023, 1, 1) if born.year < 1967 and rng.random() < 0.5 else None,
            )
            members.append(member)
            placements.append((member, cell, admitted))
    Member.objects.bulk_create(members, batch_size=2000)

    memberships = []
    for member, cell, admitted in placements:
        start = max(admitted, datetime.date(2010, 1, 1))
        if rng.random() < 0.03 and start < datetime.date(2021, 1, 1):
            # Transferred in mid-2022 from another cell: the history keeps both.
            previous = rng.choice(cells)
            if previous.pk != cell.pk:
                memberships.append(
                    Membership(member=member, cell=previous, start_date=start, end_date=datetime.date(2022, 6, 30))
                )
                start = datetime.date(2022, 7, 1)
        memberships.append(Membership(member=member, cell=cell, start_date=start))
    Membership.objects.bulk_create(memberships, batch_size=2000)
    return members


def _mass_organizations(rng, cells, strength):
    mass = []
    for cell in cells:
        kinds = [
            MassOrganizationKind.TRADE_UNION,
            MassOrganizationKind.YOUTH_UNION,
            MassOrganizationKind.WOMEN_UNION,
            MassOrganizationKind.VETERANS,
        ]
        how_many = _weighted(rng, [(0, 12), (1, 30), (2, 35), (3, 18), (4, 5)])
        if _perfect(strength[cell.pk]):
            how_many = max(how_many, 2)  # a model cell leads its unions [000 §II.1(3)]
        for kind in kinds[:how_many]:
            label = MassOrganizationKind(kind).label
            mass.append(MassOrganization(cell=cell, kind=kind, name=f"{label} {cell.name.removeprefix('Chi bộ ')}"))
    MassOrganization.objects.bulk_create(mass, batch_size=2000)


def _ratings(rng, organizations, strength):
    ratings = []
    recorded = datetime.datetime(2026, 1, 15, 9, 0, tzinfo=datetime.UTC)
    for org in organizations:
        for year, level in _organization_levels(rng, org, strength[org.pk]).items():
            ratings.append(Rating(organization=org, year=year, level=level, recorded_at=recorded))
    placements = Membership.objects.filter(end_date__isnull=True).values_list("member_id", "cell_id")
    for member_id, cell_id in placements.iterator(chunk_size=5000):
        for year in RATING_YEARS:
            ratings.append(
                Rating(
                    member_id=member_id, year=year, level=_member_rating(rng, strength[cell_id]), recorded_at=recorded
                )
            )
        if len(ratings) > 20000:
            Rating.objects.bulk_create(ratings, batch_size=5000)
            ratings = []
    by_pk = {org.pk: org for org in organizations}
    seen = {}
    for mass_id, cell_id in MassOrganization.objects.order_by("pk").values_list("pk", "cell_id"):
        profile = strength[cell_id]
        index = seen[cell_id] = seen.get(cell_id, -1) + 1
        near_g3 = profile == "near" and near_miss_kind(by_pk[cell_id]) == "mass_org" and index == 0
        for year in RATING_YEARS:
            if _perfect(profile):
                # At least half EXCELLENT, none below GOOD [000 §II.1(3)]; the first union of a
                # "mass_org" near miss slips to PASS in one year.
                level = RatingLevel.EXCELLENT if index % 2 == 0 or rng.random() < 0.5 else RatingLevel.GOOD
                if near_g3 and year in NEAR_MISS_YEARS:
                    level = RatingLevel.PASS
            else:
                level = _weighted(
                    rng,
                    [
                        (RatingLevel.EXCELLENT, 55 if profile == "strong" else 35),
                        (RatingLevel.GOOD, 55),
                        (RatingLevel.PASS, 8),
                    ],
                )
            ratings.append(Rating(mass_organization_id=mass_id, year=year, level=level, recorded_at=recorded))
    Rating.objects.bulk_create(ratings, batch_size=5000)


def _attestations(rng, cells, strength):
    """Members' yearly attestations and the cells' type-specific criteria [000 §II.1(4)–(7), §II.2; 002 §II.1.4].

    In a model cell everyone meets everything every year; a "handbook" near miss has one member
    without a handbook every year. Elsewhere a cell-year is clean on the four-goods fields
    with a profile's probability, or because its grassroots committee ran a tight year
    (COMMITTEE_TIGHT_SHARE), and the model-cell-only fields lapse now and then.
    """
    perfect_members = set()
    for member_id, cell_id in Membership.objects.values_list("member_id", "cell_id"):
        if _perfect(strength.get(cell_id, "normal")):
            perfect_members.add(member_id)
    near_handbook = {}
    for cell in cells:
        if strength[cell.pk] == "near" and near_miss_kind(cell) == "handbook":
            near_handbook[cell.pk] = None
    committee_of = {
        cell.pk: int(cell.path.split(".")[2]) for cell in cells if cell.kind == OrganizationKind.SUBORDINATE_CELL
    }
    committees = sorted(set(committee_of.values()))
    tight = {
        (committee, year): True
        for year in ATTESTATION_YEARS
        for committee in rng.sample(committees, round(len(committees) * COMMITTEE_TIGHT_SHARE))
    }
    clean = {
        (cell.pk, year): tight.get((committee_of.get(cell.pk), year), False)
        or rng.random() < FOUR_GOODS_CLEAN.get(strength[cell.pk], 1.0)
        for cell in cells
        for year in ATTESTATION_YEARS
    }
    attestations = []
    placements = Membership.objects.filter(end_date__isnull=True).order_by("pk").values_list("member_id", "cell_id")
    for member_id, cell_id in placements.iterator(chunk_size=5000):
        perfect = member_id in perfect_members
        if cell_id in near_handbook and near_handbook[cell_id] is None and member_id in perfect_members:
            near_handbook[cell_id] = member_id
        for year in ATTESTATION_YEARS:
            fg_clean = perfect or clean[(cell_id, year)]

            def flag(p_ok, sure=perfect):
                return sure or rng.random() < p_ok

            handbook = flag(0.97)
            if near_handbook.get(cell_id) == member_id and year in NEAR_MISS_YEARS:
                handbook = False
            attestations.append(
                MemberAttestation(
                    member_id=member_id,
                    year=year,
                    uses_handbook=handbook,
                    good_example=GoodExampleRating.GOOD if flag(0.9) else GoodExampleRating.FAIR,
                    signed_commitment=flag(0.99),
                    no_degradation=flag(0.995, fg_clean),
                    cultural_family=flag(0.97),
                    residence_exemplary=flag(0.97, fg_clean),
                    dues_paid=flag(0.99, fg_clean),
                    politically_steadfast=flag(0.999, fg_clean),
                    four_good_examples=flag(0.93, fg_clean),
                )
            )
        if len(attestations) > 20000:
            MemberAttestation.objects.bulk_create(attestations, batch_size=5000)
            attestations = []
    MemberAttestation.objects.bulk_create(attestations, batch_size=5000)

    records = []
    for cell in cells:
        profile = strength[cell.pk]
        for year in ATTESTATION_YEARS:
            for code in UNIT_CRITERIA_BY_TYPE[cell.unit_type]:
                if code in ("A3", "S3") and cell.pk % 4 == 0:
                    status = AttestationStatus.NOT_APPLICABLE
                elif _perfect(profile) or rng.random() < (0.95 if profile == "strong" else 0.9):
                    status = AttestationStatus.MET
                else:
                    status = AttestationStatus.NOT_MET
                records.append(UnitAttestation(organization=cell, year=year, criterion=code, status=status))
    UnitAttestation.objects.bulk_create(records, batch_size=5000)

    # A handful of disciplinary records, so that the "no member disciplined" rules have cases.
    weak_cells = [cell for cell in cells if strength[cell.pk] == "weak"][:10]
    disciplined = []
    for cell in weak_cells:
        member_id = (
            Membership.objects.filter(cell=cell, end_date__isnull=True).values_list("member_id", flat=True).first()
        )
        if member_id:
            disciplined.append(
                DisciplinaryRecord(
                    member_id=member_id,
                    date=datetime.date(2024, rng.randint(1, 12), rng.randint(1, 28)),
                    form=DisciplinaryRecord.Form.REPRIMAND,
                    reason="Vi phạm quy định về chế độ báo cáo, sinh hoạt đảng.",
                )
            )
    DisciplinaryRecord.objects.bulk_create(disciplined)


def create_demo_users(province, block, committees, cells):
    """One demo login per role (password DEMO_PASSWORD), appointed where that role sits."""
    User = get_user_model()
    first_sub = next(cell for cell in cells if cell.kind == OrganizationKind.SUBORDINATE_CELL)
    first_committee = Organization.objects.get(pk=first_sub.parent_id)
    if first_committee.kind != OrganizationKind.GRASSROOTS_COMMITTEE:
        first_committee = first_committee.grassroots()
    targets = {
        "first_subordinate_cell": first_sub,
        "first_grassroots_cell": next(cell for cell in cells if cell.kind == OrganizationKind.GRASSROOTS_CELL),
        "first_committee": first_committee,
        "block": block,
        "root": province,
    }
    full_names = {
        "bithu": "Nguyễn Thị Hồng",
        "bithu2": "Lò Văn Thắng",
        "dangu": "Phạm Minh Tuấn",
        "bantochuc": "Hoàng Thu Trang",
        "bantuyengiao": "Đỗ Quang Vinh",
        "thuongvu": "Trần Đức Long",
        "dusinhhoat": "Vũ Ngọc Ánh",
        "quantri": "Quản trị hệ thống",
    }
    for username, role, where in DEMO_USERS:
        family, _, given = full_names[username].rpartition(" ")
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            first_name=given,
            last_name=family,
            email=f"{username}@example.vn",
            is_staff=role in (Role.SYSTEM_ADMIN, Role.ORGANIZATION_BOARD, Role.GRASSROOTS_STAFF),
        )
        Appointment.objects.create(user=user, organization=targets[where], role=role)


def demo_logins():
    """(username, password, role label, organization name) of every demo user that exists."""
    rows = []
    for username, role, _where in DEMO_USERS:
        for appointment in Appointment.objects.filter(user__username=username, role=role).select_related(
            "organization"
        ):
            rows.append((username, DEMO_PASSWORD, Role(role).label, appointment.organization.name))
    return rows
