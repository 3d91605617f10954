"""Monthly reminders: secretaries whose meeting record or self-assessment is missing (issue 3).

Idempotent: one MonthlyReminder per organization, month and kind (a unique constraint), and a
notification and e-mail only when that reminder row is created.
"""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.formats import absolute_url
from registry.models import Appointment, Organization, OrganizationKind, Role

from .models import FourGoodsAssessment, Meeting, MonthlyReminder, Notification, ReminderKind
from .selectors import month_bounds, previous_month

RECIPIENT_ROLES = {
    True: [Role.CELL_SECRETARY],  # a cell: its secretary
    False: [Role.GRASSROOTS_STAFF],  # a grassroots committee: its staff
}


def reminder_day():
    return int(getattr(settings, "REMINDER_DAY_OF_MONTH", 5))


def missing_for_month(year, month):
    """{organization: [what is missing]} for the month, in four queries."""
    first, last = month_bounds(year, month)
    organizations = list(
        Organization.objects.active_on(last).filter(
            kind__in=[
                OrganizationKind.GRASSROOTS_CELL,
                OrganizationKind.SUBORDINATE_CELL,
                OrganizationKind.GRASSROOTS_COMMITTEE,
            ]
        )
    )
    with_meeting = set(
        Meeting.objects.regular().filter(date__range=(first, last)).values_list("cell_id", flat=True).distinct()
    )
    with_assessment = set(
        FourGoodsAssessment.objects.filter(year=year, month=month).values_list("organization_id", flat=True)
    )
    result = {}
    for org in organizations:
        missing = []
        if org.is_cell and org.pk not in with_meeting:
            missing.append("meeting")
        if org.pk not in with_assessment:
            missing.append("self_assessment")
        if missing:
            result[org] = missing
    return result


def send_monthly_reminders(today=None):
    """Notify after the configured day of the month about the past month; returns notifications sent."""
    today = today or timezone.localdate()
    if today.day < reminder_day():
        return 0
    year, month = previous_month(today)
    missing = missing_for_month(year, month)
    if not missing:
        return 0
    already = set(
        MonthlyReminder.objects.filter(
            year=year, month=month, kind=ReminderKind.MONTHLY_MISSING, organization__in=list(missing)
        ).values_list("organization_id", flat=True)
    )
    recipients = defaultdict(list)
    for appointment in Appointment.objects.filter(
        organization__in=[o for o in missing if o.pk not in already],
        role__in=[Role.CELL_SECRETARY, Role.GRASSROOTS_STAFF],
    ).select_related("user"):
        org_is_cell = appointment.organization.is_cell
        if appointment.role in RECIPIENT_ROLES[org_is_cell] and appointment.user.is_active:
            recipients[appointment.organization_id].append(appointment.user)
    sent = 0
    for org, items in missing.items():
        if org.pk in already:
            continue
        sent += _remind(org, year, month, items, recipients.get(org.pk, []))
    return sent


def _remind(org, year, month, items, users):
    labels = {
        "meeting": _("biên bản sinh hoạt chi bộ thường kỳ"),
        "self_assessment": _("tự đánh giá “bốn tốt” của tháng"),
    }
    title = _("Nhắc việc tháng %(m)d/%(y)d: %(org)s còn thiếu %(what)s") % {
        "m": month,
        "y": year,
        "org": org.name,
        "what": _(" và ").join(str(labels[i]) for i in items),
    }
    url = reverse("evaluations:cell", args=[org.pk]) if org.is_cell else reverse("evaluations:committee", args=[org.pk])
    try:
        with transaction.atomic():
            reminder = MonthlyReminder.objects.create(
                organization=org, year=year, month=month, kind=ReminderKind.MONTHLY_MISSING, missing=items
            )
            notifications = Notification.objects.bulk_create(
                Notification(user=user, organization=org, reminder=reminder, title=title, url=url) for user in users
            )
    except IntegrityError:  # another run got there first: never twice for the same month
        return 0
    link = absolute_url(url)  # the notification keeps the site path; an e-mail needs the full address
    for notification in notifications:
        email = notification.user.email
        if email:
            transaction.on_commit(
                lambda email=email: send_mail(
                    title,
                    _("%(title)s.\nVui lòng cập nhật trên cổng thông tin: %(url)s") % {"title": title, "url": link},
                    settings.DEFAULT_FROM_EMAIL,
                    [email],
                    fail_silently=True,
                )
            )
    return len(notifications)
