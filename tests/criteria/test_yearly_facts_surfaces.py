"""The owners' surfaces of the yearly facts and nominations (issue 12): pages, API, import.

Who may write comes from the role table (registry/scoping.py ROLE_CAPABILITIES): EDIT_REGISTRY is
held by a cell secretary for her cell, by grassroots staff for their committee and everything under
it, by org-board staff above them; VIEW alone (propaganda board, standing committee) only reads.
The facts are those four-goods reads: FG1.1 "unit targets met" and FG1.2 "admissions against the
target" [002 §II.1.1; 000 §II.2.3(2)] report missing data while nothing is recorded (SCHEMES §3.1
part 1); nominations are [003 §II.2.2, last bullet].
"""

import datetime
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from criteria.engine import MISSING, NOT_MET, evaluate
from criteria.models import MemberNomination, OrganizationYear, Scheme
from criteria.services import organization_year_save
from registry.models import Membership
from registry.signals import facts_changed
from tests.factories import MemberFactory, MembershipFactory
from tests.registry.factories import roll

YEAR = 2024


def _facts_url(org, year=YEAR):
    return reverse("criteria:facts_year", kwargs={"pk": org.pk, "year": year})


def _nominations_url(cell, year=YEAR):
    return reverse("criteria:facts_nominations", kwargs={"pk": cell.pk, "year": year})


def _status(org, code, year=YEAR):
    result = evaluate([org], Scheme.FOUR_GOODS, year)[org.pk]
    return {c.code: c.status for c in result.criteria}[code]


FULL_FORM = {
    "admission_target": "2",
    "admitted_count": "3",
    "unit_targets_met": "yes",
    "committee_meetings": "",
    "congress_meetings": "",
    "organizations_disciplined": "0",
    "directive05_planned": "yes",
    "directive05_in_agenda": "no",
    "initiatives_commended": "",
    "note": "Báo cáo tổng kết năm 2024",
}


@pytest.fixture
def signals():
    """Every facts_changed sent during the test, as (sender, organization ids, member ids, year)."""
    sent = []

    def receive(sender, organization_ids=(), member_ids=(), year=None, **kwargs):
        sent.append((sender, sorted(organization_ids), sorted(member_ids), year))

    facts_changed.connect(receive, dispatch_uid="test-yearly-facts-surfaces")
    yield sent
    facts_changed.disconnect(dispatch_uid="test-yearly-facts-surfaces")


# --- pages ---------------------------------------------------------------------------------


def test_the_secretary_saves_her_cells_facts_and_they_reach_the_engine(client, tree, users, signals):
    cell = tree.cell_a1
    # Nothing recorded: FG1.1 and FG1.2 are missing data, never met (SCHEMES §3.1 part 1).
    assert _status(cell, "FG1.1") == MISSING
    assert _status(cell, "FG1.2") == MISSING

    client.force_login(users.secretary_a1)
    assert client.get(_facts_url(cell)).status_code == 200
    response = client.post(_facts_url(cell), FULL_FORM)
    assert response.status_code == 302

    facts = OrganizationYear.objects.get(organization=cell, year=YEAR)
    assert (facts.admission_target, facts.admitted_count, facts.unit_targets_met) == (2, 3, True)
    assert facts.directive05_in_agenda is False and facts.initiatives_commended is None
    assert facts.history.first().history_user == users.secretary_a1
    # 3 admitted against a target of 2, targets met: both criteria decided, no longer missing.
    assert _status(cell, "FG1.1") == "met"
    assert _status(cell, "FG1.2") == "met"
    assert signals == [(OrganizationYear, [cell.pk], [], YEAR)]


def test_blank_is_not_recorded_and_no_is_false(client, tree, users):
    cell = tree.cell_a1
    client.force_login(users.secretary_a1)
    client.post(_facts_url(cell), {**FULL_FORM, "unit_targets_met": "no", "admitted_count": ""})
    facts = OrganizationYear.objects.get(organization=cell, year=YEAR)
    assert facts.unit_targets_met is False and facts.admitted_count is None
    assert _status(cell, "FG1.1") == NOT_MET  # "Không": not met
    assert _status(cell, "FG1.2") == MISSING  # blank: not recorded

    client.post(_facts_url(cell), {**FULL_FORM, "unit_targets_met": ""})
    facts.refresh_from_db()
    assert facts.unit_targets_met is None
    assert _status(cell, "FG1.1") == MISSING
    page = client.get(_facts_url(cell)).content.decode()
    assert "Chưa ghi nhận" in page and "§II.2.3(2)" in page  # [000 §II.2.3(2)], by the plan's number
    assert not re.search(r"\[00\d ", page), "the help texts cite documents by number, never by seed file"


