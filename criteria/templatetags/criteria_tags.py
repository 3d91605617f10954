"""Template tags: every scheme's verdict for a cell, with reasons (SCHEMES §1–§4)."""

import datetime

from django import template

register = template.Library()


def default_year():
    """The last completed year: ratings and meetings of the current year are not final yet."""
    return datetime.date.today().year - 1


@register.simple_tag(takes_context=True)
def scheme_verdicts(context, organization, year=None):
    """[{"scheme", "label", "result", "gaps"}] for every scheme, one facts load for all."""
    from criteria.selectors import verdicts_for_organization

    request = context.get("request")
    if year in (None, ""):
        raw = request.GET.get("year") if request is not None else None
        year = int(raw) if raw and raw.isdigit() else default_year()
    return verdicts_for_organization(organization, int(year))


@register.filter
def status_class(status):
    return {"met": "met", "not_met": "not_met", "missing_data": "missing", "not_applicable": "na"}.get(status, "")


@register.filter
def status_label(status):
    from django.utils.translation import gettext as _

    return {
        "met": _("Đạt"),
        "not_met": _("Chưa đạt"),
        "missing_data": _("Thiếu dữ liệu"),
        "not_applicable": _("Không áp dụng"),
    }.get(status, status)


@register.filter
def cited(text, organization=None):
    """`text` with its seed references "[000 §…]" citing the documents by number (criteria.citations):
    the plans in force for `organization` ({{ text|cited:cell }}), else the portal's defaults."""
    from criteria.citations import cite, in_force_key
    from criteria.engine import plans_in_force
    from criteria.models import Scheme

    return cite(str(text), in_force=in_force_key(plans_in_force(list(Scheme), organization).values()))
