"""Plans: the issuing documents' parameters stored as data (SCHEMES preamble, §1–§4).

Every number a rule uses comes from a plan's `params`, never from code, so a
committee copies a plan and changes numbers in the admin without a code change.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from registry.scoping import ScopedQuerySet


class Scheme(models.TextChoices):
    MODEL_CELL = "model_cell", _("Chi bộ kiểu mẫu")
    MEETING_QUALITY = "meeting_quality", _("Chất lượng sinh hoạt chi bộ")
    FOUR_GOODS = "four_goods", _("Chi bộ bốn tốt, đảng bộ cơ sở bốn tốt")
    EXEMPLARY = "exemplary", _("Mô hình, điển hình tiên tiến học tập và làm theo Bác")


class PlanQuerySet(ScopedQuerySet):
    """Plans issued by an organization are visible under it; plans with no issuer to everyone."""

    scope_lookup = "issuer__path"

    def visible_to(self, user, capability="view"):
        from registry.scoping import prefixes_for

        prefixes = prefixes_for(user, capability)
        if prefixes is None:
            return self
        # A plan binds everything under its issuer, so a cell sees its block's plans:
        # visible when the issuer is an ancestor of (or inside) one of the user's organizations.
        ancestor_q = models.Q(issuer__isnull=True)
        for prefix in prefixes:
            ancestor_ids = [int(part) for part in prefix.split(".")[:-1]]
            ancestor_q |= models.Q(issuer_id__in=ancestor_ids) | models.Q(issuer__path__startswith=prefix)
        return self.filter(ancestor_q)

    def for_scheme(self, scheme):
        return self.filter(scheme=scheme)


class Plan(models.Model):
    """One issuing document of a scheme, with every parameter its rules use."""

    scheme = models.CharField(_("phong trào"), max_length=20, choices=Scheme.choices)
    title = models.CharField(_("trích yếu"), max_length=255)
    issuer = models.ForeignKey(
        "registry.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("cơ quan ban hành"),
    )
    issuer_name = models.CharField(_("tên cơ quan ban hành"), max_length=255)
    number = models.CharField(_("số, ký hiệu"), max_length=50)
    issued_on = models.DateField(_("ngày ban hành"))
    period_start_year = models.PositiveSmallIntegerField(_("từ năm"))
    period_end_year = models.PositiveSmallIntegerField(_("đến năm"))
    source_file = models.CharField(_("tệp văn bản gốc"), max_length=100, blank=True)
    params = models.JSONField(_("tham số"), default=dict)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies", verbose_name=_("sao từ")
    )

    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kế hoạch, văn bản hướng dẫn")
        verbose_name_plural = _("kế hoạch, văn bản hướng dẫn")
        ordering = ["scheme", "-issued_on"]

    def __str__(self):
        return f"{self.number} — {self.title}"


class OrganizationYearQuerySet(ScopedQuerySet):
    scope_lookup = "organization__path"


class OrganizationYear(models.Model):
    """Yearly facts of a party organization that no registry or evaluations model holds.

    Each blank (None) field means "not recorded": the rules report it as missing data,
    never as met. Used by SCHEMES §1.2 E2, §3.1 parts 1–3 and §4.3.
    """

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="yearly_facts", verbose_name=_("tổ chức đảng")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    # New-member admission [000 §II.2.3(2), 002 §II.1.1]
    admission_target = models.PositiveSmallIntegerField(_("chỉ tiêu kết nạp đảng viên"), null=True, blank=True)
    admitted_count = models.PositiveSmallIntegerField(_("số đảng viên đã kết nạp"), null=True, blank=True)
    # Political task of the unit [002 §II.1.1, 003 §II.2.1]
    unit_targets_met = models.BooleanField(_("hoàn thành các chỉ tiêu, nhiệm vụ chính trị"), null=True, blank=True)
    # Grassroots committee meetings and congress [002 §II.2.2]
    committee_meetings = models.PositiveSmallIntegerField(_("số kỳ họp thường lệ của đảng ủy"), null=True, blank=True)
    congress_meetings = models.PositiveSmallIntegerField(_("số kỳ họp đảng bộ"), null=True, blank=True)
    organizations_disciplined = models.PositiveSmallIntegerField(
        _("số tổ chức đảng trực thuộc bị kỷ luật"), null=True, blank=True
    )
    # Exemplary collective [003 §II.2.1]
    directive05_planned = models.BooleanField(
        _("học tập, xây dựng kế hoạch thực hiện Chỉ thị 05 trong năm"), null=True, blank=True
    )
    directive05_in_agenda = models.BooleanField(
        _("đưa việc học tập và làm theo Bác vào nội dung sinh hoạt thường kỳ"), null=True, blank=True
    )
    initiatives_commended = models.BooleanField(
        _("có giải pháp, sáng kiến; được cấp có thẩm quyền tuyên dương, khen thưởng"), null=True, blank=True
    )
    note = models.TextField(_("ghi chú"), blank=True)

    objects = OrganizationYearQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("số liệu năm của tổ chức đảng")
        verbose_name_plural = _("số liệu năm của tổ chức đảng")
        ordering = ["organization", "-year"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="one_organization_year")]

    def __str__(self):
        return f"{self.organization} {self.year}"


class MemberNominationQuerySet(ScopedQuerySet):
    scope_lookup = "member__memberships__cell__path"
    scope_through_many = True


class MemberNomination(models.Model):
    """A direct worker's nomination as an exemplar [003 §II.2.2 last bullet], one per member and year."""

    member = models.ForeignKey(
        "registry.Member", on_delete=models.CASCADE, related_name="exemplary_nominations", verbose_name=_("đảng viên")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    nominated_by_grassroots = models.BooleanField(_("được cơ sở suy tôn, bình xét"), null=True, blank=True)
    trusted = models.BooleanField(_("được lãnh đạo và tập thể người lao động tín nhiệm"), null=True, blank=True)
    confirmed_by_committee = models.BooleanField(_("được cấp ủy xác nhận, đề nghị"), null=True, blank=True)

    objects = MemberNominationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bình xét điển hình cá nhân")
        verbose_name_plural = _("bình xét điển hình cá nhân")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="one_member_nomination_per_year")]

    def __str__(self):
        return f"{self.member} {self.year}"