def test_another_cells_page_answers_404_for_the_secretary(client, tree, users):
    client.force_login(users.secretary_a1)
    for cell in (tree.cell_a2, tree.cell_b):
        assert client.get(_facts_url(cell)).status_code == 404
        assert client.post(_facts_url(cell), FULL_FORM).status_code == 404
        assert client.get(_nominations_url(cell)).status_code == 404
    assert not OrganizationYear.objects.exists()


def test_a_committees_facts_are_refused_to_the_secretary_and_allowed_to_grassroots_staff(client, tree, users):
    committee = tree.committee_a
    form = {**FULL_FORM, "committee_meetings": "12", "congress_meetings": "1"}
    client.force_login(users.secretary_a1)
    assert client.get(_facts_url(committee)).status_code == 404
    assert client.post(_facts_url(committee), form).status_code == 404
    assert not OrganizationYear.objects.exists()

    client.force_login(users.committee_staff_a)
    assert client.get(_facts_url(committee)).status_code == 200
    assert client.post(_facts_url(committee), form).status_code == 302
    assert OrganizationYear.objects.get(organization=committee, year=YEAR).committee_meetings == 12
    # ... and for the cells under the committee (the capability reaches down the tree).
    assert client.post(_facts_url(tree.cell_a1), FULL_FORM).status_code == 302
    # Outside the committee: cell B sits directly under the block.
    assert client.post(_facts_url(tree.cell_b), FULL_FORM).status_code == 404


def test_view_only_roles_read_but_do_not_write(client, tree, users):
    organization_year_save(user=users.admin, organization=tree.cell_a1, year=YEAR, values={"unit_targets_met": True})
    client.force_login(users.propaganda_board)  # VIEW without EDIT_REGISTRY
    page = client.get(_facts_url(tree.cell_a1))
    assert page.status_code == 200 and "Ghi số liệu năm" not in page.content.decode()
    assert client.post(_facts_url(tree.cell_a1), {**FULL_FORM, "unit_targets_met": "no"}).status_code == 404
    assert OrganizationYear.objects.get(organization=tree.cell_a1).unit_targets_met is True


def test_the_cell_page_links_the_yearly_facts(client, tree, users):
    client.force_login(users.secretary_a1)
    page = client.get(reverse("evaluations:cell", kwargs={"pk": tree.cell_a1.pk}) + f"?nam={YEAR}").content.decode()
    assert 'id="so-lieu-nam"' in page
    for url in (
        _facts_url(tree.cell_a1),
        _nominations_url(tree.cell_a1),
        reverse("criteria:facts_mass_orgs", kwargs={"pk": tree.cell_a1.pk, "year": YEAR}),
    ):
        assert url in page
    client.force_login(users.committee_staff_a)
    committee_page = client.get(reverse("evaluations:committee", kwargs={"pk": tree.committee_a.pk}) + f"?nam={YEAR}")
    assert _facts_url(tree.committee_a) in committee_page.content.decode()


# --- nominations -----------------------------------------------------------------------------


def test_nominations_one_row_per_member_on_the_roll_three_way(client, tree, users, signals):
    cell = tree.cell_a1
    stays, other = roll(cell, 2)
    moved = MemberFactory(full_name="Trần Đã Chuyển")
    Membership.objects.create(
        member=moved, cell=cell, start_date=datetime.date(2015, 1, 1), end_date=datetime.date(2023, 6, 30)
    )
    MembershipFactory(member=moved, cell=tree.cell_b, start_date=datetime.date(2023, 7, 1))
    client.force_login(users.secretary_a1)
    page = client.get(_nominations_url(cell)).content.decode()
    assert stays.full_name in page and other.full_name in page
    assert "Trần Đã Chuyển" not in page  # not on the roll today, and no longer the cell's to write

    data = {
        f"m{stays.pk}_nominated_by_grassroots": "yes",
        f"m{stays.pk}_trusted": "no",
        f"m{stays.pk}_confirmed_by_committee": "",
        f"m{other.pk}_nominated_by_grassroots": "",
        f"m{other.pk}_trusted": "",
        f"m{other.pk}_confirmed_by_committee": "",
    }
    assert client.post(_nominations_url(cell), data).status_code == 302
    saved = MemberNomination.objects.get(member=stays, year=YEAR)
    assert (saved.nominated_by_grassroots, saved.trusted, saved.confirmed_by_committee) == (True, False, None)
    blank = MemberNomination.objects.get(member=other, year=YEAR)
    assert (blank.nominated_by_grassroots, blank.trusted, blank.confirmed_by_committee) == (None, None, None)
    assert signals == [(MemberNomination, [cell.pk], sorted([stays.pk, other.pk]), YEAR)]


