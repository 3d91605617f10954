"""Writes of the criteria app: plans are copied, never edited in place by code; the yearly facts
and nominations the schemes read are recorded by their owners (issue 12)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from registry.models import Member, Organization
from registry.pdf import issuing_body
from registry.scoping import EDIT_REGISTRY
from registry.signals import facts_changed

from .models import MemberNomination, OrganizationYear, Plan


@transaction.atomic
def plan_copy(*, plan, issuer=None, number=None):
    """A committee's own copy of a plan, with every parameter, ready to edit in the admin.

    Copied for another issuer, the copy is that committee's document: it names the committee as
    its issuer (the decisions' "Căn cứ văn bản số …, của …" reads it, recognition.pdf), not the
    committee whose plan was copied."""
    copy = Plan.objects.get(pk=plan.pk)
    copy.pk = None
    copy.copied_from = plan
    copy.issuer = issuer if issuer is not None else plan.issuer
    if issuer is not None:
        copy.issuer_name = issuing_body(issuer)[:255]
    copy.number = number or f"{plan.number} ({_('bản sao')})"[:50]
    copy.title = plan.title
    copy.params = dict(plan.params)
    copy.save()
    return copy


# --- yearly facts and nominations (issue 12: every fact has an owner's surface) ------------------
#
# Who writes: EDIT_REGISTRY held for the organization (registry.scoping): a cell's secretary for her
# cell, grassroots staff for their committee and everything under it, org-board staff above them.
# Each function re-reads what it writes through the write half of the policy, so an id from a request
# body alone never decides anything; outside the scope answers 404 as for a missing object. After
# saving, registry.signals.facts_changed tells the stored verdicts (criteria.verdicts) to go stale.

YEAR_FIELDS = (
    "admission_target",
    "admitted_count",
    "unit_targets_met",
    "committee_meetings",
    "congress_meetings",
    "organizations_disciplined",
    "directive05_planned",
    "directive05_in_agenda",
    "initiatives_commended",
    "note",
)
NOMINATION_FIELDS = ("nominated_by_grassroots", "trusted", "confirmed_by_committee")


def _writable_organization(user, organization):
    found = Organization.objects.writable_by(user, EDIT_REGISTRY).filter(pk=organization.pk).first()
    if found is None:
        raise Http404
    return found


def _full_clean(instance, exclude=()):
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


@transaction.atomic
def organization_year_save(*, user, organization, year, values, instance=None):
    """Record the yearly facts of `organization` for `year` [002 §II.1.1, §II.2.2–§II.2.3; 000 §II.2.3(2);
    003 §II.2.1]; `values` maps YEAR_FIELDS to a value, None meaning "not recorded" (never "no").

    Without `instance` the organization's row of that year is created or changed (one per organization
    and year). With `instance` (the API's update) that stored row is changed; it stays the same
    organization's and year's. Both the stored row and the organization are checked against the write
    half of the policy (404 outside it). Returns (row, created).
    """
    organization = _writable_organization(user, organization)
    if instance is not None:
        stored = OrganizationYear.objects.writable_by(user, EDIT_REGISTRY).select_for_update().filter(pk=instance.pk)
        record = stored.first()
        if record is None:
            raise Http404
        if (record.organization_id, record.year) != (organization.pk, year):
            raise ValidationError({"year": FIXED_SUBJECT})
        created = False
    else:
        record = OrganizationYear.objects.select_for_update().filter(organization=organization, year=year).first()
        created = record is None
        if created:
            record = OrganizationYear(organization=organization, year=year)
    for name in YEAR_FIELDS:
        if name in values:
            value = values[name]
            setattr(record, name, (value or "") if name == "note" else value)
    _full_clean(record)
    record._history_user = user
    record.save()
    facts_changed.send(sender=OrganizationYear, organization_ids=[organization.pk], member_ids=[], year=year)
    return record, created


FIXED_SUBJECT = _lazy("Không đổi được tổ chức (đảng viên) hoặc năm của bản ghi đã có; hãy tạo bản ghi mới.")


def year_taken_message(organization, year):
    return _("%(org)s đã có số liệu năm %(year)s; hãy sửa bản ghi đó.") % {"org": organization.name, "year": year}


def nomination_taken_message(member, year):
    return _("%(name)s đã có kết quả bình xét năm %(year)s; hãy sửa bản ghi đó.") % {
        "name": member.full_name,
        "year": year,
    }


@transaction.atomic
def member_nominations_save(*, user, year, values, organization_ids=()):
    """Record the nominations of members for `year` [003 §II.2.2, last bullet]: `values` maps a Member
    to {field of NOMINATION_FIELDS: True / False / None}, None meaning "not recorded".

    A member is written only where their current membership is (MemberQuerySet.writable_by): any
    other member answers 404 and nothing is written. Returns {member id: nomination}.
    """
    member_ids = sorted({member.pk for member in values})
    writable = set(
        Member.objects.writable_by(user, EDIT_REGISTRY).filter(pk__in=member_ids).values_list("pk", flat=True)
    )
    if writable != set(member_ids):
        raise Http404
    list(Member.objects.select_for_update().filter(pk__in=member_ids))  # concurrent writers queue
    stored = {n.member_id: n for n in MemberNomination.objects.filter(year=year, member_id__in=member_ids)}
    saved = {}
    for member, fields in values.items():
        record = stored.get(member.pk) or MemberNomination(member=member, year=year)
        for name in NOMINATION_FIELDS:
            if name in fields:
                setattr(record, name, fields[name])
        _full_clean(record)
        record._history_user = user
        record.save()
        saved[member.pk] = record
    if saved:
        facts_changed.send(
            sender=MemberNomination, organization_ids=list(organization_ids), member_ids=member_ids, year=year
        )
    return saved


@transaction.atomic
def member_nomination_save(*, user, member, year, values, instance=None):
    """One member's nomination (the API). The member named in the body must be writable
    (current membership, 404 otherwise); with `instance` the stored row is re-read through the
    write half as well and keeps its member and year. Returns (row, created)."""
    if instance is not None:
        writable = Member.objects.writable_by(user, EDIT_REGISTRY).values("pk")
        if not MemberNomination.objects.filter(member__in=writable, pk=instance.pk).exists():
            raise Http404
        if (instance.member_id, instance.year) != (member.pk, year):
            raise ValidationError({"year": FIXED_SUBJECT})
        created = False
    else:
        created = not MemberNomination.objects.filter(member=member, year=year).exists()
    saved = member_nominations_save(user=user, year=year, values={member: values})
    return saved[member.pk], created
