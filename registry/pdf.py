"""Party-document helpers shared by every PDF of the portal (SCHEMES §5, Hướng dẫn 36-HD/VPTW).

The heading of a party document names the party organization above the issuer (top
left, first line), the issuer in capitals, "ĐẢNG CỘNG SẢN VIỆT NAM" (top right) and the
place and date. Decisions and lists (recognition) and meeting minutes (evaluations)
share these helpers; they live in the lowest layer so neither app imports the other
(.importlinter: config > recognition > criteria > evaluations > registry).
"""

from django.utils.translation import gettext as _

from .formats import long_date


def html_to_pdf(html):
    """PDF bytes of an HTML document through WeasyPrint (A4 and fonts come from the page's CSS)."""
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def issuing_body(organization):
    """The body that signs for a party organization: "Đảng bộ X" is led by "Đảng ủy X",
    "Chi bộ X" by "Chi ủy X"."""
    name = organization.name
    for organization_word, body_word in (("Đảng bộ", "Đảng ủy"), ("Chi bộ", "Chi ủy")):
        if name.startswith(organization_word):
            return body_word + name[len(organization_word) :]
    return name


def place_of(organization):
    """The place written before the date: the organization's own, else its nearest ancestor's."""
    if organization.place_name:
        return organization.place_name
    for ancestor in reversed(list(organization.ancestors())):
        if ancestor.place_name:
            return ancestor.place_name
    return ""


def superior_body(organization, plan=None):
    """Top-left first line: the party organization above the issuer; for a root, the plan's
    "superior_body" parameter or the province's party organization named by the place."""
    if organization.parent_id:
        return organization.parent.name.upper()
    explicit = (getattr(plan, "params", None) or {}).get("superior_body") if plan else ""
    if explicit:
        return explicit.upper()
    place = place_of(organization)
    return (_("Đảng bộ tỉnh %(place)s") % {"place": place}).upper() if place else ""


def party_heading(organization, issuer_name, day, plan=None):
    """The context of templates/…/pdf heading blocks: superior, issuer in capitals, place, date."""
    return {
        "superior": superior_body(organization, plan),
        "issuer_heading": issuer_name.upper(),
        "place": place_of(organization),
        "date_text": long_date(day),
    }
