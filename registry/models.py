"""The registry: organization tree, members, memberships, ratings and attestations.

Domain words follow ../shared/SCHEMES.md §0. Every model that belongs to an
organization gets a queryset with `visible_to(user, capability)` from
registry.scoping: that is the one place deciding who sees what.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Case, Exists, OuterRef, Q, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .scoping import VIEW, ScopedQuerySet, prefixes_for
from .validators import validate_evidence_size

PATH_STEP = 8  # characters per level of the materialized path ("00000042.")


class OrganizationKind(models.TextChoices):
    UPPER_COMMITTEE = "upper", _("Đảng bộ cấp trên cơ sở")
    GRASSROOTS_COMMITTEE = "gr_committee", _("Đảng bộ cơ sở")
    PARTIAL_COMMITTEE = "partial", _("Đảng bộ bộ phận")
    GRASSROOTS_CELL = "gr_cell", _("Chi bộ cơ sở")
    SUBORDINATE_CELL = "sub_cell", _("Chi bộ trực thuộc")


CELL_KINDS = (OrganizationKind.GRASSROOTS_CELL, OrganizationKind.SUBORDINATE_CELL)
GRASSROOTS_KINDS = (OrganizationKind.GRASSROOTS_COMMITTEE, OrganizationKind.GRASSROOTS_CELL)


class UnitType(models.TextChoices):
    """Loại hình of the agency/unit a party organization sits in [001 §I.1.1]."""

    ADMINISTRATIVE = "admin", _("Cơ quan hành chính")
    PUBLIC_SERVICE = "service", _("Đơn vị sự nghiệp")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    OTHER = "other", _("Loại hình khác")


class OrganizationQuerySet(ScopedQuerySet):
    scope_lookup = "path"

    def cells(self):
        return self.filter(kind__in=CELL_KINDS)

    def under(self, organizations):
        """Everything under (and including) the given organizations: one indexed prefix query."""
        query = Q()
        for org in organizations:
            query |= Q(path__startswith=org.path)
        return self.filter(query) if query else self.none()

    def active_on(self, day):
        return self.filter(Q(active_from__isnull=True) | Q(active_from__lte=day)).filter(
            Q(active_to__isnull=True) | Q(active_to__gte=day)
        )


class Organization(models.Model):
    """A party organization at any level of the tree (SCHEMES §0)."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("tổ chức cấp trên"),
    )
    # Materialized path of primary keys, e.g. "00000001.00000007."; a prefix match
    # on it is "everything under this organization" in one indexed query.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    kind = models.CharField(_("cấp tổ chức"), max_length=16, choices=OrganizationKind.choices)
    name = models.CharField(_("tên"), max_length=255)
    code = models.CharField(
        _("ký hiệu"),
        max_length=20,
        blank=True,
        help_text=_("Dùng trong số văn bản, ví dụ ĐUK."),
    )
    unit_type = models.CharField(_("loại hình đơn vị"), max_length=16, choices=UnitType.choices, default=UnitType.OTHER)
    place_name = models.CharField(
        _("địa danh ghi trên văn bản"), max_length=100, blank=True, help_text=_("Ví dụ: Yên Bái")
    )
    head_is_secretary = models.BooleanField(_("thủ trưởng đơn vị là bí thư"), default=False)
    active_from = models.DateField(_("hoạt động từ"), null=True, blank=True)
    active_to = models.DateField(_("hoạt động đến"), null=True, blank=True)

    history = HistoricalRecords()
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="org_path_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "path"], name="org_kind_path"),
        ]

    def __str__(self):
        return self.name

    @transaction.atomic
    def save(self, *args, **kwargs):
        old_path = self.path
        if not self.pk:
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
        new_path = self._computed_path()
        self.depth = new_path.count(".") - 1
        if new_path != old_path:
            self.path = new_path
            if old_path:
                # A move: re-root the whole subtree. Primary keys and every record
                # pointing at them stay, so the organization keeps its history.
                self._move_descendants(old_path, new_path)
        super().save(*args, **{k: v for k, v in kwargs.items() if k != "force_insert"})

    @property
    def is_cell(self):
        return self.kind in CELL_KINDS

    @property
    def is_subordinate_cell(self):
        return self.kind == OrganizationKind.SUBORDINATE_CELL

    def ancestor_ids(self):
        """Primary keys of every ancestor, nearest last, read from the path: no query."""
        return [int(part) for part in self.path.split(".")[:-2]] if self.path else []

    def ancestors(self):
        return Organization.objects.filter(pk__in=self.ancestor_ids()).order_by("depth")

    def descendants(self, include_self=False):
        qs = Organization.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def grassroots(self):
        """The grassroots organization (đảng bộ cơ sở / chi bộ cơ sở) this one is in, or None."""
        if self.kind in GRASSROOTS_KINDS:
            return self
        return self.ancestors().filter(kind__in=GRASSROOTS_KINDS).last()

    def clean(self):
        if self.parent_id and self.pk:
            if self.parent_id == self.pk or self.parent.path.startswith(self.path):
                raise ValidationError({"parent": _("Không thể đặt tổ chức dưới chính nó hoặc cấp dưới của nó.")})
        if self.active_from and self.active_to and self.active_to < self.active_from:
            raise ValidationError({"active_to": _("Ngày kết thúc phải sau ngày bắt đầu.")})

    def _computed_path(self):
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.pk:0{PATH_STEP}d}."

    def _move_descendants(self, old_path, new_path):
        shift = new_path.count(".") - old_path.count(".")
        for child in Organization.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
            child.path = new_path + child.path[len(old_path) :]
            child.depth += shift
            Organization.objects.filter(pk=child.pk).update(path=child.path, depth=child.depth)


