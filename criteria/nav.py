from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from registry.scoping import can_anywhere

# The task this app's entries belong to: the menu groups entries under it (issue 11).
GROUP = _lazy("Tiêu chí và chỉ tiêu")


def items(request):
    """Navigation entries of this app for the signed-in user: [{"url": ..., "label": ...}]."""
    if not request.user.is_authenticated or not can_anywhere(request.user, "view"):
        return []
    return [
        {"url": reverse("criteria:ranking"), "label": _("Đối chiếu tiêu chí"), "group": GROUP},
        {"url": reverse("criteria:dashboard"), "label": _("Chỉ tiêu toàn khối"), "group": GROUP},
    ]
