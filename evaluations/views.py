"""Pages of the monthly work. Views check access, call a selector or a service, render."""

import datetime
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registry.forms import parse_date_entry
from registry.models import Organization, OrganizationKind
from registry.scoping import ATTEND, FILE_MONTHLY, LOCK_MONTH, MANAGE_PLANS, VIEW, can, can_anywhere

from . import selectors, services, thresholds
from .forms import (
    AssignmentForm,
    AttendeeReportForm,
    FourGoodsForm,
    MeetingForm,
    PostponementForm,
    ReopenForm,
    ScheduleForm,
    parse_attendance,
)
from .models import (
    AttendanceStatus,
    AttendeeAssignment,
    AttendeeReport,
    FourGoodsAssessment,
    Meeting,
    MeetingAttachment,
    MeetingSchedule,
    Notification,
    Postponement,
)


def _year(request, default=None):
    try:
        return int(request.GET.get("nam") or default or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


def _form_errors(form, error):
    for field, items in error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]:
        target = None if field in (None, "__all__") or field not in form.fields else field
        for item in items:
            form.add_error(target, item)


def _visible_org(request, pk, capability=VIEW):
    return get_object_or_404(Organization.objects.visible_to(request.user, capability), pk=pk)


def _visible_cell(request, pk, capability=VIEW):
    return get_object_or_404(Organization.objects.visible_to(request.user, capability).cells(), pk=pk)


@login_required
def home(request):
    """The monthly work's start page: my cells, my committees, recent meetings."""
    user = request.user
    cells = Organization.objects.visible_to(user, FILE_MONTHLY).cells().order_by("path")
    committees = (
        Organization.objects.visible_to(user, LOCK_MONTH)
        .filter(kind=OrganizationKind.GRASSROOTS_COMMITTEE)
        .order_by("path")
    )
    recent = selectors.meetings_for_list(user).order_by("-date")[:15]
    return render(
        request,
        "evaluations/home.html",
        {"cells": cells[:50], "committees": committees[:50], "recent": recent},
    )


@login_required
def cell_page(request, pk):
    """A cell's year: month by month meetings and self-assessments, flags, schedule."""
    cell = _visible_cell(request, pk)
    year = _year(request)
    return render(
        request,
        "evaluations/cell.html",
        {
            "cell": cell,
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 4, -1),
            "months": selectors.cell_months(cell, year),
            "flags": selectors.flags_for_cell(cell, year),
            "schedule": MeetingSchedule.objects.filter(cell=cell).first(),
            "postponements": Postponement.objects.filter(cell=cell)[:5],
            "can_file": can(request.user, FILE_MONTHLY, cell),
            "can_lock": can(request.user, LOCK_MONTH, cell),
        },
    )


def _attendance_rows(roll, posted, meeting=None, user=None):
    existing = {}
    if meeting is not None and not posted:
        existing = {
            a.member_id: {"status": a.status, "reason": a.reason, "spoke": a.spoke} for a in meeting.attendances.all()
        }
    source = posted or existing
    rows = []
    for member in roll:
        values = source.get(member.pk, {"status": AttendanceStatus.PRESENT, "reason": "", "spoke": False})
        rows.append({"member": member, **values, "on_roll": True})
    roll_ids = {m.pk for m in roll}
    if posted:
        from registry.models import Member

        # Only members the user sees: another cell's member is never shown by name (issue 10, hole 5).
        visible = Member.objects.visible_to(user) if user is not None else Member.objects.none()
        strangers = visible.filter(pk__in=[pk for pk in posted if pk not in roll_ids])
        for member in strangers:
            rows.append({"member": member, **posted[member.pk], "on_roll": False})
    return rows


# Where each error of the meeting form sends the reader (the error summary links to these ids).
MEETING_ERROR_TARGETS = {"speakers": "attendance", "__all__": "attendance"}
SUBMISSION_TTL = 60 * 60 * 12


