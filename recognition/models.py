"""Registrations for recognition, their workflow, decisions and conferences (SCHEMES §1.3, §3.2–3.3, §4, §5).

The workflow is an explicit state machine (django-fsm-2) generated from the table of
transitions in recognition/workflow.py: its methods only move the state, guarded by the
table's conditions and permissions. Every move is made by one service
(recognition/services/transitions.py), which locks the row, re-checks the table on the
stored row and writes an immutable `Transition` row with the eligibility snapshot.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin
from simple_history.models import HistoricalRecords

from criteria.models import Scheme
from registry.scoping import ScopedQuerySet, prefixes_for
from registry.validators import validate_evidence_size

from .states import OPEN_STATES, State
from .workflow import TransitionMethods

__all__ = ["OPEN_STATES", "State"]  # kept importable from here


class SubjectKind(models.TextChoices):
    ORGANIZATION = "organization", _("Tổ chức đảng")
    MODEL = "model", _("Mô hình tập thể")
    MEMBER = "member", _("Cá nhân điển hình")


class RegistrationQuerySet(ScopedQuerySet):
    """Visible under the subject's organization, and to the deciding authority's people."""

    scope_lookup = "organization__path"

    def visible_to(self, user, capability="view"):
        prefixes = prefixes_for(user, capability)
        if prefixes is None:
            return self
        query = self._prefix_q("organization__path", prefixes) | self._prefix_q("registrant__path", prefixes)
        return self.filter(query)

    def for_year(self, scheme, year):
        return self.filter(scheme=scheme, year=year)


class Registration(TransitionMethods, FSMModelMixin, models.Model):
    """One subject registered for one scheme, plan and year (SCHEMES §5).

    Its state machine's methods come from the table in recognition/workflow.py (TransitionMethods).
    """

    plan = models.ForeignKey(
        "criteria.Plan", on_delete=models.PROTECT, related_name="registrations", verbose_name=_("kế hoạch")
    )
    scheme = models.CharField(_("phong trào"), max_length=20, choices=Scheme.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    phase = models.CharField(_("giai đoạn"), max_length=20, blank=True, help_text=_("Ví dụ: 2021-2023"))
    subject_kind = models.CharField(_("loại đối tượng"), max_length=16, choices=SubjectKind.choices)
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="recognition_registrations",
        verbose_name=_("tổ chức (đơn vị thực hiện)"),
    )
    member = models.ForeignKey(
        "registry.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recognition_registrations",
        verbose_name=_("đảng viên"),
    )
    member_position = models.CharField(_("chức vụ"), max_length=255, blank=True)
    model_name = models.CharField(_("tên mô hình"), max_length=255, blank=True)
    model_type = models.PositiveSmallIntegerField(
        _("loại mô hình"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    registrant = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="recognition_registered",
        verbose_name=_("tổ chức đăng ký"),
    )
    authority = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="recognition_decided",
        verbose_name=_("cấp có thẩm quyền công nhận"),
    )
    needs_grassroots_appraisal = models.BooleanField(_("cần đảng ủy cơ sở thẩm định"), default=False)
    state = FSMField(_("trạng thái"), default=State.DRAFT, choices=State.choices)
    deadline = models.DateField(_("hạn đăng ký"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    is_late = models.BooleanField(_("gửi quá hạn"), default=False)
    commendation_proposed = models.BooleanField(_("đề nghị biểu dương tiêu biểu"), default=False)
    commended = models.BooleanField(_("được biểu dương tiêu biểu"), default=False)
    return_request = models.TextField(_("yêu cầu bổ sung"), blank=True)
    rejection_reason = models.TextField(_("lý do không công nhận"), blank=True)
    revocation_reason = models.TextField(_("lý do hủy bỏ"), blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    conference = models.ForeignKey(
        "Conference",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
        verbose_name=_("hội nghị Ban Thường vụ"),
    )
    decision = models.ForeignKey(
        "Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("quyết định công nhận"),
    )
    revocation_decision = models.ForeignKey(
        "Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revoked_registrations",
        verbose_name=_("quyết định hủy bỏ"),
    )
    eligibility = models.JSONField(_("kết quả đánh giá tiêu chí gần nhất"), default=dict, blank=True)
    # Recognized although the verdict recomputed at the decision said "not eligible" (issue 12):
    # kept here so lists mark it without reading the transitions; who and when are on the Transition.
    recognized_over_verdict = models.BooleanField(_("công nhận dù chưa đủ điều kiện"), default=False)
    override_reason = models.TextField(_("lý do công nhận dù chưa đủ điều kiện"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("người tạo")
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)

    objects = RegistrationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đăng ký công nhận")
        verbose_name_plural = _("đăng ký công nhận")
        ordering = ["-year", "scheme", "organization__path", "pk"]
        indexes = [models.Index(fields=["scheme", "year", "state"], name="registration_scheme_year")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(subject_kind="organization", member__isnull=True, model_name="")
                    | Q(subject_kind="member", member__isnull=False, model_name="")
                    | (Q(subject_kind="model", member__isnull=True, model_type__isnull=False) & ~Q(model_name=""))
                ),
                name="registration_subject_consistent",
            ),
        ]

    def __str__(self):
        return f"{self.subject_name} — {self.get_scheme_display()} {self.year}"

    @property
    def subject_name(self):
        if self.subject_kind == SubjectKind.MEMBER:
            return str(self.member)
        if self.subject_kind == SubjectKind.MODEL:
            return self.model_name
        return self.organization.name

    @property
    def authority_decides_after_grassroots(self):
        """A subordinate cell's four-goods result is decided by its grassroots committee (SCHEMES §3.3)."""
        return self.needs_grassroots_appraisal and self.authority_id == self._grassroots_id()

    def _grassroots_id(self):
        grassroots = self.organization.grassroots()
        return grassroots.pk if grassroots else None

    @property
    def board_role(self):
        """Propaganda board for exemplary models, organization board otherwise (SCHEMES §5)."""
        return "propaganda_board" if self.scheme == Scheme.EXEMPLARY else "org_board"


