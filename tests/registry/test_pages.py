"""Registry pages in Vietnamese: tree, cell, member, member list, audit trail (issue 2)."""

import datetime

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.models import Member, OrganizationKind, RatingLevel

from ..factories import MemberFactory, MembershipFactory, OrganizationFactory, RatingFactory
from .factories import roll


@pytest.mark.django_db
def test_member_page_writes_dates_the_vietnamese_way(client, users, tree):
    member = MemberFactory(
        full_name="Trần Thị Hương", date_of_birth=datetime.date(1980, 3, 12), admitted_on=datetime.date(2022, 4, 25)
    )
    MembershipFactory(member=member, cell=tree.cell_a1, start_date=datetime.date(2019, 1, 5))
    client.force_login(users.secretary_a1)
    page = client.get(reverse("registry:member", args=[member.pk])).content.decode()
    assert "ngày 12 tháng 3 năm 1980" in page
    assert "ngày 25 tháng 4 năm 2022" in page
    assert "ngày 5 tháng 1 năm 2019" in page
    assert "Chi bộ Phòng Ngân sách" in page


@pytest.mark.django_db
def test_member_list_dates_are_short_vietnamese(client, users, tree):
    MembershipFactory(member=MemberFactory(date_of_birth=datetime.date(1984, 3, 5)), cell=tree.cell_a1)
    client.force_login(users.secretary_a1)
    assert "05/03/1984" in client.get(reverse("registry:members")).content.decode()


@pytest.mark.django_db
def test_tree_shows_one_level_with_counts_of_cells_and_members(client, users, tree):
    roll(tree.cell_a1, 3)
    roll(tree.cell_a2, 2)
    roll(tree.cell_b, 4)
    client.force_login(users.committee_staff_a)
    response = client.get(reverse("registry:tree"))
    level = response.context["level"]
    (top,) = level.page.object_list  # the committee is the top of what this user may see
    assert top.org == tree.committee_a and (top.cells, top.members) == (2, 5)
    page = response.content.decode()
    assert "2 chi bộ" in page and "5 đảng viên" in page and tree.cell_b.name not in page
    opened = client.get(reverse("registry:tree"), {"org": tree.committee_a.pk})
    assert [n.org for n in opened.context["level"].page.object_list] == [tree.cell_a1, tree.cell_a2]
    assert (opened.context["level"].cells, opened.context["level"].members) == (2, 5)
    assert client.get(reverse("registry:tree"), {"org": tree.block.pk}).status_code == 404  # above the scope


@pytest.mark.django_db
def test_tree_queries_do_not_grow_with_the_organizations_under_it(client, users, tree, monkeypatch):
    from registry import selectors

    client.force_login(users.org_board)

    def opened(page=1):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("registry:tree"), {"org": tree.block.pk, "page": page})
        assert response.status_code == 200
        return response.context["level"], len(ctx)

    _level, before = opened()
    for _ in range(30):
        committee = OrganizationFactory(kind=OrganizationKind.GRASSROOTS_COMMITTEE, parent=tree.block)
        roll(OrganizationFactory(kind=OrganizationKind.SUBORDINATE_CELL, parent=committee), 2)
    level, after = opened()
    assert after == before
    assert level.cells == 3 + 30 and level.members == 60  # every cell under the block, rolls of 2
    monkeypatch.setattr(selectors, "TREE_PAGE_SIZE", 10)
    last, _n = opened(page=4)  # 32 children (committee A, cell B, 30 new), 10 a page
    assert len(last.page.object_list) == 2 and last.page.paginator.num_pages == 4


@pytest.mark.django_db
def test_home_links_the_users_organizations(client, users, tree):
    client.force_login(users.secretary_a1)
    page = client.get(reverse("home")).content.decode()
    assert reverse("registry:cell", args=[tree.cell_a1.pk]) in page
    assert tree.cell_b.name not in page


@pytest.mark.django_db
def test_cell_page_shows_the_ratings_table_by_member_and_year(client, users, tree):
    member = roll(tree.cell_a1, 1)[0]
    year = datetime.date.today().year - 1
    RatingFactory(member=member, year=year, level=RatingLevel.EXCELLENT)
    RatingFactory(organization=tree.cell_a1, year=year, level=RatingLevel.GOOD)
    client.force_login(users.secretary_a1)
    response = client.get(reverse("registry:cell", args=[tree.cell_a1.pk]))
    page = response.content.decode()
    assert response.context["cell"] == tree.cell_a1
    ((shown, levels),) = response.context["page"].members
    assert shown == member and levels[-1] == RatingLevel.EXCELLENT
    assert "HTXSNV" in page and "Hoàn thành tốt nhiệm vụ" in page
    assert reverse("registry:rating_entry", args=[tree.cell_a1.pk, year]) in page