def _submission_key(request, token):
    return f"meeting-submission:{request.user.pk}:{token}"


def _error_summary(form, fallback="attendance"):
    """[(anchor id, message)] of every error of a bound form, in the order of the page."""
    items = []
    for name, errors in form.errors.items():
        if name in form.fields:
            anchor = form[name].id_for_label or f"id_{name}"
        else:
            anchor = MEETING_ERROR_TARGETS.get(name, fallback) if fallback == "attendance" else fallback
        for message in errors:
            items.append((anchor, message))
    return items


def _meeting_form(request, cell, meeting):
    framework = (meeting.framework if meeting and meeting.framework_id else None) or selectors.meeting_framework_for(
        cell
    )
    posted = {}
    summary = []
    if request.method == "POST" and request.POST.get("recompute"):
        # "Ngày họp" changed: the roll of the new day, every other field kept as typed (issue 11).
        form = MeetingForm(initial=request.POST.dict(), framework=framework, cell=cell)
        posted = parse_attendance(request.POST)
        day = parse_date_entry(request.POST.get("date")) or (meeting.date if meeting else None) or timezone.localdate()
        roll_ids = {m.pk for m in selectors.roll_at(cell, day)}
        posted = {pk: row for pk, row in posted.items() if pk in roll_ids}
        form.initial["submission_token"] = request.POST.get("submission_token") or uuid.uuid4().hex
    elif request.method == "POST":
        form = MeetingForm(request.POST, request.FILES, framework=framework, cell=cell)
        posted = parse_attendance(request.POST)
        token = (request.POST.get("submission_token") or "")[:64]
        if token:
            done = cache.get(_submission_key(request, token))
            if isinstance(done, int):  # this very form was saved already: a double tap
                messages.info(request, _("Biên bản này đã được lưu; không lưu lần thứ hai."))
                return redirect("evaluations:meeting", done)
        if form.is_valid():
            if token and not cache.add(_submission_key(request, token), "pending", 60):
                # The same form is being saved by a request a moment earlier.
                messages.info(request, _("Biên bản đang được lưu; không lưu lần thứ hai."))
                return redirect("evaluations:cell", cell.pk)
            try:
                saved = services.meeting_save(
                    user=request.user, cell=cell, data=form.service_data(), attendance=posted, meeting=meeting
                )
            except ValidationError as error:
                if token:
                    cache.delete(_submission_key(request, token))
                _form_errors(form, error)
            else:
                if token:
                    cache.set(_submission_key(request, token), saved.pk, SUBMISSION_TTL)
                upload = form.cleaned_data.get("attachment")
                if upload:
                    MeetingAttachment.objects.create(meeting=saved, file=upload, title=upload.name)
                messages.success(
                    request, _("Đã lưu biên bản sinh hoạt ngày %(d)s.") % {"d": saved.date.strftime("%d/%m/%Y")}
                )
                return redirect("evaluations:meeting", saved.pk)
        else:
            # Every check at once: the service's rules on what could be read, beside the field errors.
            extra = services.validate_meeting(
                cell=cell, data=form.service_data(), attendance=posted, meeting=meeting, framework=framework
            )
            for name, message in extra.items():
                if name not in form.errors:
                    form.add_error(name if name in form.fields else None, message)
        summary = _error_summary(form)
        day = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
    else:
        if meeting is not None:
            initial = {
                name: getattr(meeting, name)
                for name in ("date", "start_time", "end_time", "kind", "topic", "agenda", "conclusions", "resolution")
            }
            initial.update(votes_for=meeting.votes_for, votes_against=meeting.votes_against)
            initial.update(chair=meeting.chair_id, recorder=meeting.recorder_id)
            initial.update({f"section_{k}": v for k, v in (meeting.section_scores or {}).items()})
            day = meeting.date
        else:
            day = parse_date_entry(request.GET.get("date")) or timezone.localdate()
            initial = {"date": day}
            schedule = MeetingSchedule.objects.filter(cell=cell).first()
            if schedule and schedule.start_time:
                initial["start_time"] = schedule.start_time
        initial["submission_token"] = uuid.uuid4().hex
        form = MeetingForm(initial=initial, framework=framework, cell=cell)
    day = day or (meeting.date if meeting else None) or timezone.localdate()
    roll = selectors.roll_at(cell, day)
    return render(
        request,
        "evaluations/meeting_form.html",
        {
            "cell": cell,
            "meeting": meeting,
            "form": form,
            "framework": framework,
            # The preview measures against the plan in force, as the save does (issue 12).
            "limits": thresholds.for_organization(cell, day.year),
            "roll_date": day,
            "rows": _attendance_rows(roll, posted, meeting, request.user),
            "statuses": AttendanceStatus.choices,
            "error_summary": summary,
        },
    )


