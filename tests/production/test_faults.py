"""Faults (issue 6): the database or the broker failing in the middle of real work.

- Redis down: saving a meeting, a four-goods self-assessment and a recognition (a
  transition whose follow-up task renders the decision PDF) still work, and the PDF is
  not lost.
- PostgreSQL restarted during a batch of decision PDFs: simulated by the database
  error the batch sees (django.db.OperationalError, as psycopg2 raises when the server
  restarts) at the second PDF; running the task again finishes the batch and no
  decision number is issued twice.
- A failure in the middle of an import or of a bulk decision leaves nothing half-written.
"""

import datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError

from recognition import services as recognition
from recognition.models import Decision, GenerationState, Registration, State
from recognition.services import conferences as conference_services
from recognition.services import decisions as decision_services
from registry import imports as registry_imports
from registry import outbox
from registry.models import Member, Membership, PendingTask
from tests.evaluations.factories import file_meeting, members_on
from tests.factories import OrganizationFactory
from tests.recognition.conftest import OVERRIDE_REASON, advance, make_plan

from .conftest import free_port


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fail_on_call(original, number, error=None):
    """A stand-in for `original` that raises `error` on its `number`-th call (1-based)."""
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == number:
            raise error or OperationalError("server closed the connection unexpectedly")
        return original(*args, **kwargs)

    return wrapper


@pytest.fixture
def plans(tree):
    from criteria.models import Scheme

    return {scheme: make_plan(scheme, tree.block) for scheme in (Scheme.FOUR_GOODS, Scheme.MODEL_CELL)}


@pytest.fixture
def conference_with_three(tree, users, plans):
    """Three grassroots cells recognized "four goods" 2024 at one standing-committee conference."""
    cells = [tree.cell_b] + [OrganizationFactory(name=f"Chi bộ Trường THPT số {i}", parent=tree.block) for i in (1, 2)]
    registrations = []
    for cell in cells:
        registration = recognition.registration_create(
            user=users.admin, plan=plans["four_goods"], year=2024, organization=cell
        )
        registrations.append(advance(registration, State.APPRAISED_BOARD, users.admin))
    conference = recognition.conference_create(
        user=users.standing,
        authority=tree.block,
        plan=plans["four_goods"],
        year=2024,
        held_on=datetime.date(2025, 2, 14),
    )
    # No facts in this tree: the verdicts are "not eligible", so each recognition carries its reason (issue 12).
    done, errors = recognition.conference_decide(
        conference=conference,
        user=users.standing,
        recognize=registrations,
        overrides={r.pk: OVERRIDE_REASON for r in registrations},
    )
    assert (len(done), errors) == (3, [])
    return conference


def numbers():
    return sorted(Decision.objects.values_list("number", flat=True))


# --- Redis down ------------------------------------------------------------------------------


@pytest.fixture
def broker_down(celery_on):
    """Celery on a Redis URL where nothing listens, not eager: every send is refused."""
    return celery_on(f"redis://127.0.0.1:{free_port()}/0")


@pytest.mark.django_db
def test_with_redis_down_a_meeting_and_a_self_assessment_are_saved(tree, users, broker_down):
    from evaluations import services as evaluations

    members = members_on(tree.cell_a1, 3)
    meeting = file_meeting(users.secretary_a1, tree.cell_a1, members, datetime.date(2025, 3, 12))
    assert meeting.pk and meeting.attendances.count() == 3
    assessment = evaluations.four_goods_save(
        user=users.secretary_a1,
        organization=tree.cell_a1,
        year=2025,
        month=3,
        points={"FG1": 25, "FG2": 25, "FG3": 22, "FG4": 20},
        achieved={"FG1": True, "FG2": True, "FG3": True, "FG4": True},
        today=datetime.date(2025, 12, 1),
    )
    assert assessment.pk and assessment.passed


@pytest.mark.django_db
def test_with_redis_down_a_recognition_is_saved_and_its_decision_pdf_is_not_lost(
    tree, users, plans, broker_down, celery_on, django_capture_on_commit_callbacks
):
    registration = recognition.registration_create(
        user=users.admin, plan=plans["model_cell"], year=2025, organization=tree.cell_b
    )
    advance(registration, State.APPRAISED_BOARD, users.admin)
    with django_capture_on_commit_callbacks(execute=True):
        recognition.registration_recognize(
            registration=registration,
            user=users.standing,
            issued_on=datetime.date(2025, 3, 20),
            override_reason=OVERRIDE_REASON,
        )
    registration.refresh_from_db()
    assert registration.state == State.RECOGNIZED
    decision = registration.decision
    assert decision.number == 1
    assert not decision.pdf
    pending = PendingTask.objects.get(task_name="recognition.tasks.render_decision_pdf")
    assert outbox.broker_was_unavailable(pending), "the task waits for the broker instead of being lost"

    # Redis is back: beat's flush sends the waiting task and the PDF appears, numbered once.
    # (The plans' creation above also left its restating tasks waiting: everything waiting is sent.)
    celery_on("memory://", eager=True)
    waiting = PendingTask.objects.filter(sent_at__isnull=True).count()
    assert outbox.flush() == waiting
    pending.refresh_from_db()
    assert pending.sent_at is not None
    decision.refresh_from_db()
    assert decision.pdf and numbers() == [1]


# --- PostgreSQL restarted during a batch of decision PDFs ----------------------------------------