class Gender(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class MemberQuerySet(ScopedQuerySet):
    """Members: read where they ever were on the roll, written only where they are now.

    Reading (`visible_to`) counts every membership, ended ones included: a cell keeps
    reading the people who were on its roll (its own history). Writing (`writable_by`)
    belongs to the cell of the member's current membership and the organizations above
    it (issue 10, hole 3): once a member has moved, the old cell changes nothing of theirs.
    """

    scope_lookup = "memberships__cell__path"
    scope_through_many = True

    def owned_by(self, user, capability=VIEW, day=None):
        """Members whose owning membership (MembershipQuerySet.owning) lies where `user` holds `capability`."""
        prefixes = prefixes_for(user, capability)
        if prefixes is None:
            return self
        owning = Membership.objects.owning(day).filter(self._prefix_q("cell__path", prefixes))
        return self.filter(pk__in=owning.values("member_id"))

    def writable_by(self, user, capability):
        return self.owned_by(user, capability)

    def on_roll(self, cell, day):
        """Members on the roll of `cell` on `day`, from the membership history."""
        return self.filter(pk__in=Membership.objects.on_date(day).filter(cell=cell).values("member_id"))


class Member(models.Model):
    """A party member (đảng viên)."""

    full_name = models.CharField(_("họ và tên"), max_length=120)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    gender = models.CharField(_("giới tính"), max_length=1, choices=Gender.choices)
    card_number = models.CharField(_("số thẻ đảng viên"), max_length=20, unique=True)
    admitted_on = models.DateField(_("ngày vào Đảng"), null=True, blank=True)
    official_on = models.DateField(_("ngày chính thức"), null=True, blank=True)
    exempted_since = models.DateField(
        _("miễn sinh hoạt đảng từ"),
        null=True,
        blank=True,
        help_text=_("Đảng viên được miễn sinh hoạt không tính vào tổng số khi họp [HD 12-HD/BTCTW]."),
    )
    is_secretary = models.BooleanField(_("bí thư"), default=False)
    is_deputy_secretary = models.BooleanField(_("phó bí thư"), default=False)
    is_committee_member = models.BooleanField(_("cấp ủy viên"), default=False)
    is_leader = models.BooleanField(_("lãnh đạo, quản lý đơn vị"), default=False)
    is_unit_head = models.BooleanField(_("người đứng đầu đơn vị"), default=False)
    is_direct_worker = models.BooleanField(_("lao động trực tiếp"), default=False)

    history = HistoricalRecords()
    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        ordering = ["full_name", "pk"]

    def __str__(self):
        return self.full_name

    def is_exempted_on(self, day):
        return self.exempted_since is not None and self.exempted_since <= day

    def clean(self):
        if self.admitted_on and self.official_on and self.official_on < self.admitted_on:
            raise ValidationError({"official_on": _("Ngày chính thức không thể trước ngày vào Đảng.")})


class MembershipQuerySet(ScopedQuerySet):
    """Memberships are read by the cell they name; changed only by whoever owns the member now."""

    scope_lookup = "cell__path"

    def on_date(self, day):
        return self.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))

    def current(self):
        return self.on_date(timezone.localdate())

    def owning(self, day=None):
        """The one membership per member that decides who writes the member's records.

        The membership on the roll on `day` (today by default); for a member on no roll
        that day (left, or not yet started), the latest one. One correlated subquery.
        """
        day = day or timezone.localdate()
        on_roll = Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))
        first = (
            Membership.objects.filter(member_id=OuterRef("member_id"))
            .annotate(owning_rank=Case(When(on_roll, then=0), default=1))
            .order_by("owning_rank", "-start_date", "-pk")
        )
        return self.filter(pk=Subquery(first.values("pk")[:1]))

    def writable_by(self, user, capability):
        """A membership row is changed inside the user's scope, and only for a member the user owns now."""
        owned = Member.objects.owned_by(user, capability)
        return self.visible_to(user, capability).filter(member__in=owned.values("pk"))


