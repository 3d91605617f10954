"""Which writes make which stored verdicts stale (issue 12): the fact models and the kinds of facts
(criteria.loader.Needs) each one feeds. Connected in CriteriaConfig.ready().

A model's facts reach the schemes whose engine reads that kind (verdicts.schemes_reading), for the
years the verdict's window covers. Writes that bypass model signals (bulk creates of attendance
rows, imports) send registry.signals.facts_changed instead.
"""

from django.db.models import Max, Min
from django.db.models.signals import post_delete, post_save

from registry.signals import facts_changed

from . import verdicts
from .models import Verdict


def _year_of(day):
    return day.year if day else None


# model label -> (kinds of facts, function(instance) -> (organization ids, member ids, year))
FACT_MODELS = {
    "registry.Organization": (verdicts.ALL_KINDS, lambda o: ([o.pk], [], None)),
    "registry.Member": (("members", "member_ratings", "attestations"), lambda m: ([], [m.pk], None)),
    "registry.Membership": (("members",), lambda m: ([m.cell_id], [m.member_id], None)),
    "registry.Rating": (
        ("org_ratings", "member_ratings", "mass_orgs"),
        lambda r: (
            [pk for pk in (r.organization_id, r.mass_organization and r.mass_organization.cell_id) if pk],
            [r.member_id] if r.member_id else [],
            r.year,
        ),
    ),
    "registry.MassOrganization": (("mass_orgs",), lambda m: ([m.cell_id], [], None)),
    "registry.MemberAttestation": (("attestations",), lambda a: ([], [a.member_id], a.year)),
    "registry.DisciplinaryRecord": (("discipline",), lambda d: ([], [d.member_id], _year_of(d.date))),
    "registry.RuleViolation": (("violations",), lambda v: ([], [v.member_id], _year_of(v.date))),
    "registry.UnitAttestation": (("unit_attestations",), lambda u: ([u.organization_id], [], u.year)),
    "evaluations.Meeting": (("meetings", "absences"), lambda m: ([m.cell_id], [], _year_of(m.date))),
    "evaluations.Attendance": (("absences", "meetings"), lambda a: ([a.meeting.cell_id], [], _year_of(a.meeting.date))),
    "evaluations.FourGoodsAssessment": (("four_goods",), lambda f: ([f.organization_id], [], f.year)),
    "evaluations.MonthLock": (("four_goods",), lambda f: ([f.organization_id], [], f.year)),
    "criteria.OrganizationYear": (("yearly",), lambda y: ([y.organization_id], [], y.year)),
    "criteria.MemberNomination": (("nominations",), lambda n: ([], [n.member_id], n.year)),
}


def _receiver(kinds, subjects):
    def receive(sender, instance, raw=False, **kwargs):
        if raw:  # loaddata: the verdicts are rebuilt after a load
            return
        organization_ids, member_ids, year = subjects(instance)
        verdicts.mark_stale(organization_ids=organization_ids, member_ids=member_ids, year=year, kinds=kinds)

    return receive


def _plan_changed(sender, instance, raw=False, **kwargs):
    """A plan's numbers are facts of every verdict it governs: its issuer's subtree (every
    organization for a plan with no issuer), for the years it may be in force."""
    if raw:
        return
    from django.utils.translation import gettext as _

    from registry import outbox
    from registry.models import Organization

    from .tasks import restate_figures

    organizations = Organization.objects.all()
    if instance.issuer_id:
        root = Organization.objects.filter(pk=instance.issuer_id).first()
        organizations = Organization.objects.under([root]) if root else Organization.objects.none()
    organization_ids = list(organizations.values_list("pk", flat=True))
    # The years it may govern: its period, and any other stored year, since a plan stays in force
    # past its period until its issuer (or a nearer one) issues another (engine.plan_in_force).
    # Restating or recomputing a year another plan governs changes nothing; missing one would.
    stored = Verdict.objects.filter(scheme=instance.scheme).aggregate(first=Min("year"), last=Max("year"))
    first = min(instance.period_start_year, stored["first"] or instance.period_start_year)
    last = max(instance.period_end_year, stored["last"] or instance.period_end_year)
    # The figures stored on saved meetings and four-goods months (required speakers and minutes,
    # quality level, a month's pass) follow the plan in force too (issue 12). A task through the
    # outbox, after commit (so they are read from the saved plan): a province's meetings are too
    # many for the admin's request. Enqueued before mark_stale's refresh: with Celery eager the
    # restated rows join that refresh (their own facts_changed reaches the other schemes reading
    # them, e.g. four-goods reads meeting levels).
    reason = _("Tính lại theo %(plan)s") % {"plan": instance.number}
    outbox.enqueue(restate_figures, instance.issuer_id, first, last, reason)
    verdicts.mark_stale(
        organization_ids=organization_ids,
        schemes=[instance.scheme],
        years=(first, last),
    )


def _facts_changed(sender, organization_ids=(), member_ids=(), year=None, kinds=None, **kwargs):
    verdicts.mark_stale(
        organization_ids=organization_ids or (),
        member_ids=member_ids or (),
        year=year,
        kinds=kinds or verdicts.ALL_KINDS,
    )


_RECEIVERS = []  # strong references: signal receivers are weak by default


def connect():
    from django.apps import apps

    for label, (kinds, subjects) in FACT_MODELS.items():
        model = apps.get_model(label)
        receive = _receiver(kinds, subjects)
        _RECEIVERS.append(receive)
        post_save.connect(receive, sender=model, dispatch_uid=f"verdicts-save-{label}")
        post_delete.connect(receive, sender=model, dispatch_uid=f"verdicts-delete-{label}")
    plan = apps.get_model("criteria.Plan")
    post_save.connect(_plan_changed, sender=plan, dispatch_uid="verdicts-plan")
    # A deleted plan hands its subtree back to the next plan in force: the same marks and restating.
    post_delete.connect(_plan_changed, sender=plan, dispatch_uid="verdicts-plan-deleted")
    facts_changed.connect(_facts_changed, dispatch_uid="verdicts-facts-changed")