@login_required
def meeting_create(request, cell_pk):
    cell = _visible_cell(request, cell_pk, FILE_MONTHLY)
    return _meeting_form(request, cell, None)


@login_required
def meeting_edit(request, pk):
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user, FILE_MONTHLY).select_related("cell", "framework"), pk=pk
    )
    return _meeting_form(request, meeting.cell, meeting)


@login_required
def meeting_detail(request, pk):
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("cell", "framework", "attendee_report__attendee"),
        pk=pk,
    )
    framework = meeting.framework or selectors.meeting_framework_for(meeting.cell)
    limits = thresholds.for_organization(meeting.cell, meeting.date.year)
    required_speakers = limits.required_speakers(meeting.roll_size)
    required_minutes = limits.required_minutes(meeting.kind)
    flags = [f for f in selectors.flags_for_cell(meeting.cell, meeting.date.year) if f.meeting_id == meeting.pk]
    report = getattr(meeting, "attendee_report", None) if hasattr(meeting, "attendee_report") else None
    sections = [{"section": s, "score": (meeting.section_scores or {}).get(s.code)} for s in framework.sections.all()]
    return render(
        request,
        "evaluations/meeting_detail.html",
        {
            "meeting": meeting,
            "framework": framework,
            "sections": sections,
            "attendances": meeting.attendances.select_related("member").order_by("member__full_name"),
            "attachments": meeting.attachments.all(),
            "flags": flags,
            "report": report,
            # Measured against the plan in force, as the flags and the rules are (issue 12).
            "attendance_ok": meeting.roll_size
            and meeting.present_count * 100 >= limits.attendance_pct * meeting.roll_size,
            "required_speakers": required_speakers,
            "speakers_ok": meeting.speakers_count >= required_speakers,
            "required_minutes": required_minutes,
            "duration_ok": meeting.duration_minutes is not None and meeting.duration_minutes >= required_minutes,
            "can_file": can(request.user, FILE_MONTHLY, meeting.cell),
            "can_attend": can(request.user, ATTEND, meeting.cell),
        },
    )