class Membership(models.Model):
    """A member's time on the roll of one cell. A transfer ends one and starts another."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("đảng viên")
    )
    cell = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("chi bộ"),
        limit_choices_to={"kind__in": CELL_KINDS},
    )
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"), null=True, blank=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("sinh hoạt tại chi bộ")
        verbose_name_plural = _("sinh hoạt tại chi bộ")
        ordering = ["member", "start_date"]
        indexes = [models.Index(fields=["cell", "start_date", "end_date"], name="membership_roll")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
            ),
            # At most one open membership per member: in one cell at a time.
            models.UniqueConstraint(fields=["member"], condition=Q(end_date__isnull=True), name="one_open_membership"),
        ]

    def __str__(self):
        return f"{self.member} — {self.cell}"

    def clean(self):
        if self.cell_id and not self.cell.is_cell:
            raise ValidationError({"cell": _("Đảng viên chỉ sinh hoạt tại một chi bộ.")})
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Ngày kết thúc phải sau ngày bắt đầu.")})
        if self.member_id and self.start_date:
            overlapping = Membership.objects.filter(member_id=self.member_id).exclude(pk=self.pk)
            if self.end_date:
                overlapping = overlapping.filter(start_date__lte=self.end_date)
            overlapping = overlapping.filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
            if overlapping.exists():
                raise ValidationError(_("Đảng viên đang sinh hoạt ở chi bộ khác trong khoảng thời gian này."))


class MassOrganizationKind(models.TextChoices):
    TRADE_UNION = "union", _("Công đoàn")
    YOUTH_UNION = "youth", _("Đoàn Thanh niên")
    WOMEN_UNION = "women", _("Hội Phụ nữ")
    VETERANS = "veterans", _("Hội Cựu chiến binh")
    OTHER = "other", _("Đoàn thể khác")


class MassOrganizationQuerySet(ScopedQuerySet):
    scope_lookup = "cell__path"


class MassOrganization(models.Model):
    """A mass organization in a cell's scope, rated yearly by its own superiors [000 §II.1(3)]."""

    cell = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="mass_organizations", verbose_name=_("chi bộ")
    )
    kind = models.CharField(_("loại đoàn thể"), max_length=16, choices=MassOrganizationKind.choices)
    name = models.CharField(_("tên"), max_length=255)

    history = HistoricalRecords()
    objects = MassOrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("đoàn thể chính trị – xã hội")
        verbose_name_plural = _("đoàn thể chính trị – xã hội")
        ordering = ["cell", "kind", "name"]

    def __str__(self):
        return self.name


class RatingLevel(models.TextChoices):
    """Four levels, highest first (SCHEMES §0, QĐ 366-QĐ/TW)."""

    EXCELLENT = "EXCELLENT", _("Hoàn thành xuất sắc nhiệm vụ")
    GOOD = "GOOD", _("Hoàn thành tốt nhiệm vụ")
    PASS = "PASS", _("Hoàn thành nhiệm vụ")
    FAIL = "FAIL", _("Không hoàn thành nhiệm vụ")


RATING_RANK = {RatingLevel.EXCELLENT: 4, RatingLevel.GOOD: 3, RatingLevel.PASS: 2, RatingLevel.FAIL: 1}


def rating_at_least(level, minimum):
    """True when `level` is `minimum` or a better one ("X trở lên"); no rating is never enough."""
    return level is not None and RATING_RANK[level] >= RATING_RANK[minimum]


