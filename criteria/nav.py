from django.urls import reverse
from django.utils.translation import gettext as _

from registry.scoping import can_anywhere


def items(request):
    """Navigation entries of this app for the signed-in user: [{"url": ..., "label": ...}]."""
    if not request.user.is_authenticated or not can_anywhere(request.user, "view"):
        return []
    return [
        {"url": reverse("criteria:ranking"), "label": _("Đối chiếu tiêu chí")},
        {"url": reverse("criteria:dashboard"), "label": _("Chỉ tiêu toàn khối")},
    ]
