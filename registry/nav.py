from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .scoping import EDIT_REGISTRY, can_anywhere

# The task this app's entries belong to: the menu groups entries under it (issue 11).
GROUP = _lazy("Tổ chức và đảng viên")


def items(request):
    """Navigation entries of this app for the signed-in user: [{"url": ..., "label": ...}]."""
    entries = [
        {"url": reverse("registry:tree"), "label": _("Tổ chức đảng"), "group": GROUP},
        {"url": reverse("registry:members"), "label": _("Đảng viên"), "group": GROUP},
    ]
    if can_anywhere(request.user, EDIT_REGISTRY):
        entries.append({"url": reverse("registry:import"), "label": _("Nhập dữ liệu"), "group": GROUP})
    return entries