@login_required
def attendee_report(request, pk):
    """The attendee's report form; its decided score replaces the self-score [001 §III.4(3)]."""
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user, ATTEND).select_related("cell"), pk=pk)
    report = AttendeeReport.objects.filter(meeting=meeting).first()
    if report is not None and report.attendee_id != request.user.pk:
        raise PermissionDenied(_("Buổi sinh hoạt này đã có báo cáo của cán bộ dự khác."))
    if request.method == "POST":
        form = AttendeeReportForm(request.POST)
        if form.is_valid():
            try:
                services.attendee_report_file(user=request.user, meeting=meeting, data=form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Đã lưu báo cáo dự sinh hoạt; điểm quyết định thay điểm tự chấm."))
                return redirect("evaluations:meeting", meeting.pk)
    else:
        initial = {}
        if report is not None:
            initial = {
                name: getattr(report, name)
                for name in (
                    "arrived_at",
                    "unit_situation",
                    "meeting_conduct",
                    "issues_raised",
                    "issues_answered",
                    "assessment",
                    "decided_score",
                )
            }
        form = AttendeeReportForm(initial=initial)
    return render(request, "evaluations/report_form.html", {"meeting": meeting, "form": form})


@login_required
def schedule_page(request, cell_pk):
    """Register the regular meeting day; report a postponement [001 §III.2(1)]."""
    cell = _visible_cell(request, cell_pk, FILE_MONTHLY)
    schedule = MeetingSchedule.objects.filter(cell=cell).first()
    schedule_form = ScheduleForm(
        initial={"day_of_month": schedule.day_of_month, "start_time": schedule.start_time, "place": schedule.place}
        if schedule
        else None
    )
    postpone_form = PostponementForm()
    if request.method == "POST":
        if request.POST.get("action") == "postpone":
            postpone_form = PostponementForm(request.POST)
            if postpone_form.is_valid():
                try:
                    services.postponement_report(user=request.user, cell=cell, **postpone_form.cleaned_data)
                except ValidationError as error:
                    _form_errors(postpone_form, error)
                else:
                    messages.success(request, _("Đã báo hoãn sinh hoạt."))
                    return redirect("evaluations:cell", cell.pk)
        else:
            schedule_form = ScheduleForm(request.POST)
            if schedule_form.is_valid():
                services.schedule_set(user=request.user, cell=cell, **schedule_form.cleaned_data)
                messages.success(request, _("Đã lưu lịch sinh hoạt."))
                return redirect("evaluations:cell", cell.pk)
    return render(
        request,
        "evaluations/schedule.html",
        {
            "cell": cell,
            "schedule_form": schedule_form,
            "postpone_form": postpone_form,
            "postponements": Postponement.objects.filter(cell=cell)[:20],
        },
    )


@login_required
def calendar_page(request):
    """Upcoming meetings of a subtree, for attendees and committees to drop in unannounced."""
    roots = Organization.objects.visible_to(request.user).filter(
        pk__in=request.user.appointments.values("organization")
    )
    if request.GET.get("to_chuc"):
        roots = [_visible_org(request, request.GET["to_chuc"])]
    today = timezone.localdate()
    return render(
        request,
        "evaluations/calendar.html",
        {"entries": selectors.upcoming_meetings(list(roots), today, months=2), "roots": roots, "today": today},
    )


@login_required
def attendee_page(request):
    """The attendee's cells, their upcoming meetings and recent meetings to report on."""
    if not can_anywhere(request.user, ATTEND):
        raise Http404
    assignments = list(selectors.active_assignments(request.user))
    cells = [a.cell for a in assignments]
    today = timezone.localdate()
    meetings = (
        Meeting.objects.visible_to(request.user, ATTEND)
        .filter(cell__in=cells, date__gte=today - datetime.timedelta(days=120))
        .select_related("cell", "attendee_report")
        .order_by("-date")
    )
    return render(
        request,
        "evaluations/attendee.html",
        {
            "assignments": assignments,
            "upcoming": selectors.upcoming_meetings(cells, today, months=1) if cells else [],
            "meetings": meetings,
        },
    )


@login_required
def assignments_page(request):
    user = request.user
    cells = (
        Organization.objects.visible_to(user, LOCK_MONTH).cells()
        | Organization.objects.visible_to(user, MANAGE_PLANS).cells()
    )
    if not cells.exists():
        raise Http404
    attendees = selectors.attendee_choices(user)  # only attendee users within scope (issue 10, hole 5)
    form = AssignmentForm(request.POST or None, cells=cells.order_by("path"), attendees=attendees)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_create(user=user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error.messages[0] if hasattr(error, "messages") else str(error))
        else:
            messages.success(request, _("Đã phân công cán bộ dự sinh hoạt."))
            return redirect("evaluations:assignments")
    assignments = AttendeeAssignment.objects.filter(cell__in=cells).select_related("user", "cell")[:200]
    return render(request, "evaluations/assignments.html", {"form": form, "assignments": assignments})


@login_required
def committee_page(request, pk):
    """A grassroots committee's cells with their flags and the month's four-goods status and lock."""
    committee = _visible_org(request, pk)
    last_year, last_month = selectors.previous_month(timezone.localdate())
    year = _year(request, default=last_year)
    try:
        month = min(max(int(request.GET.get("thang") or last_month), 1), 12)
    except ValueError:
        month = last_month
    cells = list(selectors.cells_under(committee))
    flags = selectors.flags_for_cells(cells, year)
    assessments = {
        a.organization_id: a
        for a in FourGoodsAssessment.objects.filter(
            organization__path__startswith=committee.path, year=year, month=month
        )
    }
    rows = [{"cell": c, "flags": flags[c.pk], "assessment": assessments.get(c.pk)} for c in cells]
    return render(
        request,
        "evaluations/committee.html",
        {
            "committee": committee,
            "year": year,
            "month": month,
            "months": range(1, 13),
            "rows": rows,
            "own_assessment": assessments.get(committee.pk),
            "can_lock": can(request.user, LOCK_MONTH, committee),
            "can_file": can(request.user, FILE_MONTHLY, committee),
        },
    )


@login_required
@require_POST
def committee_lock_month(request, pk):
    committee = _visible_org(request, pk, LOCK_MONTH)
    year, month = int(request.POST["year"]), int(request.POST["month"])
    count = services.four_goods_lock_month(user=request.user, organization=committee, year=year, month=month)
    messages.success(
        request, _("Đã khóa tháng %(m)d/%(y)d: %(n)d bản tự đánh giá.") % {"m": month, "y": year, "n": count}
    )
    return redirect(_committee_url(committee, year, month))


def _committee_url(committee, year, month):
    from django.urls import reverse

    return f"{reverse('evaluations:committee', args=[committee.pk])}?nam={year}&thang={month}"


@login_required
def quarterly_page(request, pk):
    committee = _visible_org(request, pk)
    today = timezone.localdate()
    year = _year(request)
    try:
        quarter = int(request.GET.get("quy") or ((today.month - 1) // 3 + 1))
    except ValueError:
        quarter = 1
    quarter = min(max(quarter, 1), 4)
    return render(
        request,
        "evaluations/quarterly.html",
        {
            "committee": committee,
            "year": year,
            "quarter": quarter,
            "roman": selectors.ROMAN[quarter],
            "view": selectors.quarterly_view(committee, year, quarter),
            "quarters": [(q, selectors.ROMAN[q]) for q in range(1, 5)],
        },
    )


@login_required
def four_goods_page(request, org_pk, year, month):
    """The month's four-goods self-assessment; lock and audited reopen (SCHEMES §3.2)."""
    organization = _visible_org(request, org_pk)
    if not (organization.is_cell or organization.kind == OrganizationKind.GRASSROOTS_COMMITTEE):
        raise Http404
    if not 1 <= month <= 12:
        raise Http404
    framework = selectors.four_goods_framework_for(organization)
    assessment = FourGoodsAssessment.objects.filter(organization=organization, year=year, month=month).first()
    can_file = can(request.user, FILE_MONTHLY, organization)
    can_lock = can(request.user, LOCK_MONTH, organization)
    if request.method == "POST" and request.POST.get("action") in ("lock", "reopen"):
        if not can_lock:
            raise Http404
        if request.POST["action"] == "lock":
            # The lock is a record of the month (issue 10, hole 8): it holds whether or not anything was filed.
            services.four_goods_lock_month(user=request.user, organization=organization, year=year, month=month)
            messages.success(request, _("Đã khóa tháng %(m)d/%(y)d.") % {"m": month, "y": year})
            return redirect("evaluations:four_goods", organization.pk, year, month)
        if assessment is None:
            raise Http404  # reopening is audited against the month's self-assessment (SCHEMES §3.2)
        reopen_form = ReopenForm(request.POST)
        if reopen_form.is_valid():
            try:
                services.four_goods_reopen(user=request.user, assessment=assessment, **reopen_form.cleaned_data)
            except ValidationError as error:
                _form_errors(reopen_form, error)
            else:
                messages.success(request, _("Đã mở lại tháng %(m)d/%(y)d.") % {"m": month, "y": year})
                return redirect("evaluations:four_goods", organization.pk, year, month)
        form = FourGoodsForm(initial=_four_goods_initial(assessment), framework=framework)
    elif request.method == "POST":
        if not can_file:
            raise Http404
        reopen_form = ReopenForm()
        form = FourGoodsForm(request.POST, framework=framework)
        if form.is_valid():
            data = form.service_data()
            try:
                vote_errors = services.four_goods_vote_errors(
                    organization=organization,
                    year=year,
                    month=month,
                    votes_for=data["votes_for"],
                    votes_against=data["votes_against"],
                )
                if vote_errors:
                    raise ValidationError(vote_errors)
                services.four_goods_save(user=request.user, organization=organization, year=year, month=month, **data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Đã lưu tự đánh giá tháng %(m)d/%(y)d.") % {"m": month, "y": year})
                return redirect("evaluations:four_goods", organization.pk, year, month)
    else:
        reopen_form = ReopenForm()
        form = FourGoodsForm(initial=_four_goods_initial(assessment), framework=framework)
    # The month's lock record, whether or not anything was filed (issue 10, hole 8).
    month_locked = services.month_is_locked(organization, year, month)
    return render(
        request,
        "evaluations/four_goods.html",
        {
            "organization": organization,
            "year": year,
            "month": month,
            "framework": framework,
            "pass_score": thresholds.for_organization(organization, year).pass_score or framework.pass_score,
            "assessment": assessment,
            "form": form,
            "reopen_form": reopen_form,
            "error_summary": _error_summary(form, fallback="fg-form") if form.is_bound else [],
            "reopenings": assessment.reopenings.select_related("reopened_by") if assessment else [],
            "can_file": can_file,
            "can_lock": can_lock,
            # A refused submission stays on screen with what was typed, even for a locked month.
            "show_form": can_file and (not month_locked or form.is_bound),
            "month_locked": month_locked,
        },
    )


def _four_goods_initial(assessment):
    if assessment is None:
        return None
    initial = {"votes_for": assessment.votes_for, "votes_against": assessment.votes_against}
    for code, value in assessment.points.items():
        initial[f"points_{code}"] = value
    for code, value in assessment.achieved.items():
        initial[f"achieved_{code}"] = value
    return initial


@login_required
def notifications_page(request):
    notifications = Notification.objects.for_user(request.user).select_related("organization")[:100]
    if request.method == "POST":
        Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
        return redirect("evaluations:notifications")
    return render(request, "evaluations/notifications.html", {"notifications": notifications})


@login_required
def attachment_download(request, pk):
    """A meeting's attachment, served only to those who may see the meeting (404 otherwise)."""
    attachment = get_object_or_404(MeetingAttachment.objects.visible_to(request.user), pk=pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.title or None)


@login_required
def meeting_minutes_pdf(request, pk):
    """The minutes (biên bản sinh hoạt chi bộ) of a saved meeting as an A4 PDF, scoped like the
    meeting page: whoever may see the meeting may print it, anyone else gets 404 (issue 11)."""
    from django.http import HttpResponse

    from .pdf import render_minutes

    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("cell", "cell__parent", "attendee_report__attendee"),
        pk=pk,
    )
    response = HttpResponse(render_minutes(meeting), content_type="application/pdf")
    filename = f"bien-ban-sinh-hoat-{meeting.cell_id}-{meeting.date:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
