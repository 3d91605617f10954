"""Monthly work of a cell: meetings with attendance and scores, four-goods self-assessment.

Rules: SCHEMES §1.1 G2, §2 (meeting quality), §3.2 (four-goods monthly self-assessment).
The criteria engines read these records; the numbers computed when a meeting is
saved (attendance rate, speakers against the requirement, duration) are stored so
that block-wide reports need no recomputation.
"""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from registry.models import Member, Organization
from registry.scoping import ScopedQuerySet
from registry.validators import validate_evidence_size


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Sinh hoạt thường kỳ")
    THEMATIC = "thematic", _("Sinh hoạt chuyên đề")
    COMBINED = "combined", _("Thường kỳ kết hợp chuyên đề")


class QualityLevel(models.TextChoices):
    """Meeting quality levels [001 §III.4], highest first."""

    GOOD = "good", _("Tốt")
    FAIR = "fair", _("Khá")
    AVERAGE = "average", _("Trung bình")
    POOR = "poor", _("Kém")


class MeetingQuerySet(ScopedQuerySet):
    scope_lookup = "cell__path"

    def regular(self):
        """Meetings that count as the month's regular meeting (combined ones included)."""
        return self.filter(kind__in=[MeetingKind.REGULAR, MeetingKind.COMBINED])

    def thematic(self):
        return self.filter(kind__in=[MeetingKind.THEMATIC, MeetingKind.COMBINED])


