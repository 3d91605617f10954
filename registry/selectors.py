"""Reads of the registry, always through `visible_to` (registry.scoping), in a fixed number of queries."""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .formats import person_name
from .models import (
    CELL_KINDS,
    MassOrganization,
    Member,
    MemberAttestation,
    Membership,
    Organization,
    Rating,
    UnitAttestation,
)
from .scoping import EDIT_REGISTRY, VIEW, can

RATING_YEARS_SHOWN = 7
AUDIT_ENTRIES = 15


def organization_for(user, pk, capability=VIEW):
    return get_object_or_404(Organization.objects.visible_to(user, capability), pk=pk)


def cell_for(user, pk, capability=VIEW):
    return get_object_or_404(Organization.objects.visible_to(user, capability).filter(kind__in=CELL_KINDS), pk=pk)


def member_for(user, pk, capability=VIEW):
    return get_object_or_404(Member.objects.visible_to(user, capability), pk=pk)


def user_organizations(user):
    """The organizations the user is appointed to, inside what they may see."""
    return Organization.objects.visible_to(user).filter(pk__in=user.appointments.values("organization"))


# --- organization tree ----------------------------------------------------------------


@dataclass
class TreeNode:
    org: Organization
    children: list = field(default_factory=list)
    cells: int = 0
    members: int = 0


TREE_PAGE_SIZE = 50


@dataclass
class TreeLevel:
    """One level of the organization tree: where we are, the way up, and one page of the level below."""

    current: Organization | None
    ancestors: list
    page: object  # a Paginator page of TreeNode
    cells: int = 0
    members: int = 0


TREE_COUNTS_TTL = 60  # seconds


def _counts_under(nodes, day):
    """{path prefix: (cells, members)} under each node: two grouped queries per depth present
    (one depth for a level). Counting a province's 90,000 memberships costs most of a second, so
    the counts of the same level and day are kept for a minute: a roll change shows within it."""
    raw = f"{day.isoformat()}|" + ",".join(sorted(org.path for org in nodes))
    key = "registry-tree-counts:" + hashlib.sha256(raw.encode()).hexdigest()
    counts = cache.get(key)
    if counts is None:
        counts = _count_under(nodes, day)
        cache.set(key, counts, TREE_COUNTS_TTL)
    return counts


def _count_under(nodes, day):
    by_length = defaultdict(list)
    for org in nodes:
        by_length[len(org.path)].append(org)
    cells, members = {}, {}
    for length, group in by_length.items():
        under = Organization.objects.under(group).active_on(day).filter(kind__in=CELL_KINDS)
        cells.update(
            under.annotate(prefix=Substr("path", 1, length))
            .values("prefix")
            .annotate(n=Count("pk"))
            .values_list("prefix", "n")
        )
        members.update(
            Membership.objects.on_date(day)
            .filter(cell__in=under)
            .annotate(prefix=Substr("cell__path", 1, length))
            .values("prefix")
            .annotate(n=Count("member", distinct=True))
            .values_list("prefix", "n")
        )
    return {prefix: (cells.get(prefix, 0), members.get(prefix, 0)) for prefix in set(cells) | set(members)}


def organization_tree(user, pk=None, page=None, day=None):
    """One level of the user's visible tree (issue 12: its cost does not grow with the province).

    Without `pk`: the topmost organizations the user may see. With `pk`: that organization, its
    visible ancestors and one page of its children, each with the number of cells and members
    under it. A fixed number of queries: the level, the page's children, their counts, the way up.
    """
    day = day or timezone.localdate()
    visible = Organization.objects.visible_to(user).active_on(day)
    current = None
    if pk is None:
        level = visible.exclude(parent_id__in=visible.values("pk"))
    else:
        current = get_object_or_404(visible, pk=pk)
        level = visible.filter(parent=current)
    paginator = Paginator(level.order_by("name", "pk"), TREE_PAGE_SIZE)
    shown = paginator.get_page(page)
    nodes = [TreeNode(org=org) for org in shown.object_list]
    counts = _counts_under([n.org for n in nodes] + ([current] if current else []), day)
    for node in nodes:
        cells, members = counts.get(node.org.path, (0, 0))
        node.cells = cells
        node.members = members
    shown.object_list = nodes
    ancestors = list(visible.filter(pk__in=current.ancestor_ids()).order_by("depth")) if current else []
    totals = (
        counts.get(current.path, (0, 0)) if current else (sum(n.cells for n in nodes), sum(n.members for n in nodes))
    )
    return TreeLevel(current=current, ancestors=ancestors, page=shown, cells=totals[0], members=totals[1])