def _membership_in_scope(prefixes, *, on_year=None, on_date=None):
    """Exists: the outer row's member was on the roll of a cell under `prefixes` during the
    outer row's year (`on_year`) or on its date (`on_date`): the cell's own history."""
    memberships = Membership.objects.filter(member_id=OuterRef("member_id")).filter(
        ScopedQuerySet._prefix_q("cell__path", prefixes)
    )
    if on_year is not None:
        memberships = memberships.filter(start_date__year__lte=OuterRef(on_year)).filter(
            Q(end_date__isnull=True) | Q(end_date__year__gte=OuterRef(on_year))
        )
    else:
        memberships = memberships.filter(start_date__lte=OuterRef(on_date)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=OuterRef(on_date))
        )
    return Exists(memberships)


class MemberHistoryQuerySet(ScopedQuerySet):
    """Records of one member (ratings, attestations, discipline, violations) under the member policy.

    Read: by the member's current cell (and above) all of them; by a former cell only those
    dated within the member's time on its roll (a rating or attestation of a year the
    membership overlaps, a record dated within it), nothing after the move. Write: by the
    member's current cell (and above) only (issue 10, hole 3).
    `period_lookup` is the record's year or date field; `period_is_year` says which.
    """

    period_lookup = "date"
    period_is_year = False

    def _subject_q(self, prefixes):
        """Subjects other than a member (organizations, mass organizations), scoped by their cell."""
        return Q(pk__in=[])

    def visible_to(self, user, capability=VIEW):
        prefixes = prefixes_for(user, capability)
        if prefixes is None:
            return self
        owned = Member.objects.owned_by(user, capability).values("pk")
        period = {"on_year" if self.period_is_year else "on_date": self.period_lookup}
        return self.filter(
            self._subject_q(prefixes) | Q(member__in=owned) | Q(_membership_in_scope(prefixes, **period))
        )

    def writable_by(self, user, capability):
        prefixes = prefixes_for(user, capability)
        if prefixes is None:
            return self
        owned = Member.objects.owned_by(user, capability).values("pk")
        return self.filter(self._subject_q(prefixes) | Q(member__in=owned))


class RatingQuerySet(MemberHistoryQuerySet):
    period_lookup = "year"
    period_is_year = True

    def _subject_q(self, prefixes):
        return self._prefix_q("organization__path", prefixes) | self._prefix_q(
            "mass_organization__cell__path", prefixes
        )


class Rating(models.Model):
    """A yearly quality rating of one subject: an organization, a member or a mass organization."""

    year = models.PositiveSmallIntegerField(_("năm"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    level = models.CharField(_("xếp loại"), max_length=10, choices=RatingLevel.choices)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ratings",
        verbose_name=_("tổ chức đảng"),
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("đảng viên")
    )
    mass_organization = models.ForeignKey(
        MassOrganization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ratings",
        verbose_name=_("đoàn thể"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người ghi"),
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), default=timezone.now)

    history = HistoricalRecords()
    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("xếp loại chất lượng")
        verbose_name_plural = _("xếp loại chất lượng")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(organization__isnull=False, member__isnull=True, mass_organization__isnull=True)
                    | Q(organization__isnull=True, member__isnull=False, mass_organization__isnull=True)
                    | Q(organization__isnull=True, member__isnull=True, mass_organization__isnull=False)
                ),
                name="rating_exactly_one_subject",
            ),
            models.UniqueConstraint(
                fields=["organization", "year"],
                name="one_rating_per_organization_year",
                violation_error_message=_("Tổ chức này đã được xếp loại trong năm này."),
            ),
            models.UniqueConstraint(
                fields=["member", "year"],
                name="one_rating_per_member_year",
                violation_error_message=_("Đảng viên này đã được xếp loại trong năm này."),
            ),
            models.UniqueConstraint(
                fields=["mass_organization", "year"],
                name="one_rating_per_massorg_year",
                violation_error_message=_("Đoàn thể này đã được xếp loại trong năm này."),
            ),
        ]

    def __str__(self):
        return f"{self.subject} {self.year}: {self.get_level_display()}"

    @property
    def subject(self):
        return self.organization or self.member or self.mass_organization


class MemberRecordQuerySet(MemberHistoryQuerySet):
    """A member's dated records (discipline, violations): the member policy on the record's date."""

    period_lookup = "date"


class MemberYearRecordQuerySet(MemberHistoryQuerySet):
    """A member's yearly records (attestations): the member policy on the record's year."""

    period_lookup = "year"
    period_is_year = True


class GoodExampleRating(models.TextChoices):
    """Result of the duty to set an example (nêu gương), used by SCHEMES §1.1 G5 and §4.3."""

    GOOD = "good", _("Nêu gương tốt")
    FAIR = "fair", _("Có nêu gương")
    POOR = "poor", _("Chưa nêu gương")


