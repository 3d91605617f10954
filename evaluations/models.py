"""Monthly work of a cell: meetings with attendance and scores, four-goods self-assessment.

Rules: SCHEMES §1.1 G2, §2 (meeting quality), §3.2 (four-goods monthly self-assessment).
The criteria engines read these records; the numbers computed when a meeting is
saved (attendance rate, speakers against the requirement, duration) are stored so
that block-wide reports need no recomputation.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models import Member, Organization
from registry.scoping import ScopedQuerySet


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

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

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

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_per_member")]

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