# --- cell page ------------------------------------------------------------------------


def rating_years(today=None, count=RATING_YEARS_SHOWN):
    year = (today or timezone.localdate()).year
    return list(range(year - count, year))


@dataclass
class CellPage:
    cell: Organization
    day: datetime.date
    years: list
    members: list  # [(member, [rating level or None per year])]
    cell_ratings: dict
    mass_organizations: list  # [(mass org, [rating or None per year])]
    attestation_years: list  # per-year counts of member attestations
    unit_attestations: dict  # year -> [UnitAttestation]
    audit: list
    can_edit: bool


def cell_page(user, pk, day=None):
    """Everything the cell page shows, in a fixed number of queries (not one per member)."""
    day = day or timezone.localdate()
    cell = cell_for(user, pk)
    years = rating_years(day)
    roll = list(Member.objects.on_roll(cell, day).order_by("full_name", "pk"))
    roll_ids = [m.pk for m in roll]
    by_member = defaultdict(dict)
    for member_id, year, level in Rating.objects.filter(member_id__in=roll_ids, year__in=years).values_list(
        "member_id", "year", "level"
    ):
        by_member[member_id][year] = level
    members = [(m, [by_member[m.pk].get(y) for y in years]) for m in roll]
    cell_ratings = {r.year: r for r in Rating.objects.filter(organization=cell).order_by("year")}
    mass = list(
        MassOrganization.objects.filter(cell=cell).prefetch_related(
            Prefetch("ratings", queryset=Rating.objects.filter(year__in=years))
        )
    )
    mass_rows = []
    for mo in mass:
        levels = {r.year: r for r in mo.ratings.all()}
        mass_rows.append((mo, [levels.get(y) for y in years]))
    attestation_years = list(
        MemberAttestation.objects.filter(member_id__in=roll_ids)
        .values("year")
        .annotate(
            recorded=Count("pk"),
            handbook=Count("pk", filter=Q(uses_handbook=True)),
            good_example=Count("pk", filter=Q(good_example="good")),
            commitment=Count("pk", filter=Q(signed_commitment=True)),
            no_degradation=Count("pk", filter=Q(no_degradation=True)),
            cultural_family=Count("pk", filter=Q(cultural_family=True)),
            residence=Count("pk", filter=Q(residence_exemplary=True)),
            dues=Count("pk", filter=Q(dues_paid=True)),
        )
        .order_by("-year")
    )
    unit = defaultdict(list)
    for attestation in UnitAttestation.objects.filter(organization=cell).order_by("-year", "criterion"):
        unit[attestation.year].append(attestation)
    return CellPage(
        cell=cell,
        day=day,
        years=years,
        members=members,
        cell_ratings=cell_ratings,
        mass_organizations=mass_rows,
        attestation_years=attestation_years,
        unit_attestations=dict(unit),
        audit=cell_audit(cell, roll_ids),
        can_edit=can(user, EDIT_REGISTRY, cell),
    )


# --- audit trail ----------------------------------------------------------------------


@dataclass
class AuditEntry:
    when: datetime.datetime
    who: str
    action: str
    what: str
    changes: list


ACTIONS = {"+": gettext_lazy("Thêm mới"), "~": gettext_lazy("Sửa"), "-": gettext_lazy("Xóa")}


def _entries(records, describe, limit):
    """AuditEntry per historical record, with the fields changed since the previous version.

    The previous version is looked for among the records already fetched (no query per
    record); when it is older than what was fetched the change list stays empty.
    """
    records = list(records[: limit * 2])
    entries = []
    for index, record in enumerate(records[:limit]):
        changes = []
        if record.history_type == "~":
            previous = next((r for r in records[index + 1 :] if r.id == record.id), None)
            if previous is not None:
                delta = record.diff_against(previous)
                changes = [(record._meta.get_field(c.field).verbose_name, c.old, c.new) for c in delta.changes]
        user = record.history_user
        entries.append(
            AuditEntry(
                when=record.history_date,
                who=person_name(user),
                action=ACTIONS.get(record.history_type, record.history_type),
                what=describe(record),
                changes=changes,
            )
        )
    return entries