class MemberAttestation(models.Model):
    """What the schemes ask of each member per year (SCHEMES §1.1 G4–G7, §3.1 part 4, §4.3).

    A blank (None) field means "not recorded": the criteria report it as missing data.
    """

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="attestations", verbose_name=_("đảng viên")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    uses_handbook = models.BooleanField(_("dùng Sổ tay đảng viên điện tử hoặc sổ ghi chép"), null=True, blank=True)
    good_example = models.CharField(_("kết quả nêu gương"), max_length=8, choices=GoodExampleRating.choices, blank=True)
    signed_commitment = models.BooleanField(_("ký cam kết tu dưỡng, rèn luyện"), null=True, blank=True)
    no_degradation = models.BooleanField(
        _("không có biểu hiện suy thoái, “tự diễn biến”, “tự chuyển hóa”"), null=True, blank=True
    )
    cultural_family = models.BooleanField(_("gia đình văn hóa"), null=True, blank=True)
    residence_exemplary = models.BooleanField(_("nơi cư trú đánh giá gương mẫu"), null=True, blank=True)
    dues_paid = models.BooleanField(_("đóng đảng phí đầy đủ"), null=True, blank=True)
    politically_steadfast = models.BooleanField(_("bản lĩnh chính trị vững vàng"), null=True, blank=True)
    four_good_examples = models.BooleanField(_("đạt “bốn gương mẫu”"), null=True, blank=True)

    history = HistoricalRecords()
    objects = MemberYearRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("tự đánh giá hằng năm của đảng viên")
        verbose_name_plural = _("tự đánh giá hằng năm của đảng viên")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="one_member_attestation_per_year")]

    def __str__(self):
        return f"{self.member} {self.year}"


class DisciplinaryRecord(models.Model):
    """A disciplinary measure (kỷ luật) against a member."""

    class Form(models.TextChoices):
        REPRIMAND = "reprimand", _("Khiển trách")
        WARNING = "warning", _("Cảnh cáo")
        DISMISSAL = "dismissal", _("Cách chức")
        EXPULSION = "expulsion", _("Khai trừ")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="disciplinary_records", verbose_name=_("đảng viên")
    )
    date = models.DateField(_("ngày quyết định"))
    form = models.CharField(_("hình thức"), max_length=16, choices=Form.choices)
    reason = models.TextField(_("lý do"))

    history = HistoricalRecords()
    objects = MemberRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("kỷ luật")
        verbose_name_plural = _("kỷ luật")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.member} — {self.get_form_display()} ({self.date:%d/%m/%Y})"


