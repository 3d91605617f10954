"""Vietnamese presentation helpers used by pages, PDFs and messages."""

from django.conf import settings
from django.utils.translation import gettext as _


def long_date(day):
    """ "ngày 25 tháng 4 năm 2022", the form party documents and pages use."""
    if day is None:
        return ""
    return _("ngày %(d)d tháng %(m)d năm %(y)d") % {"d": day.day, "m": day.month, "y": day.year}


def short_date(day):
    """ "05/03/2024": dd/mm/yyyy, the one short date format of pages, messages and exports (issue 11)."""
    if day is None:
        return ""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def person_name(user):
    """A user's name in Vietnamese order, family name first ("Trần Đức Long"); the login if none.

    Django's get_full_name() puts the given name first, which reads wrong in Vietnamese
    and on signed documents.
    """
    if user is None:
        return ""
    return f"{user.last_name} {user.first_name}".strip() or user.username


def absolute_url(path):
    """A link that can be clicked from an e-mail: PORTAL_BASE_URL followed by the site path."""
    base = settings.PORTAL_BASE_URL.rstrip("/")
    if path and "://" in path:
        return path
    return base + "/" + (path or "").lstrip("/")
