"""Reads for pages, API and exports; all subject lists come through visible_to (registry.scoping)."""

from django.utils.translation import gettext as _

from registry.models import CELL_KINDS, Organization, OrganizationKind
from registry.scoping import VIEW

from .engine import _g1_gap, evaluate_all
from .models import Scheme
from .results import MISSING

CELL_SCHEMES = [Scheme.MODEL_CELL, Scheme.MEETING_QUALITY, Scheme.FOUR_GOODS, Scheme.EXEMPLARY]
COMMITTEE_SCHEMES = [Scheme.FOUR_GOODS, Scheme.EXEMPLARY]


def schemes_for(organization):
    if organization.kind in CELL_KINDS:
        return CELL_SCHEMES
    if organization.kind == OrganizationKind.GRASSROOTS_COMMITTEE:
        return COMMITTEE_SCHEMES
    return []


def gaps_of(result):
    """What is still missing, from an already computed result (no extra query)."""
    sentences = []
    for criterion in result.failing:
        if criterion.code == "G1":
            sentences.extend(_g1_gap(criterion))
        else:
            what = _("thiếu dữ liệu") if criterion.status == MISSING else _("chưa đạt")
            sentences.append(f"{criterion.code} — {criterion.title}: {what}: {criterion.reason}")
    return sentences


def verdicts_for_organization(organization, year):
    """Every applicable scheme's verdict for one organization, with its gaps."""
    schemes = schemes_for(organization)
    if not schemes:
        return []
    results = evaluate_all([organization], year, schemes)
    out = []
    for scheme in schemes:
        result = results[scheme][organization.pk]
        out.append({"scheme": scheme, "label": Scheme(scheme).label, "result": result, "gaps": gaps_of(result)})
    return out


def visible_subtree(user, root):
    """Organizations under `root` the user may see (root itself included when visible)."""
    return Organization.objects.visible_to(user, VIEW).filter(path__startswith=root.path)


def cells_under(user, root):
    return list(visible_subtree(user, root).filter(kind__in=CELL_KINDS).order_by("path"))


def subject_queryset(user, root, scheme):
    """The subjects of `scheme` under `root` the user may see, as a queryset (a subquery for the verdicts)."""
    kinds = list(CELL_KINDS)
    if scheme in COMMITTEE_SCHEMES:
        kinds.append(OrganizationKind.GRASSROOTS_COMMITTEE)
    return visible_subtree(user, root).filter(kind__in=kinds)


def subjects_under(user, root, scheme):
    return list(subject_queryset(user, root, scheme).order_by("path"))


def ranked(results, status_filter=""):
    """Results best first (eligible, then fewest failing criteria, then most met), optionally filtered.

    status_filter: "eligible" | "near_miss" | "missing_data" | "" (all).
    """
    rows = list(results.values())
    if status_filter == "eligible":
        rows = [r for r in rows if r.eligible]
    elif status_filter == "near_miss":
        rows = [r for r in rows if r.near_miss]
    elif status_filter == "missing_data":
        rows = [r for r in rows if r.missing_data]
    rows.sort(
        key=lambda r: (not r.eligible, len(r.failing), -r.met_count, -r.extra.get("excellent_years", 0), r.subject_name)
    )
    return rows
