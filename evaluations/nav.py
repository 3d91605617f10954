"""Navigation entries of the monthly work, only what the user may use."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from registry.scoping import ATTEND, FILE_MONTHLY, LOCK_MONTH, MANAGE_PLANS, can_anywhere

from .models import Notification

# The task this app's entries belong to: the menu groups entries under it (issue 11).
GROUP = _lazy("Sinh hoạt hằng tháng")


def items(request):
    user = request.user
    entries = []
    if can_anywhere(user, FILE_MONTHLY) or can_anywhere(user, LOCK_MONTH):
        entries.append({"url": reverse("evaluations:home"), "label": _("Sinh hoạt chi bộ"), "group": GROUP})
    entries.append({"url": reverse("evaluations:calendar"), "label": _("Lịch sinh hoạt"), "group": GROUP})
    if can_anywhere(user, ATTEND):
        entries.append({"url": reverse("evaluations:attendee"), "label": _("Dự sinh hoạt"), "group": GROUP})
    if can_anywhere(user, LOCK_MONTH) or can_anywhere(user, MANAGE_PLANS):
        entries.append({"url": reverse("evaluations:assignments"), "label": _("Phân công dự họp"), "group": GROUP})
    unread = Notification.objects.for_user(user).unread().count()
    label = _("Thông báo") + (f" ({unread})" if unread else "")
    entries.append({"url": reverse("evaluations:notifications"), "label": label, "group": GROUP})
    return entries