class Meeting(models.Model):
    """One meeting of a cell, with its computed figures stored."""

    cell = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("chi bộ"))
    date = models.DateField(_("ngày họp"))
    start_time = models.TimeField(_("bắt đầu"), null=True, blank=True)
    end_time = models.TimeField(_("kết thúc"), null=True, blank=True)
    kind = models.CharField(_("hình thức"), max_length=10, choices=MeetingKind.choices, default=MeetingKind.REGULAR)
    topic = models.CharField(_("chủ đề chuyên đề"), max_length=255, blank=True)
    agenda = models.TextField(_("nội dung"), blank=True)
    conclusions = models.TextField(_("kết luận"), blank=True)
    resolution = models.TextField(_("nghị quyết"), blank=True)

    # Computed on save from the attendance (SCHEMES §1.1 G2, §2.1); exempted members are off the roll.
    roll_size = models.PositiveSmallIntegerField(_("tổng số đảng viên phải dự"), default=0)
    present_count = models.PositiveSmallIntegerField(_("có mặt"), default=0)
    excused_count = models.PositiveSmallIntegerField(_("vắng có lý do"), default=0)
    unexcused_count = models.PositiveSmallIntegerField(_("vắng không lý do"), default=0)
    attendance_rate = models.DecimalField(_("tỷ lệ dự họp (%)"), max_digits=5, decimal_places=2, default=0)
    speakers_count = models.PositiveSmallIntegerField(_("số đảng viên phát biểu"), default=0)
    required_speakers = models.PositiveSmallIntegerField(_("số phát biểu tối thiểu"), default=0)
    duration_minutes = models.PositiveSmallIntegerField(_("thời lượng (phút)"), null=True, blank=True)
    required_minutes = models.PositiveSmallIntegerField(_("thời lượng tối thiểu (phút)"), default=90)

    self_score = models.DecimalField(_("điểm chi bộ tự chấm"), max_digits=5, decimal_places=2, null=True, blank=True)
    decided_score = models.DecimalField(
        _("điểm cấp trên quyết định"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Khi có cán bộ cấp trên dự, điểm này thay điểm tự chấm [001 §III.4]."),
    )
    quality_level = models.CharField(_("xếp loại chất lượng"), max_length=8, choices=QualityLevel.choices, blank=True)
    # The framework the meeting was scored on, its per-section self-scores and the members' vote
    # (SCHEMES §2.1: the cell committee proposes, members comment and vote).
    framework = models.ForeignKey(
        "MeetingQualityFramework",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("khung chấm điểm"),
    )
    section_scores = models.JSONField(_("điểm tự chấm từng phần"), default=dict, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("số tán thành"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("số không tán thành"), default=0)
    # Who chaired and who recorded the minutes; both are members present at the meeting
    # (checked by services.check_minutes_roles). Blank on records made before these fields.
    chair = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("chủ trì")
    )
    recorder = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("thư ký ghi biên bản"),
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("buổi sinh hoạt chi bộ")
        verbose_name_plural = _("buổi sinh hoạt chi bộ")
        ordering = ["-date"]
        indexes = [models.Index(fields=["cell", "date"], name="meeting_cell_date")]

    def __str__(self):
        return f"{self.cell} — {self.date:%d/%m/%Y}"

    @property
    def effective_score(self):
        """The attendee's decided score where one came, else the cell's own [001 §III.4(3)]."""
        return self.decided_score if self.decided_score is not None else self.self_score


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Có mặt")
    EXCUSED = "excused", _("Vắng có lý do")
    UNEXCUSED = "unexcused", _("Vắng không lý do")


class AttendanceQuerySet(ScopedQuerySet):
    scope_lookup = "meeting__cell__path"


class Attendance(models.Model):
    """One member's attendance at one meeting; only members on the roll that day."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("buổi họp")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("đảng viên")
    )
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=AttendanceStatus.choices, default=AttendanceStatus.PRESENT
    )
    reason = models.CharField(_("lý do vắng"), max_length=255, blank=True)
    spoke = models.BooleanField(_("phát biểu"), default=False)

    objects = AttendanceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_per_member")]
        indexes = [
            # Absences are about 4% of attendance rows: the criteria loader (consecutive absences,
            # SCHEMES §2.2 T2) reads them through this small index instead of scanning every row.
            models.Index(
                fields=["meeting"],
                include=["member", "status"],
                name="attendance_absences",
                condition=~models.Q(status=AttendanceStatus.PRESENT),
            )
        ]

    def __str__(self):
        return f"{self.member}: {self.get_status_display()}"


class FourGoodsAssessmentQuerySet(ScopedQuerySet):
    scope_lookup = "organization__path"


class FourGoodsAssessment(models.Model):
    """A month's four-goods self-assessment of a cell or a grassroots committee (SCHEMES §3.2).

    `points` and `achieved` are keyed by criterion code FG1..FG4; `passed` is computed
    by the plan's rule when saved (default: every criterion achieved and score >= 90).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="four_goods_assessments", verbose_name=_("tổ chức đảng")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    month = models.PositiveSmallIntegerField(_("tháng"))
    points = models.JSONField(_("điểm từng tiêu chí"), default=dict)
    achieved = models.JSONField(_("đạt từng tiêu chí"), default=dict)
    score = models.DecimalField(_("tổng điểm"), max_digits=5, decimal_places=2, default=0)
    passed = models.BooleanField(_("đạt"), default=False)
    votes_for = models.PositiveSmallIntegerField(_("số tán thành"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("số không tán thành"), default=0)
    locked_at = models.DateTimeField(_("khóa lúc"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = FourGoodsAssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tự đánh giá bốn tốt hằng tháng")
        verbose_name_plural = _("tự đánh giá bốn tốt hằng tháng")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "month"], name="one_four_goods_per_month"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="four_goods_month_range"),
        ]

    def __str__(self):
        return f"{self.organization} {self.month:02d}/{self.year}"

    @property
    def is_locked(self):
        return self.locked_at is not None


# --------------------------------------------------------------------------------------
# Plan parameters stored as data (SCHEMES preamble: "every number is a parameter of a plan").


class FrameworkQuerySet(models.QuerySet):
    def for_organization(self, organization):
        """The framework adopted by the nearest ancestor of `organization`, else the general default."""
        return self.for_organizations([organization])[getattr(organization, "pk", None)]

    def for_organizations(self, organizations):
        """{organization pk: its framework} for many organizations, in one query: the one adopted by
        the nearest ancestor, else the general default, else any active one (None: none stored)."""
        candidates = list(self.filter(is_active=True).select_related("organization"))
        return {getattr(o, "pk", None): _nearest_framework(candidates, o) for o in organizations}


def _nearest_framework(candidates, organization):
    path = organization.path if organization is not None else ""
    best = None
    for framework in candidates:
        if framework.organization_id is None:
            if best is None and framework.is_default:
                best = framework
            continue
        if path.startswith(framework.organization.path) and (
            best is None or best.organization_id is None or best.organization.depth < framework.organization.depth
        ):
            best = framework
    return best or next(iter(candidates), None)


class MeetingQualityFramework(models.Model):
    """The meeting-quality scoring framework a plan adopts (SCHEMES §2.1, [001 §III.4]).

    Holds the sections and their points, the level thresholds, and the requirements every
    meeting is measured against: speakers by cell size, minimum duration, attendance target
    and the consecutive-absence limit (Guidance 12-HD/BTCTW as restated in SCHEMES §1.1 G2, §2.1).
    """

    name = models.CharField(_("tên khung"), max_length=255)
    document = models.CharField(_("văn bản ban hành"), max_length=120, blank=True)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meeting_frameworks",
        verbose_name=_("áp dụng cho tổ chức"),
        help_text=_("Để trống: khung mặc định cho mọi tổ chức."),
    )
    is_default = models.BooleanField(_("mặc định"), default=False)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    good_min = models.DecimalField(_("tốt từ (điểm)"), max_digits=5, decimal_places=2, default=90)
    fair_min = models.DecimalField(_("khá từ (điểm)"), max_digits=5, decimal_places=2, default=70)
    average_min = models.DecimalField(_("trung bình từ (điểm)"), max_digits=5, decimal_places=2, default=50)
    small_cell_below = models.PositiveSmallIntegerField(_("chi bộ nhỏ: dưới (đảng viên)"), default=10)
    large_cell_above = models.PositiveSmallIntegerField(_("chi bộ lớn: trên (đảng viên)"), default=30)
    speakers_small = models.PositiveSmallIntegerField(_("phát biểu tối thiểu, chi bộ nhỏ"), default=3)
    speakers_medium = models.PositiveSmallIntegerField(_("phát biểu tối thiểu, chi bộ vừa"), default=5)
    speakers_large = models.PositiveSmallIntegerField(_("phát biểu tối thiểu, chi bộ lớn"), default=8)
    regular_minutes = models.PositiveSmallIntegerField(_("thời lượng tối thiểu (phút)"), default=90)
    combined_minutes = models.PositiveSmallIntegerField(
        _("thời lượng tối thiểu khi kết hợp chuyên đề (phút)"), default=120
    )
    attendance_target = models.DecimalField(_("tỷ lệ dự họp yêu cầu (%)"), max_digits=5, decimal_places=2, default=95)
    max_consecutive_absences = models.PositiveSmallIntegerField(_("vắng liên tiếp tối đa"), default=3)

    objects = FrameworkQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("khung chấm điểm sinh hoạt chi bộ")
        verbose_name_plural = _("khung chấm điểm sinh hoạt chi bộ")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def total_points(self):
        return sum(section.points for section in self.sections.all())

    def required_speakers(self, roll_size):
        """Fewer than 10 members: 3; 10 to 30: 5; more than 30: 8 (SCHEMES §1.1 G2)."""
        if roll_size < self.small_cell_below:
            return self.speakers_small
        if roll_size > self.large_cell_above:
            return self.speakers_large
        return self.speakers_medium

    def required_minutes(self, kind):
        """90 minutes, 120 when combined with a thematic meeting (SCHEMES §2.1)."""
        return self.combined_minutes if kind == MeetingKind.COMBINED else self.regular_minutes

    def level_for(self, score):
        """Good ≥ 90, fair 70 to < 90, average 50 to < 70, poor < 50 by default (SCHEMES §2.1)."""
        if score is None:
            return ""
        if score >= self.good_min:
            return QualityLevel.GOOD
        if score >= self.fair_min:
            return QualityLevel.FAIR
        if score >= self.average_min:
            return QualityLevel.AVERAGE
        return QualityLevel.POOR