class RuleViolation(models.Model):
    """A breach of the rules on what members must not do (SCHEMES §3.1 part 3), disciplined or not."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="rule_violations", verbose_name=_("đảng viên")
    )
    date = models.DateField(_("ngày"))
    description = models.TextField(_("nội dung vi phạm"))

    history = HistoricalRecords()
    objects = MemberRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("vi phạm quy định")
        verbose_name_plural = _("vi phạm quy định")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.member} ({self.date:%d/%m/%Y})"


class UnitCriterion(models.TextChoices):
    """Type-specific criteria of a model cell, by unit type (SCHEMES §1.2, [000 §II.2])."""

    A1 = "A1", _("A1 — Thực hiện quy chế, cải cách hành chính, cơ quan đạt chuẩn văn hóa")
    A2 = "A2", _("A2 — Có sáng kiến, cách làm hay được công nhận")
    A3 = "A3", _("A3 — Mức độ hài lòng của người dân 100%")
    A4 = "A4", _("A4 — 100% đảng viên đáp ứng khung năng lực vị trí việc làm")
    S1 = "S1", _("S1 — Thực hiện quy chế, cải cách thủ tục, đơn vị đạt chuẩn văn hóa")
    S2 = "S2", _("S2 — Có sáng kiến, cải tiến được công nhận và nhân rộng")
    S3 = "S3", _("S3 — Mức độ hài lòng 100%")
    S4 = "S4", _("S4 — Tăng cường tự chủ, cải thiện đời sống người lao động")
    E1 = "E1", _("E1 — Thực hiện điều lệ, doanh nghiệp đạt chuẩn văn hóa, nghĩa vụ với Nhà nước")
    E2 = "E2", _("E2 — Có kế hoạch và đạt chỉ tiêu kết nạp đảng viên")
    E3 = "E3", _("E3 — Duy trì hoạt động các đoàn thể")
    E4 = "E4", _("E4 — An toàn sản xuất, bảo vệ môi trường, phòng cháy chữa cháy")
    E5 = "E5", _("E5 — Đổi mới sáng tạo, việc làm, thu nhập, an sinh xã hội")


UNIT_CRITERIA_BY_TYPE = {
    UnitType.ADMINISTRATIVE: ["A1", "A2", "A3", "A4"],
    UnitType.PUBLIC_SERVICE: ["S1", "S2", "S3", "S4"],
    UnitType.ENTERPRISE: ["E1", "E2", "E3", "E4", "E5"],
    UnitType.OTHER: [],
}


class AttestationStatus(models.TextChoices):
    MET = "met", _("Đạt")
    NOT_MET = "not_met", _("Không đạt")
    NOT_APPLICABLE = "na", _("Không áp dụng")


class UnitAttestationQuerySet(ScopedQuerySet):
    scope_lookup = "organization__path"


class UnitAttestation(models.Model):
    """A cell's yearly attestation of one type-specific criterion (SCHEMES §1.2)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="unit_attestations", verbose_name=_("chi bộ")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    criterion = models.CharField(_("tiêu chí"), max_length=4, choices=UnitCriterion.choices)
    status = models.CharField(_("kết quả"), max_length=8, choices=AttestationStatus.choices)
    note = models.TextField(_("ghi chú"), blank=True)
    evidence = models.FileField(
        _("tài liệu minh chứng"),
        upload_to="evidence/%Y/",
        blank=True,
        validators=[FileExtensionValidator(settings.EVIDENCE_EXTENSIONS), validate_evidence_size],
    )

    history = HistoricalRecords()
    objects = UnitAttestationQuerySet.as_manager()

    class Meta:
        verbose_name = _("tiêu chí cụ thể theo loại hình")
        verbose_name_plural = _("tiêu chí cụ thể theo loại hình")
        ordering = ["year", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "criterion"], name="one_unit_attestation_per_year")
        ]

    def __str__(self):
        return f"{self.organization} {self.year} {self.criterion}: {self.get_status_display()}"


class Role(models.TextChoices):
    CELL_SECRETARY = "cell_secretary", _("Bí thư chi bộ")
    GRASSROOTS_STAFF = "grassroots_staff", _("Cán bộ đảng ủy cơ sở")
    ORGANIZATION_BOARD = "org_board", _("Cán bộ Ban Tổ chức")
    PROPAGANDA_BOARD = "propaganda_board", _("Cán bộ Ban Tuyên giáo")
    STANDING_COMMITTEE = "standing", _("Ủy viên Ban Thường vụ")
    MEETING_ATTENDEE = "attendee", _("Cán bộ dự sinh hoạt chi bộ")
    SYSTEM_ADMIN = "sysadmin", _("Quản trị hệ thống")


class Appointment(models.Model):
    """A user acts for an organization (and everything under it) in a role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointments", verbose_name=_("người dùng")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="appointments", verbose_name=_("tổ chức")
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        constraints = [models.UniqueConstraint(fields=["user", "organization", "role"], name="unique_appointment")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.organization}"


class PendingTask(models.Model):
    """A Celery task that could not reach the broker, kept to be sent when it is back.

    Saving a meeting or a transition must not fail because Redis is down: the
    follow-up task is recorded here in the same transaction and flushed later
    (registry.outbox).
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tác vụ chờ gửi")
        verbose_name_plural = _("tác vụ chờ gửi")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.task_name} ({self.created_at:%d/%m/%Y %H:%M})"


class BackupRecord(models.Model):
    """A backup that `manage.py backup` finished and checked (registry.backups); /healthz reads the newest.

    A row in the database rather than a file under BACKUP_DIR: every web process answers /healthz,
    and with web processes on several machines (README "Scaling out") only the database is seen by all
    of them; the lookup is one indexed single-row query on a table that grows by one row a night.
    """

    created_at = models.DateTimeField(_("thời điểm sao lưu"), db_index=True)
    path = models.CharField(_("thư mục bản sao lưu"), max_length=1000)
    database_bytes = models.BigIntegerField(_("dung lượng bản sao cơ sở dữ liệu"))
    media_bytes = models.BigIntegerField(_("dung lượng tệp đính kèm"))
    media_files = models.PositiveIntegerField(_("số tệp đính kèm"))

    class Meta:
        verbose_name = _("bản sao lưu")
        verbose_name_plural = _("bản sao lưu")
        get_latest_by = "created_at"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.path} ({self.created_at:%d/%m/%Y %H:%M})"