def evidence_path(instance, filename):
    return f"recognition/evidence/{timezone.now():%Y}/{filename}"


class EvidenceQuerySet(ScopedQuerySet):
    scope_lookup = "registration__organization__path"

    def visible_to(self, user, capability="view"):
        return self.filter(registration__in=Registration.objects.visible_to(user, capability))


class Evidence(models.Model):
    """An evidence file attached to a registration by the registrant."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="evidence_files", verbose_name=_("đăng ký")
    )
    title = models.CharField(_("tên tài liệu"), max_length=255)
    file = models.FileField(
        _("tệp"),
        upload_to=evidence_path,
        validators=[FileExtensionValidator(settings.EVIDENCE_EXTENSIONS), validate_evidence_size],
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = EvidenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tài liệu minh chứng")
        verbose_name_plural = _("tài liệu minh chứng")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.title


class TransitionQuerySet(ScopedQuerySet):
    def visible_to(self, user, capability="view"):
        return self.filter(registration__in=Registration.objects.visible_to(user, capability))


class Transition(models.Model):
    """One move of a registration: who, when, from/to, comment, eligibility snapshot. Immutable."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("đăng ký")
    )
    action = models.CharField(_("thao tác"), max_length=32)
    from_state = models.CharField(_("từ trạng thái"), max_length=24, choices=State.choices)
    to_state = models.CharField(_("sang trạng thái"), max_length=24, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    acting_for = models.ForeignKey(
        "registry.Organization",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("thay mặt tổ chức"),
    )
    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    comment = models.TextField(_("ý kiến"), blank=True)
    eligibility = models.JSONField(_("kết quả đánh giá tiêu chí tại thời điểm này"), default=dict)
    eligible = models.BooleanField(_("đủ điều kiện"), null=True)
    overrode_verdict = models.BooleanField(_("vượt kết quả đối chiếu tiêu chí"), default=False)
    override_reason = models.TextField(_("lý do công nhận dù chưa đủ điều kiện"), blank=True)

    objects = TransitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.registration_id}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValidationError(_("Nhật ký xử lý không được sửa."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Nhật ký xử lý không được xóa."))


class TransitionAttachment(models.Model):
    """A file attached to one transition (e.g. the board's appraisal report)."""

    transition = models.ForeignKey(Transition, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("tệp"),
        upload_to=evidence_path,
        validators=[FileExtensionValidator(settings.EVIDENCE_EXTENSIONS), validate_evidence_size],
    )
    title = models.CharField(_("tên tài liệu"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("tệp đính kèm bước xử lý")
        verbose_name_plural = _("tệp đính kèm bước xử lý")

    def __str__(self):
        return self.title or self.file.name


class ConferenceQuerySet(ScopedQuerySet):
    scope_lookup = "authority__path"


class GenerationState(models.TextChoices):
    IDLE = "idle", _("Chưa ban hành")
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang tạo quyết định")
    DONE = "done", _("Đã hoàn thành")
    FAILED = "failed", _("Lỗi")


class Conference(models.Model):
    """A conference of a standing committee (hội nghị Ban Thường vụ) that decides recognitions."""

    authority = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="conferences", verbose_name=_("cấp ủy")
    )
    scheme = models.CharField(_("phong trào"), max_length=20, choices=Scheme.choices)
    plan = models.ForeignKey("criteria.Plan", on_delete=models.PROTECT, related_name="+", verbose_name=_("kế hoạch"))
    year = models.PositiveSmallIntegerField(_("năm"))
    held_on = models.DateField(_("ngày họp"))
    title = models.CharField(_("tên hội nghị"), max_length=255, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=50, default="BÍ THƯ")
    signer_name = models.CharField(_("họ tên người ký"), max_length=120, blank=True)
    generation_state = models.CharField(
        _("tiến độ ban hành"), max_length=10, choices=GenerationState.choices, default=GenerationState.IDLE
    )
    generation_total = models.PositiveIntegerField(default=0)
    generation_done = models.PositiveIntegerField(default=0)
    generation_error = models.TextField(blank=True)
    generation_updated_at = models.DateTimeField(null=True, blank=True)

    objects = ConferenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hội nghị Ban Thường vụ")
        verbose_name_plural = _("hội nghị Ban Thường vụ")
        ordering = ["-held_on", "pk"]

    def __str__(self):
        return self.title or f"{self.authority} — {self.held_on:%d/%m/%Y}"

    def progress(self):
        return {
            "state": self.generation_state,
            "state_display": self.get_generation_state_display(),
            "total": self.generation_total,
            "done": self.generation_done,
            "percent": round(100 * self.generation_done / self.generation_total) if self.generation_total else 0,
            "error": self.generation_error,
        }


class DecisionCounter(models.Model):
    """The last decision number per issuing body and year; locked while numbering (SCHEMES §5)."""

    issuer = models.ForeignKey("registry.Organization", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    # No history here: the number is advanced with an atomic UPDATE, which history would not
    # see, and every number taken is already recorded by the Decision (with its history).

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="one_decision_counter_per_issuer_year")]

    def __str__(self):
        return f"{self.issuer} {self.year}: {self.last_number}"


class DecisionKind(models.TextChoices):
    SINGLE = "single", _("Quyết định công nhận")
    COLLECTIVE = "collective", _("Quyết định công nhận (kèm danh sách)")
    REVOCATION = "revocation", _("Quyết định hủy bỏ công nhận")


class DecisionQuerySet(ScopedQuerySet):
    """Visible to the issuer's people and to the organizations the decision names."""

    scope_lookup = "issuer__path"

    def visible_to(self, user, capability="view"):
        prefixes = prefixes_for(user, capability)
        if prefixes is None:
            return self
        named = Registration.objects.filter(self._prefix_q("organization__path", prefixes))
        return self.filter(
            self._prefix_q("issuer__path", prefixes)
            | Q(pk__in=named.values("decision_id"))
            | Q(pk__in=named.values("revocation_decision_id"))
        )


def _decision_history_user(instance, request=None, **kwargs):
    """Who a decision's historical row names: the request's user, else the issuing user.

    Decisions of a conference are generated by a Celery task, outside any request; the row
    then names the standing-committee member who issued them (`issued_by`).
    """
    if request is not None and request.user.is_authenticated:
        return request.user
    return instance.issued_by


def decision_pdf_path(instance, filename):
    return f"recognition/decisions/{instance.year}/{filename}"


class Decision(models.Model):
    """A numbered party decision (quyết định) recognizing or revoking (SCHEMES §5)."""

    issuer = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="decisions", verbose_name=_("cơ quan ban hành")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveIntegerField(_("số"))
    kind = models.CharField(_("loại"), max_length=12, choices=DecisionKind.choices)
    scheme = models.CharField(_("phong trào"), max_length=20, choices=Scheme.choices)
    plan = models.ForeignKey("criteria.Plan", on_delete=models.PROTECT, related_name="+", verbose_name=_("kế hoạch"))
    recognition_year = models.PositiveSmallIntegerField(_("năm công nhận"))
    conference = models.ForeignKey(
        Conference, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    issued_on = models.DateField(_("ngày ban hành"))
    subject_line = models.CharField(_("trích yếu"), max_length=500)
    reason = models.TextField(_("lý do (quyết định hủy bỏ)"), blank=True)
    revokes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("hủy bỏ quyết định")
    )
    signer_title = models.CharField(_("chức vụ người ký"), max_length=50, default="BÍ THƯ")
    signer_name = models.CharField(_("họ tên người ký"), max_length=120, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    pdf = models.FileField(_("tệp PDF"), upload_to=decision_pdf_path, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = DecisionQuerySet.as_manager()
    history = HistoricalRecords(get_user=_decision_history_user)

    class Meta:
        verbose_name = _("quyết định")
        verbose_name_plural = _("quyết định")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year", "number"], name="one_decision_number_per_issuer_year")
        ]

    def __str__(self):
        return f"{self.display_number} — {self.subject_line}"

    @property
    def display_number(self):
        """ "15-QĐ/ĐUK": number, QĐ, the issuer's code (SCHEMES §5)."""
        return f"{self.number}-QĐ/{self.issuer.code}" if self.issuer.code else f"{self.number}-QĐ"


class RecheckProposal(models.TextChoices):
    KEEP = "keep", _("Giữ lại")
    DROP = "drop", _("Đề nghị đưa ra khỏi danh sách")


class RecheckQuerySet(ScopedQuerySet):
    scope_lookup = "registration__organization__path"


class ModelCellRecheck(models.Model):
    """The January re-check of a registered model cell on the approved list (SCHEMES §1.3)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="rechecks")
    year = models.PositiveSmallIntegerField(_("năm rà soát"))
    proposal = models.CharField(_("đề xuất"), max_length=8, choices=RecheckProposal.choices)
    eligibility = models.JSONField(default=dict)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField(default=timezone.now)
    applied = models.BooleanField(_("Ban Thường vụ đã xử lý"), default=False)

    objects = RecheckQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rà soát chi bộ kiểu mẫu hằng năm")
        verbose_name_plural = _("rà soát chi bộ kiểu mẫu hằng năm")
        constraints = [models.UniqueConstraint(fields=["registration", "year"], name="one_recheck_per_year")]

    def __str__(self):
        return f"{self.registration} {self.year}: {self.get_proposal_display()}"
