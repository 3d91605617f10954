"""Celery tasks of the monthly work (beat schedule in config/settings.py)."""

import datetime

from celery import shared_task

from .reminders import send_monthly_reminders


@shared_task(name="evaluations.send_monthly_reminders")
def monthly_reminders(today=None):
    """After REMINDER_DAY_OF_MONTH, remind secretaries of last month's missing records.

    `today` (ISO date) is for operators re-running a past day; the beat schedule passes nothing.
    """
    return send_monthly_reminders(datetime.date.fromisoformat(today) if today else None)
