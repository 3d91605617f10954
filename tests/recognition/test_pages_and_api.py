"""Pages and REST API of the recognition workflow: scoped, thin over the services (SCHEMES §5)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from recognition import services
from recognition.models import Registration, State, SubjectKind

from .conftest import OVERRIDE_REASON, advance


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
def test_the_registrant_sees_state_and_next_step_of_own_registrations_only(tree, users, plans, client):
    mine = services.registration_create(
        user=users.secretary_a1, plan=plans.four_goods, year=2024, organization=tree.cell_a1
    )
    other = services.registration_create(
        user=users.secretary_b, plan=plans.four_goods, year=2024, organization=tree.cell_b
    )
    services.registration_submit(registration=mine, user=users.secretary_a1)
    client.force_login(users.secretary_a1)
    page = client.get(reverse("recognition:registration_list")).content.decode()
    assert f'data-registration="{mine.pk}"' in page and f'data-registration="{other.pk}"' not in page
    assert "Chờ đảng ủy cơ sở thẩm định" in page
    assert client.get(reverse("recognition:registration_detail", args=[other.pk])).status_code == 404


@pytest.mark.django_db
def test_a_secretary_creates_uploads_evidence_and_submits_through_the_pages(tree, users, plans, client):
    client.force_login(users.secretary_b)
    response = client.post(
        reverse("recognition:registration_create"),
        {"plan": plans.four_goods.pk, "year": 2024, "subject_kind": "organization", "organization": tree.cell_b.pk},
    )
    registration = Registration.objects.get()
    assert response.url == reverse("recognition:registration_detail", args=[registration.pk])
    client.post(
        reverse("recognition:evidence_upload", args=[registration.pk]),
        {"title": "Biên bản tự đánh giá", "file": SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 test")},
    )
    evidence = registration.evidence_files.get()
    client.post(reverse("recognition:registration_action", args=[registration.pk]), {"action": "submit"})
    registration.refresh_from_db()
    assert registration.state == State.SUBMITTED
    download = client.get(reverse("recognition:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200
    client.force_login(users.secretary_a1)
    assert client.get(reverse("recognition:evidence_download", args=[evidence.pk])).status_code == 404


@pytest.mark.django_db
def test_the_5s_refusal_is_shown_on_the_registration_form(tree, users, plans, client):
    client.force_login(users.committee_staff_a)
    response = client.post(
        reverse("recognition:registration_create"),
        {
            "plan": plans.exemplary.pk,
            "year": 2021,
            "subject_kind": "model",
            "organization": tree.committee_a.pk,
            "model_name": "5S văn phòng",
            "model_type": 12,
        },
    )
    assert response.status_code == 200
    assert "không được đăng ký mô hình loại (12)" in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_the_board_queue_shows_only_its_step_and_appraises_in_bulk(tree, users, plans, client):
    ready = [
        advance(
            services.registration_create(user=users.admin, plan=plans.four_goods, year=2024, organization=org),
            State.SUBMITTED,
            users.admin,
        )
        for org in (tree.cell_b, tree.cell_a1)
    ]
    client.force_login(users.org_board)
    page = client.get(reverse("recognition:review_queue")).content.decode()
    assert f'data-registration="{ready[0].pk}"' in page  # grassroots cell: the board's step
    assert f'data-registration="{ready[1].pk}"' not in page  # subordinate four-goods: committee A's
    client.post(
        reverse("recognition:review_queue"),
        {"action": "appraise_board", "ids": [ready[0].pk, ready[1].pk], "comment": "Đạt"},
    )
    states = {r.pk: r.state for r in Registration.objects.all()}
    assert states == {ready[0].pk: State.APPRAISED_BOARD, ready[1].pk: State.SUBMITTED}
    client.force_login(users.committee_staff_a)
    page = client.get(reverse("recognition:review_queue"), {"scheme": "four_goods"}).content.decode()
    assert f'data-registration="{ready[1].pk}"' in page


@pytest.mark.django_db
def test_the_api_carries_a_registration_through_its_transitions(tree, users, plans, api):
    api.force_authenticate(users.secretary_b)
    created = api.post(
        "/api/recognition/registrations/",
        {"plan": plans.four_goods.pk, "year": 2024, "organization": tree.cell_b.pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    move = f"/api/recognition/registrations/{pk}/transition/"
    assert api.post(move, {"action": "submit"}, format="json").json()["state"] == "submitted"
    forbidden = api.post(move, {"action": "appraise_board"}, format="json")
    assert forbidden.status_code == 403
    api.force_authenticate(users.org_board)
    assert api.post(move, {"action": "appraise_board"}).json()["state"] == "appraised_board"
    api.force_authenticate(users.standing)
    refused = api.post(move, {"action": "reject", "comment": ""}, format="json")
    assert refused.status_code == 400
    body = api.post(
        move, {"action": "recognize", "comment": "Đạt", "override_reason": OVERRIDE_REASON}, format="json"
    ).json()
    assert body["state"] == "recognized" and body["decision_number"] == "1-QĐ/ĐUK"
    assert [t["action"] for t in body["transitions"]] == ["submit", "appraise_board", "recognize"]
    decision_id = body["decision"]
    pdf = api.get(f"/api/recognition/decisions/{decision_id}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    api.force_authenticate(users.secretary_a1)
    assert api.get(f"/api/recognition/registrations/{pk}/").status_code == 404
    assert api.get(f"/api/recognition/decisions/{decision_id}/").status_code == 404
    assert api.get("/api/recognition/registrations/").json()["count"] == 0


@pytest.mark.django_db
def test_the_api_refuses_a_model_type_the_unit_may_not_hold(tree, users, plans, api):
    api.force_authenticate(users.committee_staff_a)
    response = api.post(
        "/api/recognition/registrations/",
        {
            "plan": plans.exemplary.pk,
            "year": 2021,
            "organization": tree.committee_a.pk,
            "subject_kind": SubjectKind.MODEL,
            "model_name": "5S",
            "model_type": 12,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "model_type" in response.json()


@pytest.mark.django_db
def test_registration_list_query_count_stays_bounded_with_many_rows(
    tree, users, plans, client, django_assert_max_num_queries
):
    from tests.factories import OrganizationFactory

    for i in range(20):
        org = OrganizationFactory(name=f"Chi bộ {i}", parent=tree.block)
        services.registration_create(user=users.admin, plan=plans.four_goods, year=2024, organization=org)
    client.force_login(users.standing)
    # session, user, appointments (scope), the list, plus a constant for guards per row's authority
    with django_assert_max_num_queries(12):
        response = client.get(reverse("recognition:registration_list"))
    assert response.content.decode().count("data-registration=") == 20


@pytest.mark.django_db
def test_navigation_shows_recognition_entries_by_role(tree, users, client):
    client.force_login(users.standing)
    page = client.get(reverse("recognition:decision_list")).content.decode()
    assert "Hội nghị Ban Thường vụ" in page
    client.force_login(users.secretary_b)
    page = client.get(reverse("recognition:decision_list")).content.decode()
    assert "Hội nghị Ban Thường vụ" not in page and "Đăng ký công nhận" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "name"),
    [
        ("standing", "conference_list"),
        ("standing", "recognition_lists"),
        ("standing", "quota_progress"),
        ("standing", "decision_list"),
        ("committee_staff_a", "model_cell_recheck"),
        ("committee_staff_a", "registration_bulk"),
        ("committee_staff_a", "registration_report"),
        ("org_board", "review_queue"),
        ("secretary_b", "registration_create"),
    ],
)
def test_every_recognition_page_opens_for_its_role(tree, users, plans, client, username, name):
    client.force_login(getattr(users, username))
    response = client.get(reverse(f"recognition:{name}"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_conference_page_is_not_found_outside_its_committee(tree, users, plans, client):
    conference = services.conference_create(
        user=users.standing, authority=tree.block, plan=plans.four_goods, year=2024, held_on=datetime.date(2025, 2, 1)
    )
    client.force_login(users.committee_staff_a)
    assert client.get(reverse("recognition:conference_detail", args=[conference.pk])).status_code == 404
    assert client.get(reverse("recognition:conference_status", args=[conference.pk])).status_code == 404


@pytest.mark.django_db
def test_the_recheck_page_lists_proposals_for_the_committee(tree, users, plans, client):
    registration = services.registration_create(
        user=users.admin, plan=plans.model_cell, year=2022, organization=tree.cell_a1
    )
    advance(registration, State.APPRAISED_BOARD, users.admin)
    client.force_login(users.committee_staff_a)
    response = client.post(
        reverse("recognition:model_cell_recheck"),
        {"committee": tree.committee_a.pk, "plan": plans.model_cell.pk, "year": 2023},
    )
    assert tree.cell_a1.name in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["registration", "decision", "conference", "modelcellrecheck"])
def test_the_admin_lists_open(tree, users, plans, admin_client, model):
    advance(
        services.registration_create(user=users.admin, plan=plans.four_goods, year=2024, organization=tree.cell_b),
        State.RECOGNIZED,
        users.admin,
    )
    assert admin_client.get(f"/admin/recognition/{model}/").status_code == 200
    if model == "registration":
        registration = Registration.objects.get()
        assert admin_client.get(f"/admin/recognition/registration/{registration.pk}/change/").status_code == 200


@pytest.mark.django_db
def test_a_transition_on_a_malformed_id_answers_404_not_500(tree, users, api):
    api.force_authenticate(users.admin)
    response = api.post("/api/recognition/registrations/null,null/transition/", {"action": "submit"}, format="json")
    assert response.status_code == 404
