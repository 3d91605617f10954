"""Plans: the issuing documents' parameters stored as data (SCHEMES preamble, §1–§4).

Every number a rule uses comes from a plan's `params`, never from code, so a
committee copies a plan and changes numbers in the admin without a code change.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

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

    class Meta:
        verbose_name = _("kế hoạch, văn bản hướng dẫn")
        verbose_name_plural = _("kế hoạch, văn bản hướng dẫn")
        ordering = ["scheme", "-issued_on"]

    def __str__(self):
        return f"{self.number} — {self.title}"
