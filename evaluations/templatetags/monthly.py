"""Template tags of the monthly work: the cell panel loads its own flags."""

from django import template
from django.utils import timezone

from evaluations import selectors

register = template.Library()


@register.simple_tag
def cell_flags(cell, year=None):
    """Flags of `cell` for `year` (default the current year), newest first; SCHEMES §1.1 G2, §2.2."""
    return list(reversed(selectors.flags_for_cell(cell, int(year or timezone.localdate().year))))


@register.filter
def pct(value):
    return selectors._pct(value) if value is not None else ""


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
