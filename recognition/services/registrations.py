"""Registrations and their evidence (SCHEMES §1.3, §3.3, §4.2, §5): drafts, bulk registration of cells."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from criteria.models import Scheme
from registry.scoping import REGISTER, can

from .. import params
from ..models import OPEN_STATES, Evidence, Registration, State, SubjectKind
from .policy import authority_for, may_add_evidence


def _check_model_type(plan, organization, model_type):
    """A collective model of a type the executing unit may hold (SCHEMES §4.2)."""
    types = params.model_types(plan)
    if model_type not in types:
        raise ValidationError({"model_type": _("Loại mô hình %(n)s không có trong kế hoạch.") % {"n": model_type}})
    org_kinds = [str(k) for k in types[model_type].get("org_kinds") or []]
    if org_kinds and str(organization.kind) not in org_kinds:
        raise ValidationError(
            {
                "model_type": _("%(org)s (%(kind)s) không được đăng ký mô hình loại (%(n)d) “%(name)s”.")
                % {
                    "org": organization.name,
                    "kind": organization.get_kind_display().lower(),
                    "n": model_type,
                    "name": types[model_type]["name"],
                }
            }
        )
    allowed = [str(t) for t in types[model_type]["unit_types"]]
    if str(organization.unit_type) not in allowed:
        raise ValidationError(
            {
                "model_type": _(
                    "%(org)s là %(unit)s, không được đăng ký mô hình loại (%(n)d) “%(name)s”: "
                    "loại mô hình này dành cho %(allowed)s [KH 46-KH/ĐUK mục III.1]."
                )
                % {
                    "org": organization.name,
                    "unit": organization.get_unit_type_display().lower(),
                    "n": model_type,
                    "name": types[model_type]["name"],
                    "allowed": ", ".join(_unit_label(u) for u in allowed),
                }
            }
        )


def _unit_label(value):
    from registry.models import UnitType

    try:
        return str(UnitType(value).label).lower()
    except ValueError:
        return value


@transaction.atomic
def registration_create(
    *,
    user,
    plan,
    year,
    organization,
    subject_kind=SubjectKind.ORGANIZATION,
    member=None,
    member_position="",
    model_name="",
    model_type=None,
    registrant=None,
    phase="",
    commendation_proposed=False,
    note="",
):
    """A draft registration of a cell, committee, collective model or individual (SCHEMES §5)."""
    registrant = registrant or organization
    if not (can(user, REGISTER, organization) or can(user, REGISTER, registrant)):
        raise PermissionDenied(_("Bạn không có quyền đăng ký cho tổ chức này."))
    if registrant.pk != organization.pk and not organization.path.startswith(registrant.path):
        raise ValidationError(_("Tổ chức đăng ký phải là chính đối tượng hoặc cấp trên của đối tượng."))
    if plan.issuer_id and plan.issuer_id != organization.pk and plan.issuer_id not in organization.ancestor_ids():
        # A plan binds only what is under its issuer (criteria.engine.plan_in_force): another
        # block's plan never judges this organization.
        raise ValidationError(
            {
                "plan": _("Kế hoạch %(plan)s do %(issuer)s ban hành, không áp dụng cho %(org)s.")
                % {"plan": plan.number, "issuer": plan.issuer_name, "org": organization.name}
            }
        )
    if not plan.period_start_year <= year <= plan.period_end_year:
        raise ValidationError(
            {
                "year": _("Năm %(y)d nằm ngoài giai đoạn của kế hoạch (%(a)d–%(b)d).")
                % {"y": year, "a": plan.period_start_year, "b": plan.period_end_year}
            }
        )
    if subject_kind == SubjectKind.MODEL:
        if not model_name.strip():
            raise ValidationError({"model_name": _("Cần ghi tên mô hình.")})
        _check_model_type(plan, organization, model_type)
    elif subject_kind == SubjectKind.MEMBER:
        if member is None:
            raise ValidationError({"member": _("Cần chọn đảng viên.")})
        model_name, model_type = "", None
    else:
        member, model_name, model_type = None, "", None
    if plan.scheme in (Scheme.MODEL_CELL, Scheme.FOUR_GOODS, Scheme.MEETING_QUALITY):
        if subject_kind != SubjectKind.ORGANIZATION:
            raise ValidationError(_("Phong trào này chỉ đăng ký cho tổ chức đảng."))
    if plan.scheme in (Scheme.MODEL_CELL, Scheme.MEETING_QUALITY) and not organization.is_cell:
        raise ValidationError(_("Chỉ chi bộ được đăng ký phong trào này."))
    # One registration per scheme, whichever plan it names: a cell under its block's plan and under
    # the portal's default would otherwise reach two decisions.
    duplicate = Registration.objects.filter(
        scheme=plan.scheme,
        year=year,
        organization=organization,
        subject_kind=subject_kind,
        member=member,
        model_name=model_name,
        state__in=OPEN_STATES + (State.RECOGNIZED,),
    )
    if duplicate.exists():
        raise ValidationError(_("Đối tượng này đã được đăng ký trong kế hoạch và năm này."))
    grassroots = organization.grassroots()
    subordinate = grassroots is not None and grassroots.pk != organization.pk
    authority = authority_for(plan.scheme, organization, plan)
    if not phase and plan.scheme == Scheme.EXEMPLARY:
        phase = default_phase(plan, year)
    return Registration.objects.create(
        plan=plan,
        scheme=plan.scheme,
        year=year,
        phase=phase,
        subject_kind=subject_kind,
        organization=organization,
        member=member,
        member_position=member_position,
        model_name=model_name,
        model_type=model_type,
        registrant=registrant,
        authority=authority,
        needs_grassroots_appraisal=subordinate,
        deadline=params.registration_deadline(plan, year, subordinate=subordinate),
        commendation_proposed=commendation_proposed,
        note=note,
        created_by=user,
    )


def default_phase(plan, year):
    """Phases of the exemplary plan [003 §IV.2]: plan.params["phases"] or 2021–2023 / 2023–2025."""
    phases = (plan.params or {}).get("phases") or [
        [plan.period_start_year, plan.period_start_year + 2],
        [plan.period_start_year + 2, plan.period_end_year],
    ]
    for phase in phases:
        start, end = (phase["start"], phase["end"]) if isinstance(phase, dict) else phase
        if start <= year <= end:
            return f"{start}-{end}"
    return f"{plan.period_start_year}-{plan.period_end_year}"


@transaction.atomic
def registrations_bulk_create(*, user, plan, year, committee, cells=None):
    """A grassroots committee registers its cells at once (SCHEMES §1.3, §3.3). Already
    registered cells are skipped; returns (created, skipped)."""
    if not can(user, REGISTER, committee):
        raise PermissionDenied(_("Bạn không có quyền đăng ký cho tổ chức này."))
    candidates = committee.descendants().cells().order_by("path")
    if cells is not None:
        candidates = candidates.filter(pk__in=[c.pk for c in cells])
    created, skipped = [], []
    for cell in candidates:
        try:
            with transaction.atomic():
                created.append(
                    registration_create(user=user, plan=plan, year=year, organization=cell, registrant=committee)
                )
        except ValidationError:
            skipped.append(cell)
    return created, skipped


@transaction.atomic
def evidence_add(*, registration, user, title, file):
    """Attach an evidence file; checked on the stored registration, locked while attaching."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("organization", "registrant", "authority")
        .get(pk=registration.pk)
    )
    if not may_add_evidence(user, registration):
        raise PermissionDenied(_("Bạn không có quyền bổ sung minh chứng cho đăng ký này."))
    evidence = Evidence(registration=registration, title=title or file.name, file=file, uploaded_by=user)
    evidence.full_clean()
    evidence.save()
    return evidence
