"""Demo yearly facts no registry or evaluations record holds (issue 12, "Verdicts").

`populate(cells, rng)` writes, for 2021–2025, the OrganizationYear of every cell and of every
grassroots committee above them (admissions, political targets, committee and congress
meetings, Directive 05, initiatives) and a MemberNomination for some direct workers, in step
with each cell's demo profile (registry.demo.PROFILES), so that the four-goods and exemplary
criteria that read them have data [002 §II.1.1, §II.2.2–§II.2.3; 003 §II.2.1–§II.2.2;
000 §II.2.3(2)]. Every four-goods field is recorded: nothing here is "missing data".
"""

from registry.demo import profile_of
from registry.models import Membership, Organization, OrganizationKind

from .models import MemberNomination, OrganizationYear

YEARS = range(2021, 2026)
PERFECT = ("model", "near")
# Probability that a cell of the profile meets each yearly fact.
ADMISSIONS_MET = {"strong": 0.95, "good": 0.93, "normal": 0.88, "weak": 0.6}
TARGETS_MET = {"strong": 0.97, "good": 0.95, "normal": 0.9, "weak": 0.7}
INITIATIVES = {"strong": 0.85, "good": 0.7, "normal": 0.5, "weak": 0.2}
NOMINATED = {"strong": 0.4, "good": 0.3, "normal": 0.2, "weak": 0.1}


def _chance(rng, profile, table, default=1.0):
    return profile in PERFECT or rng.random() < table.get(profile, default)


def _admissions(rng, profile, committee=False):
    """(target, admitted) of new members for the year [000 §II.2.3(2); 002 §II.1.1]."""
    target = rng.randint(3, 8) if committee else rng.choice([0, 1, 1, 1, 2])
    if target and not _chance(rng, profile, ADMISSIONS_MET):
        return target, target - 1
    return target, target + rng.choice([0, 0, 0, 1])


def _committees_of(cells):
    ids = {int(part) for cell in cells for part in cell.path.split(".")[:-1]}
    return list(Organization.objects.filter(pk__in=ids, kind=OrganizationKind.GRASSROOTS_COMMITTEE).order_by("pk"))


def populate(cells, rng, years=YEARS):
    """Yearly facts of `cells` and their grassroots committees, nominations of direct workers.
    Returns (organization-years, nominations) created."""
    cells = list(cells)
    rows = []
    for cell in cells:
        profile = profile_of(cell)
        for year in years:
            target, admitted = _admissions(rng, profile)
            rows.append(
                OrganizationYear(
                    organization=cell,
                    year=year,
                    admission_target=target,
                    admitted_count=admitted,
                    unit_targets_met=_chance(rng, profile, TARGETS_MET),
                    directive05_planned=_chance(rng, profile, {"weak": 0.8}, 0.96),
                    directive05_in_agenda=_chance(rng, profile, {"weak": 0.75}, 0.94),
                    initiatives_commended=_chance(rng, profile, INITIATIVES),
                )
            )
    for committee in _committees_of(cells):
        for year in years:
            target, admitted = _admissions(rng, "normal", committee=True)
            rows.append(
                OrganizationYear(
                    organization=committee,
                    year=year,
                    admission_target=target,
                    admitted_count=admitted,
                    unit_targets_met=rng.random() < 0.92,
                    # The committee meets monthly, the whole committee twice a year [002 §II.2.2].
                    committee_meetings=12 if rng.random() < 0.85 else rng.choice([10, 11]),
                    congress_meetings=2 if rng.random() < 0.92 else 1,
                    organizations_disciplined=0 if rng.random() < 0.95 else 1,
                    directive05_planned=rng.random() < 0.97,
                    directive05_in_agenda=rng.random() < 0.95,
                    initiatives_commended=rng.random() < 0.6,
                )
            )
    created = OrganizationYear.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)

    # Direct workers put forward as exemplars [003 §II.2.2 last bullet]: some each year.
    by_pk = {cell.pk: cell for cell in cells}
    workers = (
        Membership.objects.filter(cell_id__in=by_pk, end_date__isnull=True, member__is_direct_worker=True)
        .order_by("member_id")
        .values_list("member_id", "cell_id")
    )
    nominations = []
    for member_id, cell_id in workers:
        profile = profile_of(by_pk[cell_id])
        for year in years:
            if rng.random() >= (0.5 if profile in PERFECT else NOMINATED.get(profile, 0.2)):
                continue
            nominated = rng.random() < 0.9
            trusted = nominated and rng.random() < 0.92
            nominations.append(
                MemberNomination(
                    member_id=member_id,
                    year=year,
                    nominated_by_grassroots=nominated,
                    trusted=trusted,
                    confirmed_by_committee=trusted and rng.random() < 0.9,
                )
            )
    MemberNomination.objects.bulk_create(nominations, batch_size=2000, ignore_conflicts=True)
    return len(created), len(nominations)