class FrameworkSection(models.Model):
    """A section of the meeting-quality framework with its maximum points."""

    framework = models.ForeignKey(MeetingQualityFramework, on_delete=models.CASCADE, related_name="sections")
    code = models.SlugField(_("mã"), max_length=30)
    title = models.CharField(_("nội dung"), max_length=255)
    points = models.PositiveSmallIntegerField(_("điểm tối đa"))
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phần của khung chấm điểm")
        verbose_name_plural = _("phần của khung chấm điểm")
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="unique_framework_section")]

    def __str__(self):
        return f"{self.title} ({self.points})"


class FourGoodsFramework(models.Model):
    """The four-goods monthly criteria framework and pass rule (SCHEMES §3.2, [004 §II.4.2])."""

    name = models.CharField(_("tên khung"), max_length=255)
    document = models.CharField(_("văn bản ban hành"), max_length=120, blank=True)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="four_goods_frameworks",
        verbose_name=_("áp dụng cho tổ chức"),
    )
    is_default = models.BooleanField(_("mặc định"), default=False)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    criteria = models.JSONField(
        _("tiêu chí"), default=list, help_text=_('Danh sách {"code": "FG1", "title": "...", "points": 25}.')
    )
    pass_score = models.DecimalField(_("điểm tối thiểu để đạt"), max_digits=5, decimal_places=2, default=90)
    all_criteria_required = models.BooleanField(_("phải đạt mọi tiêu chí"), default=True)

    objects = FrameworkQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("khung tiêu chí bốn tốt")
        verbose_name_plural = _("khung tiêu chí bốn tốt")

    def __str__(self):
        return self.name

    @property
    def codes(self):
        return [c["code"] for c in self.criteria]

    def max_points(self, code):
        return next((c["points"] for c in self.criteria if c["code"] == code), 0)

    def passes(self, points, achieved):
        """Pass when every criterion is achieved and the score ≥ 90 by default (SCHEMES §3.2)."""
        score = sum(points.get(code, 0) or 0 for code in self.codes)
        every = all(achieved.get(code) for code in self.codes)
        return (every or not self.all_criteria_required) and score >= self.pass_score


