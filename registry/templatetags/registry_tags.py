"""Template helpers of the registry pages.

`{% include_if_exists "evaluations/_cell_panel.html" %}` lets other apps plug a panel into
a registry page: the template is rendered with the current context when it exists
and silently skipped when it does not (errors inside an existing template still raise).
"""

from django import template
from django.template.loader import get_template
from django.template.loader_tags import construct_relative_path

from registry.models import RatingLevel

register = template.Library()


class IncludeIfExistsNode(template.Node):
    def __init__(self, template_name):
        self.template_name = template_name

    def render(self, context):
        name = self.template_name.resolve(context)
        try:
            tmpl = get_template(name)
        except template.TemplateDoesNotExist:
            return ""
        # Render with the engine's template so the current context (cell, request…) flows in.
        with context.push():
            return tmpl.template.render(context)


@register.tag
def include_if_exists(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument: the template name")
    name = construct_relative_path(parser.origin.template_name, bits[1])
    return IncludeIfExistsNode(parser.compile_filter(name))


SHORT = {
    RatingLevel.EXCELLENT: "HTXSNV",
    RatingLevel.GOOD: "HTTNV",
    RatingLevel.PASS: "HTNV",
    RatingLevel.FAIL: "KHTNV",
}
BADGE = {RatingLevel.EXCELLENT: "ok", RatingLevel.GOOD: "ok", RatingLevel.PASS: "warn", RatingLevel.FAIL: "bad"}


@register.filter
def level_short(level):
    """HTXSNV / HTTNV / HTNV / KHTNV, the abbreviations party documents use (SCHEMES §0)."""
    return SHORT.get(level, "")


@register.filter
def level_label(level):
    return RatingLevel(level).label if level in RatingLevel.values else ""


@register.filter
def level_badge(level):
    return BADGE.get(level, "")


@register.filter
def yes_no(value):
    from django.utils.translation import gettext as _

    if value is None:
        return "—"
    return _("Có") if value else _("Không")
