"""Recognition pages. Views check access, validate input and call services or selectors."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from criteria.models import Plan, Scheme
from registry import outbox
from registry.models import Organization
from registry.scoping import DECIDE, REGISTER, can, can_anywhere

from . import eligibility, params, selectors
from .forms import (
    ActionForm,
    BulkRegistrationForm,
    ConferenceForm,
    EvidenceForm,
    QueueFilterForm,
    RecognitionListForm,
    RegistrationFilterForm,
    RegistrationForm,
)
from .models import Evidence, Registration, State, SubjectKind
from .services import conferences, decisions, policy, registrations, transitions
from .workflow import ACTIONS, TransitionConflict


def _error_text(exc):
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("Bạn không có quyền thực hiện thao tác này.")


@login_required
def registration_list(request):
    """The registrant's list: every registration in reach with its state and next step.

    A filter typed wrong ("năm 2025" is read as 2025, "abc" is not a year) is reported on
    the form and the list is shown without it."""
    filters = RegistrationFilterForm(request.GET or None)
    chosen = filters.filters() if request.GET else {}
    rows = selectors.registrations_for_registrant(
        request.user, scheme=chosen.get("scheme"), year=chosen.get("year"), state=chosen.get("state")
    )
    return render(
        request,
        "recognition/registration_list.html",
        {"rows": rows, "filters": filters, "can_register": can_anywhere(request.user, REGISTER)},
    )


@login_required
def registration_create(request):
    form = RegistrationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = registrations.registration_create(
                user=request.user,
                plan=data["plan"],
                year=data["year"],
                organization=data["organization"],
                subject_kind=data["subject_kind"],
                member=data["member"],
                member_position=data["member_position"],
                model_name=data["model_name"],
                model_type=data["model_type"],
                commendation_proposed=data["commendation_proposed"],
                note=data["note"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Đã tạo đăng ký. Hãy bổ sung minh chứng và gửi đăng ký."))
            return redirect("recognition:registration_detail", pk=registration.pk)
    return render(request, "recognition/registration_form.html", {"form": form})


@login_required
def registration_bulk(request):
    """A grassroots committee registers all its cells at once (SCHEMES §1.3, §3.3)."""
    form = BulkRegistrationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created, skipped = registrations.registrations_bulk_create(
                user=request.user, plan=data["plan"], year=data["year"], committee=data["committee"]
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request,
                _("Đã đăng ký %(n)d chi bộ; bỏ qua %(m)d chi bộ đã đăng ký hoặc không đủ điều kiện.")
                % {"n": len(created), "m": len(skipped)},
            )
            return redirect("recognition:registration_list")
    return render(request, "recognition/registration_bulk.html", {"form": form})


def _registration_for(request, pk):
    return get_object_or_404(
        Registration.objects.visible_to(request.user).select_related(
            "organization", "authority", "registrant", "plan", "member", "decision", "revocation_decision"
        ),
        pk=pk,
    )


def _detail(request, registration, *, form=None, status=200):
    """The registration page; its action buttons are the table's rows open to this user now.

    Issue 12: a decider who may recognize sees the verdict recomputed now (and the override
    reason field when it is not eligible) and the link to the decision's preview; every viewer
    sees an override with its reason, who and when, and each snapshot older than the facts it
    was computed from is marked stale (criteria.verdicts.facts_changed_at)."""
    actions = policy.allowed_actions(request.user, registration)
    can_recognize = any(a.name == "recognize" for a in actions)
    transition_rows = list(
        registration.transitions.select_related("actor", "acting_for").prefetch_related("attachments")
    )
    changed_at = eligibility.facts_changed_at(registration)
    for row in transition_rows:
        row.stale = eligibility.is_stale(row.at, changed_at)
    override = next((row for row in reversed(transition_rows) if row.overrode_verdict), None)
    verdict = eligibility.snapshot_for(registration) if can_recognize else None
    return render(
        request,
        "recognition/registration_detail.html",
        {
            "registration": registration,
            "actions": actions,
            "action_form": form or ActionForm(),
            "transitions": transition_rows,
            "override": override,
            "snapshot_stale": eligibility.is_stale(eligibility.snapshot_time(registration.eligibility), changed_at),
            "verdict": verdict,
            "needs_override": verdict is not None and not eligibility.is_eligible(verdict),
            "verdict_text": eligibility.verdict_text(verdict) if verdict is not None else "",
            "evidence_files": registration.evidence_files.all(),
            "next_step": policy.next_step(registration),
            "evidence_form": EvidenceForm(),
            "can_add_evidence": policy.may_register(request.user, registration),
            "can_recognize": can_recognize,
            "show_commend": registration.scheme == Scheme.FOUR_GOODS
            and registration.subject_kind == SubjectKind.ORGANIZATION,
        },
        status=status,
    )


@login_required
def registration_detail(request, pk):
    return _detail(request, _registration_for(request, pk))


@login_required
@require_POST
def registration_action(request, pk):
    """One button of the registration page: the action goes to the one transition service.

    Done: back to the page (302). Refused: the page again, with the reason and the typed
    comment kept, answering 409 (state or path), 403 (not this user's step) or 400 (input)."""
    registration = _registration_for(request, pk)
    form = ActionForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, registration, form=form, status=400)
    data = form.cleaned_data
    if data["action"] == "recognize" and not data["confirm_decision"]:
        # Checked once the table allows the move (a wrong state still answers 409, a wrong actor 403).
        if any(a.name == "recognize" for a in policy.allowed_actions(request.user, registration)):
            form.add_error("confirm_decision", ActionForm.CONFIRM_MISSING)
            if not data["override_reason"].strip() and not eligibility.is_eligible(
                eligibility.snapshot_for(registration)
            ):
                form.add_error("override_reason", _("Cần ghi rõ lý do công nhận dù chưa đủ điều kiện."))
            return _detail(request, registration, form=form, status=400)
    try:
        transitions.registration_transition(
            registration=registration,
            user=request.user,
            action=data["action"],
            comment=data["comment"],
            attachments=[data["attachment"]] if data["attachment"] else [],
            commend=data["commend"],
            override_reason=data["override_reason"],
        )
    except TransitionConflict as exc:
        messages.error(request, _error_text(exc))
        return _detail(request, _registration_for(request, pk), form=form, status=409)
    except PermissionDenied as exc:
        messages.error(request, _error_text(exc))
        return _detail(request, registration, form=form, status=403)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields):
            for field, errors in exc.error_dict.items():
                form.add_error(field, errors)
        else:
            form.add_error(None, _error_text(exc))
        return _detail(request, registration, form=form, status=400)
    messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": ACTIONS[data["action"]].label})
    return redirect("recognition:registration_detail", pk=pk)


