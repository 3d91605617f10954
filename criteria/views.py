"""Pages: a subject's verdicts and gaps, a ranked list per scheme, the indicators dashboard.

Views only read the request, check scope through visible_to (404 outside it) and call selectors.
"""

import csv
import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from registry.models import Organization
from registry.scoping import VIEW

from . import charts, indicators, selectors, verdicts
from .models import Scheme
from .templatetags.criteria_tags import default_year

FILTERS = {
    "": _("Tất cả"),
    "eligible": _("Đủ điều kiện"),
    "near_miss": _("Còn thiếu 1 tiêu chí"),
    "missing_data": _("Thiếu dữ liệu"),
}


def _year(request):
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else default_year()


def _root(request):
    """The organization the page is about: ?org=, else the user's widest appointment."""
    visible = Organization.objects.visible_to(request.user, VIEW)
    raw = request.GET.get("org", "")
    if raw.isdigit():
        return get_object_or_404(visible, pk=int(raw))
    appointed = visible.filter(pk__in=request.user.appointments.values("organization")).order_by("depth", "path")
    root = appointed.first() or visible.order_by("depth", "path").first()
    if root is None:
        raise Http404
    return root


def _roots(request):
    visible = Organization.objects.visible_to(request.user, VIEW)
    return visible.exclude(kind__in=["sub_cell"]).order_by("path")[:300]


@login_required
def subject(request, pk):
    organization = get_object_or_404(Organization.objects.visible_to(request.user, VIEW), pk=pk)
    year = _year(request)
    verdicts = selectors.verdicts_for_organization(organization, year)
    return render(
        request,
        "criteria/subject.html",
        {"cell": organization, "organization": organization, "year": year, "verdicts": verdicts},
    )


@login_required
def ranking(request):
    root = _root(request)
    year = _year(request)
    scheme = request.GET.get("scheme") or Scheme.MODEL_CELL
    if scheme not in Scheme.values:
        raise Http404
    status_filter = request.GET.get("filter", "")
    if status_filter not in FILTERS:
        status_filter = ""
    # Stored verdicts sorted, filtered and paginated in SQL: a province costs what a block does (issue 12).
    rows = verdicts.ranked_rows(selectors.subject_queryset(request.user, root, scheme), scheme, year, status_filter)
    if request.GET.get("format") == "csv":
        return _csv([verdicts.as_result(row) for row in rows], scheme, year)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    page.object_list = [verdicts.as_result(row) for row in page.object_list]
    return render(
        request,
        "criteria/ranking.html",
        {
            "root": root,
            "roots": _roots(request),
            "year": year,
            "scheme": scheme,
            "schemes": Scheme.choices,
            "filters": FILTERS.items(),
            "status_filter": status_filter,
            "page": page,
            "total": page.paginator.count,
            "freshness": verdicts.freshness(rows),
        },
    )


def _csv(rows, scheme, year):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tieu-chi-{scheme}-{year}.csv"'
    response.write("\ufeff")
    write_csv(response, rows)
    return response


def write_csv(stream, rows):
    """One line per subject: verdict, failing codes and the reasons (also used by evaluate_subtree)."""
    writer = csv.writer(stream)
    writer.writerow(
        [
            "id",
            "ten",
            "phong_trao",
            "nam",
            "ke_hoach",
            "du_dieu_kien",
            "thieu_1_tieu_chi",
            "tieu_chi_chua_dat",
            "tom_tat",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r.subject_id,
                r.subject_name,
                r.scheme,
                r.year,
                r.plan_number,
                "1" if r.eligible else "0",
                "1" if r.near_miss else "0",
                " ".join(c.code for c in r.failing),
                r.summary,
            ]
        )


@login_required
def dashboard(request):
    root = _root(request)
    year = _year(request)
    # Figures, five years' trends and the comparison across the grassroots organizations:
    # computed from stored verdicts in criteria/indicators.py, cached under the verdicts' version.
    data = indicators.for_dashboard(request.user, root, year)
    figures = data["figures"]
    comparable = [f for f in figures if f["committees"] is not None]
    wanted = request.GET.get("so_sanh", "")
    compared = next((f for f in comparable if f["code"] == wanted), comparable[0] if comparable else None)
    if compared is not None:
        _compare_page(request, compared)
    for figure in figures:
        charts.decorate(figure, year, request.csp_nonce, committees=figure is compared)
    return render(
        request,
        "criteria/dashboard.html",
        {
            "root": root,
            "roots": _roots(request),
            "year": year,
            "years": range(datetime.date.today().year, 2019, -1),
            "trend_years": data["years"],
            "figures": figures,
            "comparable": comparable,
            "compared": compared,
            "computed_at": data["computed_at"],
            "refreshing": data["refreshing"],
        },
    )


DRILL_DOWN_PAGE = 100
COMPARE_PAGE = 25  # grassroots organizations per page of the comparison (a province has hundreds)


def _compare_page(request, figure):
    """Keep one page of the figure's comparison across the grassroots organizations, best first:
    the chart and the table show what one screen can read, and a province's page renders what a
    block's does (issue 12). The rows keep their rank in the whole list."""
    page = Paginator(figure["committees"], COMPARE_PAGE).get_page(request.GET.get("trang_ss"))
    page.param = "trang_ss"
    figure["committees"] = list(page.object_list)
    figure["committees_page"] = page


class _Counted:
    """A drill-down list whose length the figure already gives: the paginator reads only its page."""

    def __init__(self, rows, count):
        self.rows, self._count = rows, count

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        return list(self.rows[index])


@login_required
def indicator_detail(request, code):
    root = _root(request)
    year = _year(request)
    data = indicators.for_dashboard(request.user, root, year)
    figure = next((f for f in data["figures"] if f["code"] == code), None)
    if figure is None:
        raise Http404
    if figure["committees"] is not None:
        _compare_page(request, figure)
    charts.decorate(figure, year, request.csp_nonce, committees=True)
    # A province's indicator counts 4,000 cells: each list is paginated and only its page is read,
    # from the stored verdicts (LIMIT/OFFSET, in id order, scoped to the user's subtree), or from
    # the ids of a registered indicator's figure (indicators.drill_down).
    visible = Organization.objects.visible_to(request.user, VIEW)
    lists = indicators.drill_down(request.user, root, figure, year)
    counts = {"counted": figure["numerator"], "not_counted": figure["denominator"] - figure["numerator"]}
    pages = {}
    for key, param, rows in (("counted", "dat", lists[0]), ("not_counted", "chua", lists[1])):
        if isinstance(rows, list):
            page = Paginator(rows, DRILL_DOWN_PAGE).get_page(request.GET.get(param))
            names = dict(visible.filter(pk__in=list(page.object_list)).values_list("pk", "name"))
            page.rows = [(pk, names[pk]) for pk in page.object_list if pk in names]
        else:
            # The cell-based indicators count cells: the figure gives each list's length.
            page = Paginator(_Counted(rows, counts[key]), DRILL_DOWN_PAGE).get_page(request.GET.get(param))
            page.rows = page.object_list
        page.param = param
        pages[key] = page
    counted, not_counted = pages["counted"], pages["not_counted"]
    return render(
        request,
        "criteria/indicator.html",
        {
            "root": root,
            "year": year,
            "trend_years": data["years"],
            "figure": figure,
            "counted": counted,
            "not_counted": not_counted,
        },
    )
