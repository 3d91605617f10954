"""Yearly ratings: one per subject per year, entered for a whole cell in one form (SCHEMES §0)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from registry.models import Rating, RatingLevel
from registry.services import excellent_cap

from ..factories import RatingFactory
from .factories import roll

E, G, P = RatingLevel.EXCELLENT, RatingLevel.GOOD, RatingLevel.PASS


@pytest.mark.parametrize(
    "levels, cap, exceeded",
    [
        ([G] * 10 + [E] * 2, 2, False),  # 20% of 10 GOOD = 2
        ([G] * 10 + [E] * 3, 2, True),
        ([G] * 14 + [E] * 2, 2, False),  # 2.8 rounds down to 2
        ([G] * 14 + [E] * 3, 2, True),
        ([G] * 4 + [E], 0, True),  # 0.8 rounds down to 0: no EXCELLENT allowed
        ([G] * 5 + [E] + [P] * 5, 1, False),  # PASS does not widen the base
        ([E] * 2, 0, True),  # EXCELLENT is not counted among GOOD
    ],
)
def test_the_excellent_cap_is_20_percent_of_good_rounded_down(levels, cap, exceeded):
    """SCHEMES §0: those rated EXCELLENT may not exceed 20% of those rated GOOD; cap = floor(0.2 × GOOD)."""
    result = excellent_cap(levels)
    assert (result.cap, result.exceeded) == (cap, exceeded)


@pytest.fixture
def secretary(client, users):
    client.force_login(users.secretary_a1)
    return client


@pytest.mark.django_db
def test_entry_form_keeps_typed_values_on_error_and_warns_about_the_excellent_cap(secretary, tree):
    members = roll(tree.cell_a1, 6)
    RatingFactory(member=members[0], year=2024, level=G)
    url = reverse("registry:rating_entry", args=[tree.cell_a1.pk, 2024])
    data = {
        f"member_{members[0].pk}": E,  # already rated: refused
        f"member_{members[1].pk}": E,
        f"member_{members[2].pk}": E,
        f"member_{members[3].pk}": P,
        f"member_{members[4].pk}": G,
        f"member_{members[5].pk}": G,
    }
    response = secretary.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "đã được xếp loại năm 2024; mỗi năm chỉ xếp loại một lần" in page
    form = response.context["form"]
    for member in members[1:]:
        assert form[form.field_name(member)].value() == data[f"member_{member.pk}"]
    assert '<option value="PASS" selected>' in page
    # 3 GOOD (one recorded, two typed) allow floor(0.6) = 0 EXCELLENT; 2 typed.
    assert response.context["cap"].exceeded
    assert "vượt quá 20% số được xếp loại" in page
    assert Rating.objects.filter(year=2024).count() == 1


@pytest.mark.django_db
def test_entry_form_records_all_members_at_once_and_warns_after_saving(secretary, users, tree):
    members = roll(tree.cell_a1, 3)
    url = reverse("registry:rating_entry", args=[tree.cell_a1.pk, 2024])
    response = secretary.post(url, {f"member_{m.pk}": level for m, level in zip(members, [E, G, G], strict=True)})
    assert response.status_code == 302
    assert {r.member_id: r.level for r in Rating.objects.filter(year=2024)} == {
        members[0].pk: E,
        members[1].pk: G,
        members[2].pk: G,
    }
    assert Rating.objects.filter(recorded_by=users.secretary_a1).count() == 3
    shown = [str(m) for m in secretary.get(response["Location"]).context["messages"]]
    assert any("vượt quá 20%" in m for m in shown)


@pytest.mark.django_db
def test_entry_form_shows_the_share_before_anything_is_typed(secretary, tree):
    members = roll(tree.cell_a1, 5)
    for member in members[:4]:
        RatingFactory(member=member, year=2023, level=G)
    response = secretary.get(reverse("registry:rating_entry", args=[tree.cell_a1.pk, 2023]))
    cap = response.context["cap"]
    assert (cap.good, cap.excellent, cap.cap, cap.exceeded) == (4, 0, 0, False)
    assert "làm tròn xuống" in response.content.decode()


@pytest.mark.django_db
def test_api_refuses_a_second_rating_for_the_same_subject_and_year(users, tree):
    (member,) = roll(tree.cell_a1, 1)
    api = APIClient()
    api.force_authenticate(users.secretary_a1)
    first = api.post(reverse("rating-list"), {"year": 2024, "level": G, "member": member.pk}, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["recorded_by"] == users.secretary_a1.username
    second = api.post(reverse("rating-list"), {"year": 2024, "level": E, "member": member.pk}, format="json")
    assert second.status_code == 400
    assert "Đảng viên này đã được xếp loại trong năm này." in str(second.json())
    cell_rating = {"year": 2024, "level": G, "organization": tree.cell_a1.pk}
    assert api.post(reverse("rating-list"), cell_rating, format="json").status_code == 201
    assert api.post(reverse("rating-list"), cell_rating, format="json").status_code == 400
    assert Rating.objects.count() == 2


@pytest.mark.django_db
def test_api_filters_ratings_by_year_level_and_subject(users, tree):
    a, b = roll(tree.cell_a1, 2)
    RatingFactory(member=a, year=2023, level=E)
    RatingFactory(member=b, year=2024, level=G)
    RatingFactory(organization=tree.cell_a1, year=2024, level=G)
    api = APIClient()
    api.force_authenticate(users.committee_staff_a)
    rows = api.get(reverse("rating-list"), {"year": 2024, "subject": "member"}).json()["results"]
    assert [(r["member"], r["level"]) for r in rows] == [(b.pk, G)]
    assert api.get(reverse("rating-list"), {"level": E}).json()["count"] == 1