# --------------------------------------------------------------------------------------
# Schedule, postponements, attendees (SCHEMES §2.1, [001 §III.2]).


class OrgScopedQuerySet(ScopedQuerySet):
    scope_lookup = "cell__path"


class MeetingSchedule(models.Model):
    """A cell's registered regular meeting day ("chỉ báo hoãn, không báo họp" [001 §III.2(1)])."""

    cell = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="meeting_schedule")
    day_of_month = models.PositiveSmallIntegerField(_("ngày sinh hoạt hằng tháng"))
    start_time = models.TimeField(_("giờ bắt đầu"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lịch sinh hoạt chi bộ")
        verbose_name_plural = _("lịch sinh hoạt chi bộ")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_of_month__gte=1, day_of_month__lte=28), name="schedule_day_range"
            )
        ]

    def __str__(self):
        return f"{self.cell}: {self.day_of_month}"


class Postponement(models.Model):
    """A reported postponement of a scheduled meeting, with reason and new date."""

    cell = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="meeting_postponements")
    original_date = models.DateField(_("ngày họp theo lịch"))
    new_date = models.DateField(_("ngày họp mới"))
    reason = models.CharField(_("lý do hoãn"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("báo hoãn sinh hoạt")
        verbose_name_plural = _("báo hoãn sinh hoạt")
        ordering = ["-original_date"]
        constraints = [models.UniqueConstraint(fields=["cell", "original_date"], name="one_postponement_per_date")]

    def __str__(self):
        return f"{self.cell}: {self.original_date} → {self.new_date}"


class AttendeeAssignment(models.Model):
    """Upper-level staff assigned to attend a cell's meetings for a period [001 §III.2(2)]."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attendee_assignments",
        verbose_name=_("cán bộ dự"),
    )
    cell = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="attendee_assignments", verbose_name=_("chi bộ")
    )
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phân công dự sinh hoạt")
        verbose_name_plural = _("phân công dự sinh hoạt")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="assignment_end_after_start"
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.cell}"


class AttendeeReportQuerySet(ScopedQuerySet):
    scope_lookup = "meeting__cell__path"


class AttendeeReport(models.Model):
    """The upper-level attendee's report; its decided score replaces the self-score [001 §III.4(2),(3)]."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="attendee_report")
    attendee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendee_reports")
    assignment = models.ForeignKey(
        AttendeeAssignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    arrived_at = models.TimeField(_("thời gian dự"), null=True, blank=True)
    unit_situation = models.TextField(_("tình hình cơ sở và chi bộ"), blank=True)
    meeting_conduct = models.TextField(_("tình hình tổ chức sinh hoạt"))
    issues_raised = models.TextField(_("những vấn đề đã trao đổi, có ý kiến"), blank=True)
    issues_answered = models.TextField(_("những vấn đề tiếp thu, đã báo cáo"), blank=True)
    assessment = models.TextField(_("đánh giá chất lượng sinh hoạt"))
    decided_score = models.DecimalField(_("điểm quyết định"), max_digits=5, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AttendeeReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("báo cáo dự sinh hoạt chi bộ")
        verbose_name_plural = _("báo cáo dự sinh hoạt chi bộ")

    def __str__(self):
        return f"{self.meeting} — {self.attendee}"


class MeetingAttachmentQuerySet(ScopedQuerySet):
    scope_lookup = "meeting__cell__path"


class MeetingAttachment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("tệp"),
        upload_to="meetings/%Y/%m/",
        validators=[FileExtensionValidator(settings.EVIDENCE_EXTENSIONS), validate_evidence_size],
    )
    title = models.CharField(_("tên tệp"), max_length=255, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingAttachmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self):
        return self.title or self.file.name


class FourGoodsReopenQuerySet(ScopedQuerySet):
    scope_lookup = "assessment__organization__path"


class FourGoodsReopen(models.Model):
    """The audit record of reopening a locked month: who, when, why (SCHEMES §3.2)."""

    assessment = models.ForeignKey(FourGoodsAssessment, on_delete=models.CASCADE, related_name="reopenings")
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(_("lý do mở lại"))
    previous_locked_at = models.DateTimeField(null=True, blank=True)
    previous_locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous_values = models.JSONField(default=dict)

    objects = FourGoodsReopenQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mở lại tháng đã khóa")
        verbose_name_plural = _("mở lại tháng đã khóa")
        ordering = ["-reopened_at"]

    def __str__(self):
        return f"{self.assessment} — {self.reopened_at:%d/%m/%Y}"


class MonthLockQuerySet(ScopedQuerySet):
    scope_lookup = "organization__path"

    def active(self):
        return self.filter(reopened_at__isnull=True)

    def covering(self, organization, year, month):
        """Active locks of the month set by `organization` or any of its ancestors (path prefixes)."""
        parts = organization.path.split(".")[:-1]
        ancestors = [".".join(parts[: i + 1]) + "." for i in range(len(parts))]
        return self.active().filter(organization__path__in=ancestors, year=year, month=month)


class MonthLock(models.Model):
    """A locked month of an organization's whole subtree (SCHEMES §3.2; issue 10, hole 8).

    A record of its own, not a flag on filed self-assessments: every monthly write (meetings,
    attendance, four-goods months, attendee reports) of any organization under it is refused
    while it is active, whether or not anything was filed. Reopening closes the row (who, when,
    why) instead of deleting it; a later lock is a new row.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="month_locks", verbose_name=_("tổ chức đảng")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    month = models.PositiveSmallIntegerField(_("tháng"))
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField(_("khóa lúc"))
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(_("mở lại lúc"), null=True, blank=True)
    reopen_reason = models.TextField(_("lý do mở lại"), blank=True)

    objects = MonthLockQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("khóa tháng")
        verbose_name_plural = _("khóa tháng")
        ordering = ["-year", "-month", "-locked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "month"],
                condition=models.Q(reopened_at__isnull=True),
                name="one_active_month_lock",
            ),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="month_lock_month_range"),
        ]

    def __str__(self):
        return f"{self.organization} {self.month:02d}/{self.year}"

    @property
    def is_active(self):
        return self.reopened_at is None


# --------------------------------------------------------------------------------------
# Reminders and in-app notifications.


class ReminderKind(models.TextChoices):
    MONTHLY_MISSING = "monthly_missing", _("Thiếu biên bản sinh hoạt hoặc tự đánh giá tháng")


class MonthlyReminder(models.Model):
    """One reminder per organization, month and kind: what makes the beat task idempotent."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="monthly_reminders")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    missing = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FourGoodsAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhắc việc hằng tháng")
        verbose_name_plural = _("nhắc việc hằng tháng")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "month", "kind"], name="one_reminder_per_month")
        ]

    def __str__(self):
        return f"{self.organization} {self.month:02d}/{self.year}"


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app notification for one user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reminder = models.ForeignKey(
        MonthlyReminder, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "reminder"], name="one_notification_per_reminder_and_user")
        ]

    def __str__(self):
        return self.title