def test_the_nominations_page_does_not_grow_its_queries_with_the_roll(
    client, tree, users, django_assert_max_num_queries
):
    roll(tree.cell_a1, 3)
    client.force_login(users.secretary_a1)
    client.get(_nominations_url(tree.cell_a1))
    # session, user, appointments (scope), cell, members on roll, writable members, nominations,
    # plus the base template's queries: bounded, whatever the size of the roll.
    with django_assert_max_num_queries(20) as few:
        client.get(_nominations_url(tree.cell_a1))
    roll(tree.cell_a1, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(_nominations_url(tree.cell_a1)).status_code == 200


# --- API -------------------------------------------------------------------------------------


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_api_create_and_update_are_scoped(tree, users, signals):
    api = _api(users.secretary_a1)
    url = reverse("criteria-organization-year-list")
    created = api.post(url, {"organization": tree.cell_a1.pk, "year": YEAR, "unit_targets_met": False}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["unit_targets_met"] is False and created.json()["admitted_count"] is None
    assert signals[-1] == (OrganizationYear, [tree.cell_a1.pk], [], YEAR)

    # An organization outside the write scope answers exactly like one that does not exist.
    outside = api.post(url, {"organization": tree.cell_b.pk, "year": YEAR}, format="json")
    missing = api.post(url, {"organization": 987654321, "year": YEAR}, format="json")
    assert outside.status_code == missing.status_code == 400
    assert outside.json()["organization"] == [
        m.replace("987654321", str(tree.cell_b.pk)) for m in missing.json()["organization"]
    ]
    assert not OrganizationYear.objects.filter(organization=tree.cell_b).exists()

    # A second row for the same organization and year: 400 in Vietnamese.
    twice = api.post(url, {"organization": tree.cell_a1.pk, "year": YEAR}, format="json")
    assert twice.status_code == 400 and "đã có số liệu năm 2024" in twice.json()["year"][0]

    detail = reverse("criteria-organization-year-detail", kwargs={"pk": created.json()["id"]})
    changed = api.patch(detail, {"admission_target": 1, "admitted_count": 1}, format="json")
    assert changed.status_code == 200
    assert OrganizationYear.objects.get(pk=created.json()["id"]).admitted_count == 1

    # Someone else's stored row: 404, as for a missing one; nothing changes.
    foreign, _created = organization_year_save(
        user=users.admin, organization=tree.cell_b, year=YEAR, values={"unit_targets_met": True}
    )
    foreign_url = reverse("criteria-organization-year-detail", kwargs={"pk": foreign.pk})
    assert api.get(foreign_url).status_code == 404
    assert api.patch(foreign_url, {"unit_targets_met": False}, format="json").status_code == 404
    assert OrganizationYear.objects.get(pk=foreign.pk).unit_targets_met is True
    # Moving one's own row to another organization is refused, even inside the scope.
    moved = api.patch(detail, {"organization": tree.cell_b.pk}, format="json")
    assert moved.status_code == 400


def test_api_filters_by_organization_and_year(tree, users):
    for org, year in ((tree.cell_a1, 2023), (tree.cell_a1, 2024), (tree.cell_a2, 2024), (tree.cell_b, 2024)):
        organization_year_save(user=users.admin, organization=org, year=year, values={})
    api = _api(users.committee_staff_a)
    url = reverse("criteria-organization-year-list")
    everything = {(r["organization"], r["year"]) for r in api.get(url).json()["results"]}
    assert everything == {(tree.cell_a1.pk, 2023), (tree.cell_a1.pk, 2024), (tree.cell_a2.pk, 2024)}
    narrowed = api.get(url, {"organization": tree.cell_a1.pk, "year": 2024}).json()["results"]
    assert [(r["organization"], r["year"]) for r in narrowed] == [(tree.cell_a1.pk, 2024)]
    bad = api.get(url, {"organization": "abc"})
    assert bad.status_code == 400 and "Mã số không hợp lệ" in str(bad.json())


def test_api_nominations_only_for_members_on_the_users_roll(tree, users, signals):
    mine = roll(tree.cell_a1, 1)[0]
    theirs = roll(tree.cell_b, 1)[0]
    api = _api(users.secretary_a1)
    url = reverse("criteria-nomination-list")
    ok = api.post(url, {"member": mine.pk, "year": YEAR, "trusted": True}, format="json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["nominated_by_grassroots"] is None
    assert signals[-1] == (MemberNomination, [], [mine.pk], YEAR)
    refused = api.post(url, {"member": theirs.pk, "year": YEAR, "trusted": True}, format="json")
    assert refused.status_code == 400 and "member" in refused.json()
    assert not MemberNomination.objects.filter(member=theirs).exists()

    # The member moves to cell B: the old cell no longer writes their nomination (404).
    Membership.objects.filter(member=mine).update(end_date=datetime.date(2025, 1, 31))
    MembershipFactory(member=mine, cell=tree.cell_b, start_date=datetime.date(2025, 2, 1))
    detail = reverse("criteria-nomination-detail", kwargs={"pk": ok.json()["id"]})
    assert api.patch(detail, {"trusted": False}, format="json").status_code == 404
    assert MemberNomination.objects.get(pk=ok.json()["id"]).trusted is True


# --- import ----------------------------------------------------------------------------------


def _xlsx(headers, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("so-lieu.xlsx", buffer.getvalue())


HEADERS = [
    "Mã số tổ chức đảng",
    "Năm",
    "Chỉ tiêu kết nạp đảng viên",
    "Số đảng viên đã kết nạp",
    "Hoàn thành các chỉ tiêu, nhiệm vụ chính trị",
]


def test_the_template_has_vietnamese_headers(client, tree, users):
    client.force_login(users.secretary_a1)
    response = client.get(
        reverse("criteria:facts_import_template", kwargs={"kind": "organization_years", "file_format": "xlsx"})
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert headers[:5] == [
        "Mã số tổ chức đảng",
        "Tên tổ chức đảng",
        "Năm",
        "Chỉ tiêu kết nạp đảng viên",
        "Số đảng viên đã kết nạp",
    ]
    assert "Hoàn thành các chỉ tiêu, nhiệm vụ chính trị" in headers
    # The example row names an organization the secretary may write: her cell.
    assert [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))][0] == str(tree.cell_a1.pk)


def test_import_is_all_or_nothing_and_scoped(client, tree, users, signals):
    client.force_login(users.secretary_a1)
    url = reverse("criteria:facts_import")
    upload = _xlsx(HEADERS, [[tree.cell_a1.pk, YEAR, 2, 2, "Có"], [tree.cell_b.pk, YEAR, 1, 0, "Không"]])
    page = client.post(url, {"kind": "organization_years", "file": upload})
    assert page.status_code == 200
    problems = page.context["report"].problems
    assert [(p.row, p.column) for p in problems] == [(3, "Mã số tổ chức đảng")]
    assert "nằm ngoài phạm vi bạn phụ trách" in problems[0].message
    assert not OrganizationYear.objects.exists()  # the good row 2 was not written either

    upload = _xlsx(HEADERS, [[tree.cell_a1.pk, YEAR, 2, 2, "Có"], [tree.cell_a1.pk, 2023, 1, "", ""]])
    assert client.post(url, {"kind": "organization_years", "file": upload}).status_code == 302
    facts = {f.year: f for f in OrganizationYear.objects.filter(organization=tree.cell_a1)}
    assert facts[YEAR].unit_targets_met is True and facts[YEAR].admitted_count == 2
    assert facts[2023].admitted_count is None and facts[2023].unit_targets_met is None  # blank is not "Không"
    assert (OrganizationYear, [tree.cell_a1.pk], [], 2023) in signals
    assert _status(tree.cell_a1, "FG1.2") == "met"

    # The same organization and year again updates the row, never doubles it.
    upload = _xlsx(HEADERS, [[tree.cell_a1.pk, YEAR, 3, 2, "Có"]])
    assert client.post(url, {"kind": "organization_years", "file": upload}).status_code == 302
    assert OrganizationYear.objects.filter(organization=tree.cell_a1, year=YEAR).get().admission_target == 3
    assert _status(tree.cell_a1, "FG1.2") == NOT_MET


def test_import_of_nominations_refuses_a_member_of_another_cell(client, tree, users):
    mine = roll(tree.cell_a1, 1)[0]
    theirs = roll(tree.cell_b, 1)[0]
    client.force_login(users.secretary_a1)
    headers = [
        "Số thẻ đảng viên",
        "Năm",
        "Được cơ sở suy tôn, bình xét",
        "Được lãnh đạo và tập thể người lao động tín nhiệm",
    ]
    upload = _xlsx(headers, [[mine.card_number, YEAR, "Có", ""], [theirs.card_number, YEAR, "Có", "Có"]])
    page = client.post(reverse("criteria:facts_import"), {"kind": "nominations", "file": upload})
    assert [p.row for p in page.context["report"].problems] == [3]
    assert not MemberNomination.objects.exists()
    upload = _xlsx(headers, [[mine.card_number, YEAR, "Có", ""]])
    assert client.post(reverse("criteria:facts_import"), {"kind": "nominations", "file": upload}).status_code == 302
    saved = MemberNomination.objects.get(member=mine)
    assert (saved.nominated_by_grassroots, saved.trusted) == (True, None)


def test_the_import_page_is_only_for_those_who_edit(client, users):
    client.force_login(users.propaganda_board)
    assert client.get(reverse("criteria:facts_import")).status_code == 404
