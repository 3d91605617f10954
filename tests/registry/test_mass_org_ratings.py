"""Ratings of the mass organizations of a cell's unit [000 §II.1(3)]: page, API, import.

One rating per subject per year (SCHEMES §0). Written with EDIT_REGISTRY held for the mass
organization's cell (registry/scoping.py ROLE_CAPABILITIES: the cell's secretary, grassroots
staff above it, org-board staff); VIEW alone reads.
"""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from registry.models import Rating, RatingLevel
from registry.signals import facts_changed
from tests.factories import MassOrganizationFactory

YEAR = 2024


@pytest.fixture
def signals():
    sent = []

    def receive(sender, organization_ids=(), member_ids=(), year=None, **kwargs):
        sent.append((sender, sorted(organization_ids), sorted(member_ids), year))

    facts_changed.connect(receive, dispatch_uid="test-mass-org-ratings")
    yield sent
    facts_changed.disconnect(dispatch_uid="test-mass-org-ratings")


def _url(cell, year=YEAR):
    return reverse("criteria:facts_mass_orgs", kwargs={"pk": cell.pk, "year": year})


def test_the_secretary_rates_her_cells_mass_organizations_once_a_year(client, tree, users, signals):
    union = MassOrganizationFactory(cell=tree.cell_a1, name="Công đoàn Phòng Ngân sách")
    youth = MassOrganizationFactory(cell=tree.cell_a1, kind="youth", name="Chi đoàn Phòng Ngân sách")
    client.force_login(users.secretary_a1)
    page = client.get(_url(tree.cell_a1)).content.decode()
    assert union.name in page and youth.name in page

    response = client.post(_url(tree.cell_a1), {f"mass_org_{union.pk}": RatingLevel.GOOD})
    assert response.status_code == 302
    rating = Rating.objects.get(mass_organization=union, year=YEAR)
    assert rating.level == RatingLevel.GOOD and rating.recorded_by == users.secretary_a1
    assert not Rating.objects.filter(mass_organization=youth).exists()
    assert signals == [(Rating, [tree.cell_a1.pk], [], YEAR)]

    # Already rated: shown, not offered again; a posted value for it writes nothing.
    client.post(_url(tree.cell_a1), {f"mass_org_{union.pk}": RatingLevel.EXCELLENT})
    assert Rating.objects.get(mass_organization=union, year=YEAR).level == RatingLevel.GOOD


def test_another_cells_mass_organizations_answer_404(client, tree, users):
    theirs = MassOrganizationFactory(cell=tree.cell_b)
    client.force_login(users.secretary_a1)
    assert client.get(_url(tree.cell_b)).status_code == 404
    assert client.post(_url(tree.cell_b), {f"mass_org_{theirs.pk}": RatingLevel.GOOD}).status_code == 404
    client.force_login(users.propaganda_board)  # VIEW only
    assert client.get(_url(tree.cell_b)).status_code == 200
    assert client.post(_url(tree.cell_b), {f"mass_org_{theirs.pk}": RatingLevel.GOOD}).status_code == 404
    assert not Rating.objects.exists()


def test_api_rates_a_mass_organization_inside_the_scope_only(tree, users, signals):
    mine = MassOrganizationFactory(cell=tree.cell_a1)
    theirs = MassOrganizationFactory(cell=tree.cell_b)
    api = APIClient()
    api.force_authenticate(users.secretary_a1)
    url = reverse("rating-list")
    ok = api.post(url, {"mass_organization": mine.pk, "year": YEAR, "level": RatingLevel.PASS}, format="json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["subject"] == "mass_organization"
    assert signals[-1] == (Rating, [tree.cell_a1.pk], [], YEAR)
    outside = api.post(url, {"mass_organization": theirs.pk, "year": YEAR, "level": "GOOD"}, format="json")
    missing = api.post(url, {"mass_organization": 987654321, "year": YEAR, "level": "GOOD"}, format="json")
    assert outside.status_code == missing.status_code == 400
    assert not Rating.objects.filter(mass_organization=theirs).exists()
    both = api.post(
        url,
        {"mass_organization": mine.pk, "organization": tree.cell_a1.pk, "year": 2023, "level": "GOOD"},
        format="json",
    )
    assert both.status_code == 400 and "đúng một đối tượng" in str(both.json())
    listed = api.get(reverse("mass-organization-list")).json()["results"]
    assert [m["id"] for m in listed] == [mine.pk]
    assert api.get(reverse("mass-organization-detail", kwargs={"pk": theirs.pk})).status_code == 404


def _xlsx(rows):
    book = openpyxl.Workbook()
    book.active.append(["Mã số đoàn thể", "Năm", "Xếp loại"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("doan-the.xlsx", buffer.getvalue())


def test_import_is_all_or_nothing_and_scoped(client, tree, users, signals):
    mine = MassOrganizationFactory(cell=tree.cell_a1)
    theirs = MassOrganizationFactory(cell=tree.cell_b)
    client.force_login(users.secretary_a1)
    url = reverse("criteria:facts_import")
    page = client.post(
        url, {"kind": "mass_org_ratings", "file": _xlsx([[mine.pk, YEAR, "HTTNV"], [theirs.pk, YEAR, "HTTNV"]])}
    )
    assert [(p.row, p.column) for p in page.context["report"].problems] == [(3, "Mã số đoàn thể")]
    assert not Rating.objects.exists()
    assert signals == []

    assert client.post(url, {"kind": "mass_org_ratings", "file": _xlsx([[mine.pk, YEAR, "HTXSNV"]])}).status_code == 302
    assert Rating.objects.get(mass_organization=mine, year=YEAR).level == RatingLevel.EXCELLENT
    assert signals == [(Rating, [tree.cell_a1.pk], [], YEAR)]
    # A second rating of the same year: the row is refused, nothing written (SCHEMES §0).
    page = client.post(url, {"kind": "mass_org_ratings", "file": _xlsx([[mine.pk, YEAR, "HTNV"]])})
    assert [p.row for p in page.context["report"].problems] == [2]
    assert Rating.objects.get(mass_organization=mine, year=YEAR).level == RatingLevel.EXCELLENT
