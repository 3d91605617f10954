"""Error answers: the API answers in JSON, pages with the portal's own templates (templates/404.html)."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def page_not_found(request, exception):
    # A URL under /api/ that matches no route (e.g. a non-numeric id) answers like any other
    # missing API object: JSON with the schema's documented content type, not an HTML page.
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Không tìm thấy.")}, status=404)
    return defaults.page_not_found(request, exception)