@pytest.mark.django_db
def test_the_pdf_batch_task_retries_by_itself_after_a_database_error(conference_with_three, users):
    from recognition.tasks import generate_conference_decisions

    conference = conference_with_three
    render = recognition.decision_render_pdf
    with mock.patch.object(conference_services, "decision_render_pdf", fail_on_call(render, 1)):
        result = generate_conference_decisions.apply(args=(conference.pk, users.standing.pk), throw=False)
    assert result.successful(), result.result
    conference.refresh_from_db()
    assert conference.generation_state == GenerationState.DONE
    assert numbers() == [1], "the retry issued no second number"
    assert Decision.objects.get().pdf


@pytest.mark.django_db
def test_a_database_outage_longer_than_the_retries_issues_no_number_twice_and_a_rerun_finishes(
    conference_with_three, users, monkeypatch
):
    from celery import current_app

    from recognition.tasks import generate_conference_decisions

    monkeypatch.setitem(current_app.conf, "task_eager_propagates", False)
    monkeypatch.setattr(outbox.time, "sleep", lambda seconds: None)  # the waits between runs
    conference = conference_with_three
    down = OperationalError("could not connect to server: Connection refused")
    with mock.patch.object(conference_services, "decision_render_pdf", side_effect=down) as render:
        result = generate_conference_decisions.apply(args=(conference.pk, users.standing.pk), throw=False)
    assert result.failed()
    assert render.call_count == len(outbox.RETRY_WAITS) + 1, "the task ran again before giving up"
    conference.refresh_from_db()
    assert conference.generation_state == GenerationState.FAILED
    # The numbering committed before printing: one collective decision, one number, no PDF yet.
    assert numbers() == [1]
    assert not Decision.objects.get().pdf

    result = generate_conference_decisions.apply(args=(conference.pk, users.standing.pk), throw=False)  # PG is back
    assert result.successful(), result.result
    conference.refresh_from_db()
    assert conference.generation_state == GenerationState.DONE
    assert numbers() == [1], "the rerun issued no second number"
    assert all(d.pdf for d in Decision.objects.all())
    assert Registration.objects.filter(conference=conference, decision__isnull=True).count() == 0


@pytest.mark.django_db
def test_one_pdf_per_registration_batch_restarted_midway_keeps_numbers_unique_and_consecutive(
    conference_with_three, users
):
    conference = conference_with_three
    render = recognition.decision_render_pdf
    with (
        mock.patch.object(conference_services, "decision_render_pdf", fail_on_call(render, 2)),
        pytest.raises(OperationalError),
    ):
        recognition.conference_generate_decisions(conference=conference, user=users.standing, collective=False)
    assert numbers() == [1, 2, 3]
    assert Decision.objects.exclude(pdf="").count() == 1

    recognition.conference_generate_decisions(conference=conference, user=users.standing, collective=False)
    assert numbers() == [1, 2, 3]
    assert Decision.objects.filter(pdf="").count() == 0
    assert len({d.pdf.name for d in Decision.objects.all()}) == 3


# --- A failure in the middle leaves nothing half-written ----------------------------------------


@pytest.mark.django_db
def test_a_database_failure_in_the_middle_of_a_bulk_decision_issues_no_decision_and_no_number(
    conference_with_three, users
):
    conference = conference_with_three
    with (
        mock.patch.object(
            decision_services, "next_decision_number", fail_on_call(decision_services.next_decision_number, 2)
        ),
        pytest.raises(OperationalError),
    ):
        recognition.conference_generate_decisions(conference=conference, user=users.standing, collective=False)
    assert Decision.objects.count() == 0
    assert Registration.objects.filter(conference=conference, decision__isnull=False).count() == 0
    from recognition.models import DecisionCounter

    assert list(DecisionCounter.objects.values_list("last_number", flat=True)) in ([], [0])
    conference.refresh_from_db()
    assert conference.generation_state == GenerationState.FAILED

    recognition.conference_generate_decisions(conference=conference, user=users.standing, collective=False)
    assert numbers() == [1, 2, 3], "numbering starts again at 1: nothing was consumed by the failed run"


MEMBERS_CSV = (
    "Số thẻ đảng viên,Họ và tên,Giới tính,Ngày sinh,Ngày vào Đảng,Bí thư,Mã số chi bộ,Sinh hoạt từ ngày\n"
    "91000001,Nguyễn Văn An,Nam,12/3/1980,19/5/2010,Không,{cell},1/1/2024\n"
    "91000002,Trần Thị Bình,Nữ,2/9/1985,,Không,{cell},1/1/2024\n"
    "91000003,Lê Văn Cường,Nam,1/6/1990,,Không,{cell},1/1/2024\n"
)


@pytest.mark.django_db
def test_a_database_failure_in_the_middle_of_an_import_leaves_nothing_written(tree, users):
    upload = SimpleUploadedFile("dang-vien.csv", MEMBERS_CSV.format(cell=tree.cell_a1.pk).encode())
    with mock.patch.object(Member, "save", _save_failing_at(2)):
        report = registry_imports.registry_import(kind="members", uploaded_file=upload, user=users.secretary_a1)
    assert not report.ok
    assert not Member.objects.filter(card_number__startswith="9100000").exists()
    assert not Membership.objects.filter(member__card_number__startswith="9100000").exists()

    upload.seek(0)
    report = registry_imports.registry_import(kind="members", uploaded_file=upload, user=users.secretary_a1)
    assert report.ok, report.problems
    assert Member.objects.filter(card_number__startswith="9100000").count() == 3


_REAL_MEMBER_SAVE = Member.save


def _save_failing_at(number):
    calls = {"n": 0}

    def save(instance, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == number:
            raise OperationalError("server closed the connection unexpectedly")
        return _REAL_MEMBER_SAVE(instance, *args, **kwargs)

    return save