@login_required
def registration_preview(request, pk):
    """The decision that recognizing would issue, as a PDF marked as a preview: not numbered, not
    saved, no number taken (issue 12). For the deciders over the subject's organization (DECIDE);
    out of scope answers 404 like every registration page."""
    registration = _registration_for(request, pk)
    if not can(request.user, DECIDE, registration.organization):
        raise PermissionDenied(_("Bạn không có thẩm quyền công nhận đăng ký này."))
    content = decisions.decision_preview(
        registration=registration, user=request.user, commend=request.GET.get("commend") == "1"
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="xem-truoc-quyet-dinh-{registration.pk}.pdf"'
    return response


@login_required
@require_POST
def evidence_upload(request, pk):
    registration = _registration_for(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            registrations.evidence_add(
                registration=registration,
                user=request.user,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Đã thêm tài liệu minh chứng."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("recognition:registration_detail", pk=pk)


@login_required
def evidence_download(request, pk):
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.file.name.rsplit("/", 1)[-1])


QUEUE_ACTIONS = [action for action in ACTIONS.values() if action.in_queue]


@login_required
def review_queue(request):
    """A reviewer's queue per board: filters, eligibility with reasons, evidence, bulk appraisal.

    The bulk buttons are the table's actions marked for the queue; each registration ticked
    goes through the one transition service, which checks it as stored."""
    filters = QueueFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    if request.method == "POST":
        action = request.POST.get("action")
        comment = request.POST.get("comment", "")
        ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
        if action not in {a.name for a in QUEUE_ACTIONS}:
            messages.error(request, _("Thao tác không hợp lệ."))
        else:
            done = 0
            for registration in Registration.objects.visible_to(request.user).filter(pk__in=ids):
                try:
                    transitions.registration_transition(
                        registration=registration, user=request.user, action=action, comment=comment
                    )
                    done += 1
                except (ValidationError, PermissionDenied) as exc:
                    messages.error(request, f"{registration.subject_name}: {_error_text(exc)}")
            if done:
                messages.success(request, _("Đã xử lý %(n)d đăng ký.") % {"n": done})
        return redirect(request.get_full_path())
    rows = selectors.review_queue(
        request.user,
        scheme=data.get("scheme") or None,
        year=data.get("year") or None,
        state=data.get("state") or None,
        late=data.get("late"),
    )
    selectors.mark_stale_snapshots(rows)
    offered = {action for row in rows for action in row.actions}
    return render(
        request,
        "recognition/review_queue.html",
        {"rows": rows, "filters": filters, "queue_actions": [a for a in QUEUE_ACTIONS if a in offered]},
    )


@login_required
def conference_list(request):
    authorities = selectors.decider_organizations(request.user)
    if not authorities.exists():
        raise PermissionDenied
    form = ConferenceForm(request.POST or None, user=request.user, authorities=authorities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conference = conferences.conference_create(
                user=request.user,
                authority=data["authority"],
                plan=data["plan"],
                year=data["year"],
                held_on=data["held_on"],
                signer_title=data["signer_title"],
                signer_name=data["signer_name"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            return redirect("recognition:conference_detail", pk=conference.pk)
    return render(
        request,
        "recognition/conference_list.html",
        {"form": form, "conferences": selectors.conferences_for(request.user)},
    )


def _conference_for(request, pk):
    return get_object_or_404(selectors.conferences_for(request.user), pk=pk)


@login_required
def conference_detail(request, pk):
    """The standing committee's conference: the appraised list, decide in bulk, issue decisions."""
    conference = _conference_for(request, pk)
    if request.method == "POST":
        recognize_ids = set(request.POST.getlist("recognize"))
        commend_ids = set(request.POST.getlist("commend"))
        reject_ids = set(request.POST.getlist("reject"))
        candidates = {str(r.pk): r for r in selectors.conference_candidates(conference)}
        reasons = {
            candidates[i]: request.POST.get(f"reason_{i}", "")
            for i in reject_ids
            if i in candidates and i not in recognize_ids
        }
        overrides = {candidates[i].pk: request.POST.get(f"override_{i}", "") for i in recognize_ids if i in candidates}
        done, errors = conferences.conference_decide(
            conference=conference,
            user=request.user,
            recognize=[candidates[i] for i in recognize_ids if i in candidates],
            commend=[candidates[i] for i in commend_ids if i in candidates],
            reject=reasons,
            overrides=overrides,
        )
        if done:
            messages.success(request, _("Đã quyết định %(n)d đăng ký.") % {"n": len(done)})
        for registration, text in errors:
            messages.error(request, f"{registration.subject_name}: {text}")
        return redirect("recognition:conference_detail", pk=pk)
    candidates = selectors.mark_stale_snapshots(selectors.conference_candidates(conference))
    for candidate in candidates:  # from the last snapshot (or a stale one); the service recomputes it
        candidate.needs_override = candidate.snapshot_stale or not eligibility.is_eligible(candidate.eligibility)
    decided = conference.registrations.select_related("organization", "decision", "member").order_by(
        "state", "organization__path"
    )
    context = {
        "conference": conference,
        "candidates": candidates,
        "decided": decided,
        "decisions": conference.decisions.select_related("issuer").order_by("number"),
        "progress": conference.progress(),
        "pending_issue": conference.registrations.filter(state=State.RECOGNIZED, decision__isnull=True).count(),
        "show_commend": conference.scheme == Scheme.FOUR_GOODS,
    }
    if conference.scheme == Scheme.EXEMPLARY:
        phase = registrations.default_phase(conference.plan, conference.year)
        context["quota_rows"] = selectors.quota_progress(conference.plan, phase, conference.authority)
        context["phase"] = phase
    return render(request, "recognition/conference_detail.html", context)


@login_required
@require_POST
def conference_issue(request, pk):
    conference = _conference_for(request, pk)
    try:
        pending = conferences.conference_start_generation(conference=conference, user=request.user)
    except PermissionDenied as exc:
        messages.error(request, _error_text(exc))
    else:
        if outbox.broker_was_unavailable(pending):
            messages.warning(
                request,
                _(
                    "Hàng đợi xử lý đang tạm ngừng: yêu cầu đã được ghi lại và quyết định sẽ được tạo tự động khi hệ thống hoạt động trở lại."
                ),
            )
        else:
            messages.info(request, _("Đang tạo các quyết định của hội nghị."))
    return redirect("recognition:conference_detail", pk=pk)


@never_cache
@login_required
def conference_status(request, pk):
    conference = _conference_for(request, pk)
    data = conference.progress()
    data["decisions"] = [
        {
            "number": d.display_number,
            "subject": d.subject_line,
            "pdf": bool(d.pdf),
            "url": request.build_absolute_uri(f"/recognition/decisions/{d.pk}/pdf/") if d.pdf else None,
        }
        for d in conference.decisions.select_related("issuer").order_by("number")
    ]
    return JsonResponse(data)


@login_required
def decision_list(request):
    """Decisions in reach; those recognizing a subject over its verdict are marked (issue 12)."""
    decisions_shown = selectors.with_overrides(selectors.decisions_for(request.user))[:200]
    return render(
        request,
        "recognition/decision_list.html",
        {"decisions": decisions_shown, "overridden_count": sum(1 for d in decisions_shown if d.overridden)},
    )


@login_required
def decision_pdf(request, pk):
    """Decision PDFs live under MEDIA_ROOT and are served only here, to users in scope."""
    decision = get_object_or_404(selectors.decisions_for(request.user), pk=pk)
    if not decision.pdf:
        decisions.decision_render_pdf(decision=decision)
    filename = f"QD-{decision.number}-{decision.year}.pdf"
    return FileResponse(decision.pdf.open("rb"), content_type="application/pdf", filename=filename)


class _OptionsInPython(forms.Select):
    """A <select> whose options are written in Python, not through one template each: a
    province's standing committee chooses among hundreds of organizations, and the per-option
    templates made the page grow with them (issue 12). The same markup as Django's Select."""

    def render(self, name, value, attrs=None, renderer=None):
        from django.forms.utils import flatatt
        from django.utils.html import format_html, format_html_join

        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


def _options_in_python(field):
    widget = _OptionsInPython(attrs=field.widget.attrs)
    widget.choices, widget.is_required = field.widget.choices, field.widget.is_required
    field.widget = widget


@login_required
def recognition_lists(request):
    """Yearly recognition lists by scheme, year and subtree as .xlsx, .csv or PDF."""
    form = RecognitionListForm(request.GET or None, user=request.user)
    _options_in_python(form.fields["organization"])
    rows = None
    if form.is_valid():
        data = form.cleaned_data
        qs = selectors.recognition_list(
            request.user, scheme=data["scheme"], year=data["year"], subtree=data["organization"]
        )
        fmt = request.GET.get("format")
        stem = f"danh-sach-cong-nhan-{data['scheme']}-{data['year']}"
        if fmt in ("xlsx", "csv"):
            from registry.exports import render_dataset

            from .resources import RecognitionListResource

            # One writer for every export: no formulas, Vietnamese sheet name, date cells.
            body, content_type = render_dataset(RecognitionListResource().export(queryset=qs), fmt)
            response = HttpResponse(body, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
            return response
        if fmt == "pdf":
            from .pdf import list_issuer, render_recognition_list

            content = render_recognition_list(
                rows=qs,
                scheme=data["scheme"],
                year=data["year"],
                issuer=list_issuer(request.user, data["organization"]),
                organization=data["organization"],
                today=timezone.localdate(),
            )
            response = HttpResponse(content, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
            return response
        rows = list(qs)
    overridden = sum(1 for r in rows or () if r.recognized_over_verdict)  # marked in the list (issue 12)
    return render(request, "recognition/recognition_lists.html", {"form": form, "rows": rows, "overridden": overridden})


@login_required
def quota_progress(request):
    """Exemplary models per type and phase against the plan's quotas (SCHEMES §4.2)."""
    plans = Plan.objects.visible_to(request.user).filter(scheme=Scheme.EXEMPLARY)
    plan = plans.filter(pk=request.GET.get("plan")).first() if request.GET.get("plan") else plans.first()
    rows, phase, authority = [], "", None
    if plan is not None:
        phase = request.GET.get("phase") or registrations.default_phase(plan, timezone.localdate().year)
        authority = plan.issuer or Organization.objects.visible_to(request.user).order_by("depth").first()
        if authority is not None:
            rows = selectors.quota_progress(plan, phase, authority)
    return render(
        request,
        "recognition/quota_progress.html",
        {"plans": plans, "plan": plan, "phase": phase, "rows": rows, "authority": authority},
    )


@login_required
def registration_report(request):
    """The exemplary-models registration report of an organization as PDF or .xlsx (seed 003)."""
    plans = Plan.objects.visible_to(request.user).filter(scheme=Scheme.EXEMPLARY)
    organizations = Organization.objects.visible_to(request.user, REGISTER).exclude(kind="sub_cell")
    plan = plans.filter(pk=request.GET.get("plan")).first() if request.GET.get("plan") else None
    organization = (
        organizations.filter(pk=request.GET.get("organization")).first() if request.GET.get("organization") else None
    )
    fmt = request.GET.get("format")
    if plan is None or organization is None or fmt not in ("pdf", "xlsx"):
        return render(
            request,
            "recognition/registration_report.html",
            {"plans": plans, "organizations": organizations},
        )
    phase = request.GET.get("phase") or registrations.default_phase(plan, plan.period_start_year)
    report = selectors.registration_report(plan, organization, phase)
    if fmt == "xlsx":
        from registry.exports import render_dataset

        from .resources import RegistrationReportResource

        dataset = RegistrationReportResource(model_types=params.model_types(plan)).export(
            queryset=report["models"] + report["people"]
        )
        body, content_type = render_dataset(dataset, "xlsx")  # no formulas, Vietnamese sheet name
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = 'attachment; filename="bao-cao-dang-ky-mo-hinh.xlsx"'
        return response
    from .pdf import issuing_body, place_of, render_registration_report, superior_body

    content = render_registration_report(
        {
            "plan": plan,
            "organization": organization,
            "phase": phase,
            "superior": superior_body(organization, plan),
            "issuer_body": organization.name.upper(),
            "place": place_of(organization),
            "today": timezone.localdate(),
            "plan_title": plan.title[:1].lower() + plan.title[1:],
            "models": report["models"],
            "people": report["people"],
            "signer": _("T/M BAN CHI ỦY") if organization.is_cell else _("T/M BAN THƯỜNG VỤ"),
            "body_name": issuing_body(organization),
        }
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="bao-cao-dang-ky-mo-hinh.pdf"'
    return response


@login_required
def model_cell_recheck(request):
    """January re-check of the approved model-cell list by the grassroots committee (SCHEMES §1.3)."""
    committees = Organization.objects.filter(
        pk__in=request.user.appointments.filter(role__in=["grassroots_staff", "sysadmin"]).values("organization")
    ).filter(kind__in=["gr_committee", "partial"])
    plans = Plan.objects.visible_to(request.user).filter(scheme=Scheme.MODEL_CELL)
    rechecks = []
    if request.method == "POST":
        committee = get_object_or_404(committees, pk=request.POST.get("committee"))
        plan = get_object_or_404(plans, pk=request.POST.get("plan"))
        try:
            year = int(request.POST.get("year"))
            rechecks = conferences.model_cell_recheck(user=request.user, committee=committee, plan=plan, year=year)
        except (ValueError, TypeError):
            messages.error(request, _("Năm không hợp lệ."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Đã rà soát %(n)d chi bộ.") % {"n": len(rechecks)})
    return render(
        request,
        "recognition/model_cell_recheck.html",
        {"committees": committees, "plans": plans, "rechecks": rechecks, "year": timezone.localdate().year - 1},
    )
