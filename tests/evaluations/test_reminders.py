"""Monthly reminders: after the configured day, secretaries of organizations missing last month's
meeting record or self-assessment get one notification and one e-mail, never twice (issue 3)."""

import datetime
import os
import time
import zoneinfo

import pytest
import time_machine

from evaluations import services
from evaluations.models import MonthlyReminder, Notification
from evaluations.tasks import monthly_reminders

from .factories import file_meeting, members_on

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
ALL = {"FG1": True, "FG2": True, "FG3": True, "FG4": True}
FULL = {"FG1": 25, "FG2": 25, "FG3": 25, "FG4": 25}


@pytest.fixture
def october(tree, users):
    """cell A1 filed everything for October 2025; cell B filed only its meeting; the rest nothing."""
    for user, address in ((users.secretary_a1, "a1"), (users.secretary_b, "b"), (users.committee_staff_a, "a")):
        user.email = f"{address}@example.vn"
        user.save()
    members = members_on(tree.cell_a1, 3)
    file_meeting(users.secretary_a1, tree.cell_a1, members, datetime.date(2025, 10, 8))
    services.four_goods_save(
        user=users.secretary_a1,
        organization=tree.cell_a1,
        year=2025,
        month=10,
        points=FULL,
        achieved=ALL,
        today=datetime.date(2025, 11, 1),
    )
    file_meeting(users.secretary_b, tree.cell_b, members_on(tree.cell_b, 3), datetime.date(2025, 10, 9))
    return users


@pytest.mark.django_db
def test_nothing_is_sent_before_the_configured_day(october, mailoutbox, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime.datetime(2025, 11, 4, 23, 0, tzinfo=HANOI), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert monthly_reminders.delay().get() == 0
    assert not Notification.objects.exists() and not mailoutbox


@pytest.mark.django_db
def test_the_day_of_the_month_is_a_setting(october, settings, mailoutbox):
    settings.REMINDER_DAY_OF_MONTH = 10
    with time_machine.travel(datetime.datetime(2025, 11, 9, 8, 0, tzinfo=HANOI), tick=False):
        assert monthly_reminders.delay().get() == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_running_twice_sends_one_notification_and_one_email_per_secretary_and_month(
    october, tree, mailoutbox, django_capture_on_commit_callbacks
):
    users = october
    with time_machine.travel(datetime.datetime(2025, 11, 5, 7, 0, tzinfo=HANOI), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = monthly_reminders.delay().get()
        with django_capture_on_commit_callbacks(execute=True):
            second = monthly_reminders.delay().get()
    assert (first, second) == (2, 0)
    # cell B lacks its self-assessment, committee A its own; cell A2 has no secretary but is recorded.
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["bithu_b", "canbo_a"]
    assert not Notification.objects.filter(user=users.secretary_a1).exists()
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.vn", "b@example.vn"]
    b_mail = next(m for m in mailoutbox if m.to == ["b@example.vn"])
    assert "tháng 10/2025" in b_mail.subject and "tự đánh giá" in b_mail.subject
    assert "biên bản" not in b_mail.subject
    assert set(MonthlyReminder.objects.values_list("organization__name", flat=True)) == {
        tree.cell_b.name,
        tree.cell_a2.name,
        tree.committee_a.name,
    }
    a2 = MonthlyReminder.objects.get(organization=tree.cell_a2)
    assert a2.missing == ["meeting", "self_assessment"]


@pytest.mark.django_db
def test_the_notifications_page_lists_them(october, client, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime.datetime(2025, 11, 6, 7, 0, tzinfo=HANOI), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            monthly_reminders.delay()
    client.force_login(october.secretary_b)
    page = client.get("/notifications/").content.decode()
    assert "Nhắc việc tháng 10/2025: Chi bộ Ban Dân tộc còn thiếu tự đánh giá" in page
    assert client.get("/api/notifications/").json()["count"] == 1


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: no real broker to go through")
@pytest.mark.django_db(transaction=True)
def test_the_reminder_task_goes_through_redis_and_a_real_worker(october, mailoutbox):
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    from config.celery import app

    def close_worker_connections(**kwargs):
        connections.close_all()  # the worker thread's own session, or the test database cannot be dropped

    assert app.conf.broker_url.startswith("redis://")
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    task_postrun.connect(close_worker_connections, weak=False)
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10):
            monthly_reminders.delay(today="2025-11-06")
            # Task results are not stored (CELERY_TASK_IGNORE_RESULT): wait for what the task writes.
            deadline = time.monotonic() + 30
            while (MonthlyReminder.objects.count(), Notification.objects.count()) != (
                3,
                2,
            ) and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        task_postrun.disconnect(close_worker_connections)
        app.conf.task_always_eager = eager
    assert Notification.objects.count() == 2
    assert MonthlyReminder.objects.count() == 3