class VerdictQuerySet(ScopedQuerySet):
    scope_lookup = "organization__path"

    def stale(self):
        return self.filter(stale_since__isnull=False)


class Verdict(models.Model):
    """The engine's explained result for one organization, scheme and year, stored (issue 12).

    Pages that show many subjects read these rows instead of running the engines per view.
    A write to a fact the scheme reads sets `facts_changed_at` (and `stale_since`, the oldest
    write not yet taken into account); a refresh that started after the last change clears
    `stale_since`. `facts_as_of` is the facts' version the result was computed from: the
    moment the computation began reading them.
    """

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="verdicts", verbose_name=_("tổ chức đảng")
    )
    scheme = models.CharField(_("phong trào"), max_length=20, choices=Scheme.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("kế hoạch")
    )
    plan_number = models.CharField(_("số kế hoạch"), max_length=50, blank=True)
    eligible = models.BooleanField(_("đủ điều kiện"))
    near_miss = models.BooleanField(_("còn thiếu 1 tiêu chí"))
    missing_data = models.BooleanField(_("thiếu dữ liệu"))
    failing_count = models.PositiveSmallIntegerField(_("số tiêu chí chưa đạt"))
    met_count = models.PositiveSmallIntegerField(_("số tiêu chí đạt"))
    excellent_years = models.PositiveSmallIntegerField(_("số năm hoàn thành xuất sắc"), default=0)
    statuses = models.JSONField(_("kết quả từng tiêu chí"), default=dict)  # {code: status}, for SQL filters
    result = models.JSONField(_("kết quả đầy đủ"), default=dict)  # SchemeResult.as_dict()
    computed_at = models.DateTimeField(_("tính lúc"))
    facts_as_of = models.DateTimeField(_("theo số liệu đến"))
    facts_changed_at = models.DateTimeField(_("số liệu thay đổi lúc"), null=True, blank=True)
    stale_since = models.DateTimeField(_("cần tính lại từ"), null=True, blank=True, db_index=True)

    objects = VerdictQuerySet.as_manager()

    class Meta:
        verbose_name = _("kết quả đối chiếu đã lưu")
        verbose_name_plural = _("kết quả đối chiếu đã lưu")
        constraints = [
            models.UniqueConstraint(fields=["organization", "scheme", "year"], name="one_verdict_per_subject_year")
        ]
        indexes = [
            models.Index(fields=["scheme", "year", "eligible"], name="verdict_scheme_year"),
            # verdicts.version(): two index-only maxima tell every process when figures must be recomputed.
            models.Index(fields=["computed_at"], name="verdict_computed_at"),
            models.Index(fields=["facts_changed_at"], name="verdict_facts_changed_at"),
        ]

    def __str__(self):
        return f"{self.organization_id} {self.scheme} {self.year}"

    @property
    def stale(self):
        return self.stale_since is not None
