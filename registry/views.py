"""Registry pages. Views only check access and call selectors or services; rules live elsewhere.

Every object is looked up through `visible_to(request.user, ...)` (registry.scoping),
so anything outside the user's organizations answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import imports, selectors, services
from .exports import render_dataset
from .forms import IMPORT_KINDS, ImportForm, MemberFilterForm, RatingEntryForm
from .models import CELL_KINDS, Member, Membership, Organization, Rating
from .resources import RESOURCES
from .scoping import EDIT_REGISTRY, can_anywhere

EXPORT_FORMATS = ("xlsx", "csv")


@login_required
def organization_tree(request):
    raw = request.GET.get("org", "")
    pk = int(raw) if raw.isdigit() else None
    level = selectors.organization_tree(request.user, pk=pk, page=request.GET.get("page"))
    return render(request, "registry/tree.html", {"level": level, "today": timezone.localdate()})


@login_required
def organization_detail(request, pk):
    """A committee: its direct children with links; a cell goes to the cell page."""
    org = selectors.organization_for(request.user, pk)
    if org.is_cell:
        return redirect("registry:cell", pk=org.pk)
    return redirect(f"{reverse('registry:tree')}?org={org.pk}")


@login_required
def cell_detail(request, pk):
    page = selectors.cell_page(request.user, pk)
    return render(request, "registry/cell.html", {"page": page, "cell": page.cell})


@login_required
def member_detail(request, pk):
    page = selectors.member_page(request.user, pk)
    return render(request, "registry/member.html", {"page": page, "member": page.member})


@login_required
def rating_entry(request, pk, year):
    """Ratings of a cell's members for one year in one form, with the EXCELLENT-cap warning (SCHEMES §0)."""
    cell = selectors.cell_for(request.user, pk, EDIT_REGISTRY)
    this_year = timezone.localdate().year
    if not 2000 <= year <= this_year:
        raise Http404
    members, existing = selectors.rating_entry_members(cell, year)
    form = RatingEntryForm(request.POST or None, members=members, existing=existing, year=year)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.rating_record_for_members(year=year, levels=form.levels(), recorded_by=request.user)
        except services.RatingRefused as refused:
            for member in members:
                if member.pk in refused.member_ids:
                    form.add_error(
                        form.field_name(member),
                        _("%(name)s đã được xếp loại năm %(year)s; mỗi năm chỉ xếp loại một lần.")
                        % {"name": member.full_name, "year": year},
                    )
        else:
            messages.success(
                request, _("Đã ghi xếp loại năm %(year)s cho %(n)s đảng viên.") % {"year": year, "n": len(created)}
            )
            cap = services.excellent_cap(
                list(Rating.objects.filter(year=year, member__in=members).values_list("level", flat=True))
            )
            if cap.exceeded:
                messages.warning(request, _cap_message(cap))
            return redirect("registry:cell", pk=cell.pk)
    cap = services.excellent_cap(form.typed_levels())
    return render(
        request,
        "registry/rating_entry.html",
        {
            "cell": cell,
            "year": year,
            "years": list(range(this_year, this_year - 8, -1)),
            "form": form,
            "cap": cap,
            "cap_message": _cap_message(cap) if cap.exceeded else "",
        },
    )


def _cap_message(cap):
    return _(
        "Cảnh báo: %(excellent)s đảng viên xếp loại “Hoàn thành xuất sắc nhiệm vụ”, vượt quá 20%% số được xếp loại "
        "“Hoàn thành tốt nhiệm vụ” (%(good)s người, tối đa %(cap)s)."
    ) % {"excellent": cap.excellent, "good": cap.good, "cap": cap.cap}


MEMBERS_PER_PAGE = 50


@login_required
def member_list(request):
    cells = Organization.objects.visible_to(request.user).filter(kind__in=CELL_KINDS).order_by("name")
    form = MemberFilterForm(request.GET or None, cells=cells)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.member_list(
        request.user,
        q=filters.get("q", ""),
        cell=filters.get("cell"),
        gender=filters.get("gender", ""),
        position=filters.get("position", ""),
        exempted=filters.get("exempted", ""),
        sort=filters.get("sort") or "name",
    )
    export = request.GET.get("export")
    if export in EXPORT_FORMATS:
        return _download(*_export("members", queryset, request.user, export), f"dang-vien.{export}")
    page = Paginator(queryset, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/member_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


EXPORT_QUERYSETS = {
    "members": lambda user: Member.objects.visible_to(user),
    "memberships": lambda user: Membership.objects.visible_to(user),
    "ratings": lambda user: Rating.objects.visible_to(user),
}


@login_required
def export(request, kind, file_format):
    """Everything of `kind` the user may see; ?cell=<pk> narrows to one cell (404 outside scope)."""
    if kind not in EXPORT_QUERYSETS or file_format not in EXPORT_FORMATS:
        raise Http404
    queryset = EXPORT_QUERYSETS[kind](request.user)
    cell_pk = request.GET.get("cell")
    if cell_pk:
        if not cell_pk.isdigit():
            raise Http404
        cell = selectors.organization_for(request.user, int(cell_pk))
        if kind == "members":
            queryset = queryset.filter(
                pk__in=Membership.objects.current().filter(cell__path__startswith=cell.path).values("member")
            )
        elif kind == "memberships":
            queryset = queryset.filter(cell__path__startswith=cell.path)
        else:
            on_roll = Membership.objects.filter(cell__path__startswith=cell.path).values("member")
            queryset = queryset.filter(organization__path__startswith=cell.path) | queryset.filter(member__in=on_roll)
    return _download(*_export(kind, queryset, request.user, file_format), f"{kind}.{file_format}")


@login_required
def import_template(request, kind, file_format):
    if kind not in dict(IMPORT_KINDS) or file_format not in EXPORT_FORMATS:
        raise Http404
    content, content_type = render_dataset(RESOURCES[kind](user=request.user).template_dataset(), file_format)
    return _download(content, content_type, f"mau-{kind}.{file_format}")


@login_required
def import_data(request):
    """Validate every row of an uploaded file; import all of it or nothing, within the bounds of registry.imports."""
    if not can_anywhere(request.user, EDIT_REGISTRY):
        raise Http404
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        report = imports.registry_import(
            kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"], user=request.user
        )
        if report.ok:
            messages.success(
                request,
                _("Đã nhập %(total)s dòng: %(new)s thêm mới, %(updated)s cập nhật.")
                % {"total": report.total_rows, "new": report.new, "updated": report.updated},
            )
    return render(
        request,
        "registry/import.html",
        imports.page_context(
            form=form,
            report=report,
            kinds=IMPORT_KINDS,
            formats=EXPORT_FORMATS,
            template_url_name="registry:import_template",
        ),
    )


def _export(kind, queryset, user, file_format):
    """(bytes, content type): `queryset` scoped again by the resource, written by registry.exports."""
    return render_dataset(RESOURCES[kind](user=user).export(queryset), file_format)


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