@pytest.mark.django_db
def test_audit_trail_shows_who_changed_what(client, users, tree):
    (member,) = roll(tree.cell_a1, 1)
    client.force_login(users.secretary_a1)
    client.post(reverse("registry:rating_entry", args=[tree.cell_a1.pk, 2024]), {f"member_{member.pk}": "GOOD"})
    cell_page = client.get(reverse("registry:cell", args=[tree.cell_a1.pk]))
    (entry,) = [e for e in cell_page.context["page"].audit if "Xếp loại năm 2024" in e.what]
    assert entry.who == users.secretary_a1.username and entry.action == "Thêm mới"

    users.admin.is_staff = True
    users.admin.save()
    client.force_login(users.admin)
    old_name = member.full_name
    member.full_name = "Tên mới"
    member._history_user = users.admin
    member.save()
    member_page = client.get(reverse("registry:member", args=[member.pk]))
    edit = member_page.context["page"].audit[0]
    assert edit.who == users.admin.username and edit.action == "Sửa"
    assert [(str(label), old, new) for label, old, new in edit.changes] == [("họ và tên", old_name, "Tên mới")]
    history = client.get(reverse("admin:registry_member_history", args=[member.pk]))
    assert history.status_code == 200 and "Tên mới" in history.content.decode()


@pytest.mark.django_db
def test_member_list_filters_sorts_and_pages(client, users, tree):
    roll(tree.cell_a1, 55)
    MembershipFactory(member=MemberFactory(full_name="Lò Văn Zếnh", is_secretary=True), cell=tree.cell_a2)
    client.force_login(users.committee_staff_a)
    first = client.get(reverse("registry:members"))
    assert first.context["page"].paginator.count == 56 and len(first.context["page"]) == 50
    second = client.get(reverse("registry:members"), {"page": 2, "sort": "-name"})
    assert len(second.context["page"]) == 6
    only = client.get(reverse("registry:members"), {"cell": tree.cell_a2.pk, "position": "is_secretary"})
    assert [m.full_name for m in only.context["page"]] == ["Lò Văn Zếnh"]
    found = client.get(reverse("registry:members"), {"q": "zếnh"})
    assert found.context["page"].paginator.count == 1
    export = client.get(reverse("registry:members"), {"q": "Zếnh", "export": "csv"}).content.decode("utf-8-sig")
    assert len(export.strip().splitlines()) == 2 and "Lò Văn Zếnh" in export


@pytest.mark.django_db
def test_import_page_is_not_offered_to_readers_only(client, users):
    client.force_login(users.standing)
    assert client.get(reverse("registry:import")).status_code == 404
    client.force_login(users.secretary_a1)
    assert client.get(reverse("registry:import")).status_code == 200


@pytest.mark.django_db
def test_include_if_exists_renders_a_panel_only_when_its_template_exists(tree):
    template = Template(
        '{% load registry_tags %}[{% include_if_exists "nope/_missing.html" %}]'
        '{% include_if_exists "registry/_audit.html" %}'
    )
    out = template.render(Context({"audit": [], "cell": tree.cell_a1}))
    assert out.startswith("[]")
    assert "Lịch sử thay đổi" in out


@pytest.mark.django_db
def test_api_lists_organizations_under_one_and_memberships_on_a_date(users, tree):
    from rest_framework.test import APIClient

    member = MemberFactory()
    MembershipFactory(
        member=member, cell=tree.cell_a1, start_date=datetime.date(2018, 1, 1), end_date=datetime.date(2022, 6, 30)
    )
    MembershipFactory(member=member, cell=tree.cell_a2, start_date=datetime.date(2022, 7, 1))
    api = APIClient()
    api.force_authenticate(users.standing)
    under = api.get(reverse("organization-list"), {"under": tree.committee_a.pk}).json()
    assert {o["id"] for o in under["results"]} == {tree.committee_a.pk, tree.cell_a1.pk, tree.cell_a2.pk}
    cells = api.get(reverse("organization-list"), {"kind": "sub_cell"}).json()
    assert cells["count"] == 2
    on = api.get(reverse("membership-list"), {"cell": tree.cell_a1.pk, "on": "2022-06-30"}).json()
    assert [m["member"] for m in on["results"]] == [member.pk]
    assert api.get(reverse("membership-list"), {"cell": tree.cell_a1.pk, "on": "2022-07-01"}).json()["count"] == 0
    assert Member.objects.count() == 1


def test_names_read_family_name_first_as_in_vietnamese():
    from django.contrib.auth.models import User

    from registry.formats import person_name

    assert person_name(User(username="thuongvu", first_name="Long", last_name="Trần Đức")) == "Trần Đức Long"
    assert person_name(User(username="thuongvu")) == "thuongvu"
