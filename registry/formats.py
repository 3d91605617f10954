"""Vietnamese presentation helpers used by pages, PDFs and messages."""

from django.utils.translation import gettext as _


def long_date(day):
    """ "ngày 25 tháng 4 năm 2022", the form party documents and pages use."""
    if day is None:
        return ""
    return _("ngày %(d)d tháng %(m)d năm %(y)d") % {"d": day.day, "m": day.month, "y": day.year}


def short_date(day):
    """ "05/3/2024": day two digits, month without leading zero, as in the documents."""
    if day is None:
        return ""
    return f"{day.day:02d}/{day.month}/{day.year}"
