from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from registry.scoping import APPRAISE_BOARD, APPRAISE_GRASSROOTS, DECIDE, REGISTER, can_anywhere

# The task this app's entries belong to: the menu groups entries under it (issue 11).
GROUP = _lazy("Đăng ký và công nhận")


def items(request):
    """Navigation entries of this app for the signed-in user: [{"url": ..., "label": ...}]."""
    user = request.user
    entries = []
    if can_anywhere(user, REGISTER) or can_anywhere(user, APPRAISE_BOARD) or can_anywhere(user, DECIDE):
        entries.append(
            {"url": reverse("recognition:registration_list"), "label": _("Đăng ký công nhận"), "group": GROUP}
        )
    if can_anywhere(user, APPRAISE_GRASSROOTS) or can_anywhere(user, APPRAISE_BOARD) or can_anywhere(user, DECIDE):
        entries.append({"url": reverse("recognition:review_queue"), "label": _("Thẩm định"), "group": GROUP})
    if can_anywhere(user, DECIDE):
        entries.append(
            {"url": reverse("recognition:conference_list"), "label": _("Hội nghị Ban Thường vụ"), "group": GROUP}
        )
        entries.append(
            {"url": reverse("recognition:recognition_lists"), "label": _("Danh sách công nhận"), "group": GROUP}
        )
    entries.append({"url": reverse("recognition:decision_list"), "label": _("Quyết định"), "group": GROUP})
    return entries