def cell_audit(cell, roll_ids, limit=AUDIT_ENTRIES):
    """Last changes to the cell, its roll, its members and their ratings: who changed what and when."""
    entries = []
    entries += _entries(
        Organization.history.filter(id=cell.pk).select_related("history_user").order_by("-history_date"),
        lambda r: _("Tổ chức: %s") % r.name,
        limit,
    )
    entries += _entries(
        Membership.history.filter(cell_id=cell.pk).select_related("history_user", "member").order_by("-history_date"),
        lambda r: _("Sinh hoạt: %s") % r.member,
        limit,
    )
    entries += _entries(
        Rating.history.filter(Q(organization_id=cell.pk) | Q(member_id__in=roll_ids))
        .select_related("history_user", "member")
        .order_by("-history_date"),
        lambda r: _("Xếp loại năm %(year)s: %(subject)s") % {"year": r.year, "subject": r.member or cell},
        limit,
    )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def member_audit(member, limit=AUDIT_ENTRIES):
    entries = _entries(
        member.history.select_related("history_user").order_by("-history_date"),
        lambda r: _("Đảng viên: %s") % r.full_name,
        limit,
    )
    entries += _entries(
        Membership.history.filter(member_id=member.pk).select_related("history_user", "cell").order_by("-history_date"),
        lambda r: _("Sinh hoạt: %s") % r.cell,
        limit,
    )
    entries += _entries(
        Rating.history.filter(member_id=member.pk).select_related("history_user").order_by("-history_date"),
        lambda r: _("Xếp loại năm %s") % r.year,
        limit,
    )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


# --- member page and list -------------------------------------------------------------


@dataclass
class MemberPage:
    member: Member
    memberships: list
    ratings: list
    attestations: list
    disciplinary: list
    violations: list
    audit: list
    current_cell: Organization | None
    can_edit: bool


def member_page(user, pk):
    member = member_for(user, pk)
    memberships = list(member.memberships.select_related("cell").order_by("-start_date"))
    current = next((m.cell for m in memberships if m.end_date is None), None)
    return MemberPage(
        member=member,
        memberships=memberships,
        ratings=list(member.ratings.order_by("-year")),
        attestations=list(member.attestations.order_by("-year")),
        disciplinary=list(member.disciplinary_records.all()),
        violations=list(member.rule_violations.all()),
        audit=member_audit(member),
        current_cell=current,
        can_edit=current is not None and can(user, EDIT_REGISTRY, current),
    )


SORTS = {
    "name": ("full_name", "pk"),
    "-name": ("-full_name", "-pk"),
    "card": ("card_number",),
    "-card": ("-card_number",),
    "born": ("date_of_birth", "pk"),
    "-born": ("-date_of_birth", "pk"),
    "admitted": ("admitted_on", "pk"),
    "-admitted": ("-admitted_on", "pk"),
}


def member_list(user, *, q="", cell=None, gender="", position="", exempted="", sort="name"):
    """Members the user may see, filtered and sorted; each carries its current cell (one query)."""
    from django.db.models import OuterRef, Subquery

    current = Membership.objects.filter(member=OuterRef("pk"), end_date__isnull=True)
    qs = Member.objects.visible_to(user).annotate(
        current_cell_id=Subquery(current.values("cell_id")[:1]),
        current_cell_name=Subquery(current.values("cell__name")[:1]),
    )
    if q:
        qs = qs.filter(Q(full_name__icontains=q) | Q(card_number__icontains=q))
    if cell is not None:
        qs = qs.filter(pk__in=Membership.objects.current().filter(cell__path__startswith=cell.path).values("member"))
    if gender:
        qs = qs.filter(gender=gender)
    if position in POSITION_FIELDS:
        qs = qs.filter(**{position: True})
    if exempted == "yes":
        qs = qs.filter(exempted_since__isnull=False)
    elif exempted == "no":
        qs = qs.filter(exempted_since__isnull=True)
    return qs.order_by(*SORTS.get(sort, SORTS["name"]))


POSITION_FIELDS = (
    "is_secretary",
    "is_deputy_secretary",
    "is_committee_member",
    "is_leader",
    "is_unit_head",
    "is_direct_worker",
)


def rating_entry_members(cell, year, today=None):
    """Members to rate for `year`: on the roll at the year's end (or today, for the running year)."""
    today = today or timezone.localdate()
    day = min(datetime.date(year, 12, 31), today)
    members = list(Member.objects.on_roll(cell, day).order_by("full_name", "pk"))
    existing = {r.member_id: r for r in Rating.objects.filter(year=year, member_id__in=[m.pk for m in members])}
    return members, existing
