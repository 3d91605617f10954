from django.urls import reverse
from django.utils.translation import gettext as _

from .scoping import EDIT_REGISTRY, can_anywhere


def items(request):
    """Navigation entries of this app for the signed-in user: [{"url": ..., "label": ...}]."""
    entries = [
        {"url": reverse("registry:tree"), "label": _("Tổ chức đảng")},
        {"url": reverse("registry:members"), "label": _("Đảng viên")},
    ]
    if can_anywhere(request.user, EDIT_REGISTRY):
        entries.append({"url": reverse("registry:import"), "label": _("Nhập dữ liệu")})
    return entries
