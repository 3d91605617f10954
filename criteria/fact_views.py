"""Pages where the owners record the facts the schemes read and no other page holds (issue 12):

- an organization's yearly facts [002 §II.1.1, §II.2.2–§II.2.3; 000 §II.2.3(2); 003 §II.2.1];
- the nominations of a cell's members for a year [003 §II.2.2, last bullet];
- the ratings of the mass organizations of a cell's unit [000 §II.1(3)];
- the import of all three from a spreadsheet, all or nothing, and its templates.

Views only check access and call services. Reads need VIEW, writes EDIT_REGISTRY held for the
organization (registry.scoping); every object is looked up through `visible_to`, so one outside
the user's reach answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import imports
from registry.exports import render_dataset
from registry.mass_org import (
    MassOrgRatingForm,
    MassOrgRatingRefused,
    MassOrgRatingResource,
    mass_org_entry,
    mass_org_ratings_record,
)
from registry.models import CELL_KINDS, Member, Organization, OrganizationKind
from registry.scoping import EDIT_REGISTRY, VIEW, can, can_anywhere

from . import services
from .forms import FactsImportForm, NominationsForm, OrganizationYearForm
from .models import MemberNomination, OrganizationYear
from .resources import RESOURCES as FACT_RESOURCES

IMPORT_RESOURCES = {**FACT_RESOURCES, "mass_org_ratings": MassOrgRatingResource}
IMPORT_KINDS = [
    ("organization_years", gettext_lazy("Số liệu năm của tổ chức đảng")),
    ("nominations", gettext_lazy("Bình xét điển hình cá nhân (lao động trực tiếp)")),
    ("mass_org_ratings", gettext_lazy("Xếp loại đoàn thể chính trị – xã hội")),
]
FORMATS = ("xlsx", "csv")


def _years():
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - 8, -1))


def _check_year(year):
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404


def _organization(request, pk, *, cells_only=False):
    """The organization for the request: VIEW to read, EDIT_REGISTRY to write (404 outside either)."""
    capability = EDIT_REGISTRY if request.method == "POST" else VIEW
    queryset = Organization.objects.visible_to(request.user, capability)
    queryset = queryset.filter(kind__in=CELL_KINDS) if cells_only else queryset
    return get_object_or_404(queryset.exclude(kind=OrganizationKind.UPPER_COMMITTEE), pk=pk)


def _read_only(request, organization, form):
    """Someone who may only read sees the values, not an editable form."""
    if not can(request.user, EDIT_REGISTRY, organization):
        for field in form.fields.values():
            field.disabled = True
    return form


def _context(request, organization, year, **extra):
    return {
        "organization": organization,
        "cell": organization,
        "year": year,
        "years": _years(),
        "can_edit": can(request.user, EDIT_REGISTRY, organization),
        **extra,
    }


@login_required
def organization_year(request, pk, year):
    """The yearly facts of one organization: every field, blank meaning "not recorded"."""
    _check_year(year)
    organization = _organization(request, pk)
    stored = OrganizationYear.objects.filter(organization=organization, year=year).first()
    form = _read_only(
        request,
        organization,
        OrganizationYearForm(request.POST or None, instance=stored, organization=organization, year=year),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_year_save(
                user=request.user, organization=organization, year=year, values=form.values()
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, _("Đã ghi số liệu năm %(year)s của %(org)s.") % {"year": year, "org": organization.name}
            )
            return redirect("criteria:facts_year", pk=organization.pk, year=year)
    return render(request, "criteria/facts_year.html", _context(request, organization, year, form=form, stored=stored))


@login_required
def nominations(request, pk, year):
    """The nominations of the members on the cell's roll today, for one year [003 §II.2.2]."""
    _check_year(year)
    cell = _organization(request, pk, cells_only=True)
    members = list(Member.objects.on_roll(cell, timezone.localdate()).order_by("full_name", "pk"))
    ids = [m.pk for m in members]
    writable = set(
        Member.objects.writable_by(request.user, EDIT_REGISTRY).filter(pk__in=ids).values_list("pk", flat=True)
    )
    existing = {n.member_id: n for n in MemberNomination.objects.filter(year=year, member_id__in=ids)}
    form = NominationsForm(request.POST or None, members=members, existing=existing, writable_ids=writable)
    _read_only(request, cell, form)
    if request.method == "POST" and form.is_valid():
        saved = services.member_nominations_save(
            user=request.user, year=year, values=form.values(), organization_ids=[cell.pk]
        )
        messages.success(
            request, _("Đã ghi kết quả bình xét năm %(year)s của %(n)s đảng viên.") % {"year": year, "n": len(saved)}
        )
        return redirect("criteria:facts_nominations", pk=cell.pk, year=year)
    return render(request, "criteria/facts_nominations.html", _context(request, cell, year, form=form))


@login_required
def mass_org_ratings(request, pk, year):
    """The ratings of the cell's mass organizations for one year [000 §II.1(3)], one per year (SCHEMES §0)."""
    _check_year(year)
    cell = _organization(request, pk, cells_only=True)
    mass_orgs, existing = mass_org_entry(cell, year)
    form = MassOrgRatingForm(request.POST or None, mass_orgs=mass_orgs, existing=existing, year=year)
    if request.method == "POST" and form.is_valid():
        try:
            created = mass_org_ratings_record(user=request.user, year=year, levels=form.levels())
        except MassOrgRatingRefused:
            form.add_error(
                None, _("Có đoàn thể vừa được xếp loại năm %(year)s; mỗi năm chỉ xếp loại một lần.") % {"year": year}
            )
        else:
            messages.success(
                request, _("Đã ghi xếp loại năm %(year)s cho %(n)s đoàn thể.") % {"year": year, "n": len(created)}
            )
            return redirect("criteria:facts_mass_orgs", pk=cell.pk, year=year)
    return render(request, "criteria/facts_mass_orgs.html", _context(request, cell, year, form=form))


@login_required
def facts_import(request):
    """Import yearly facts, nominations or mass-organization ratings: every row checked, all or nothing."""
    if not can_anywhere(request.user, EDIT_REGISTRY):
        raise Http404
    report = None
    form = FactsImportForm(request.POST or None, request.FILES or None, kinds=IMPORT_KINDS)
    if request.method == "POST" and form.is_valid():
        report = imports.registry_import(
            kind=form.cleaned_data["kind"],
            uploaded_file=form.cleaned_data["file"],
            user=request.user,
            resources=IMPORT_RESOURCES,
        )
        if report.ok:
            messages.success(
                request,
                _("Đã nhập %(total)s dòng: %(new)s thêm mới, %(updated)s cập nhật.")
                % {"total": report.total_rows, "new": report.new, "updated": report.updated},
            )
            return redirect(reverse("criteria:facts_import"))
    return render(
        request,
        "criteria/facts_import.html",
        imports.page_context(
            form=form,
            report=report,
            kinds=IMPORT_KINDS,
            formats=FORMATS,
            template_url_name="criteria:facts_import_template",
        ),
    )


@login_required
def facts_import_template(request, kind, file_format):
    """The template of one kind: Vietnamese headers and one example row inside the user's scope."""
    if kind not in IMPORT_RESOURCES or file_format not in FORMATS:
        raise Http404
    content, content_type = render_dataset(IMPORT_RESOURCES[kind](user=request.user).template_dataset(), file_format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="mau-{kind}.{file_format}"'
    return response
