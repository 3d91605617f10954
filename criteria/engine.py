"""The criteria engine: plans + facts -> explained verdicts (SCHEMES §1–§4).

Public contract (other apps import these names):
    evaluate(subjects, scheme, year, plan=None) -> dict[int, SchemeResult]
    evaluate_members(members, year, plan=None) -> dict[int, SchemeResult]
    gap_report(subject, scheme, target_year, plan=None) -> list[str]
    SchemeResult, CriterionResult
Facts are fetched by criteria.loader in a fixed number of queries; the rules in
criteria.rules are pure functions.
"""

import datetime
import json
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from .citations import cite_criteria, in_force_key
from .i18n import activate_cache
from .i18n import gettext as _
from .loader import Needs, load, load_members, paused_gc
from .models import Plan, Scheme
from .results import MET, MISSING, NOT_APPLICABLE, NOT_MET, CriterionResult, SchemeResult, build_result
from .rules import exemplary, four_goods, meeting_quality, model_cell
from .rules.common import rating_label, year_range_text

__all__ = [
    "CriterionResult",
    "SchemeResult",
    "MET",
    "NOT_MET",
    "NOT_APPLICABLE",
    "MISSING",
    "evaluate",
    "evaluate_all",
    "evaluate_members",
    "gap_report",
    "resolve_plan",
    "plans_in_force",
    "allowed_model_types",
]

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "plans.json"


@dataclass
class Spec:
    needs: Needs
    evaluate: object
    narrow: tuple = ()  # kinds of facts this scheme needs for the evaluated year only

    def years(self, year, params):
        return (year, year), (year, year)

    def ranges(self, year, params):
        """{kind of facts: (first, last)} this scheme needs."""
        _ratings, detail = self.years(year, params)
        out = {f.name: detail for f in fields(Needs) if getattr(self.needs, f.name)}
        out.update({name: (year, year) for name in self.narrow})
        return out


class ModelCellSpec(Spec):
    def years(self, year, params):
        longest = max(w["years"] for w in params["windows"].values())
        first = year - longest + 1
        detail = max(params.get("assessment_start_year") or first, first)
        return (first, year), (min(detail, year), year)


class ExemplarySpec(Spec):
    def years(self, year, params):
        first = exemplary.phase_years(year, params)[0]
        return (first, year), (first, year)


SPECS = {
    Scheme.MODEL_CELL: ModelCellSpec(
        Needs(
            org_ratings=True,
            members=True,
            attestations=True,
            mass_orgs=True,
            meetings=True,
            unit_attestations=True,
            yearly=True,
        ),
        model_cell.evaluate,
    ),
    Scheme.MEETING_QUALITY: Spec(Needs(meetings=True, absences=True), meeting_quality.evaluate, ("absences",)),
    Scheme.FOUR_GOODS: Spec(
        Needs(
            org_ratings=True,
            children=True,
            members=True,
            member_ratings=True,
            attestations=True,
            discipline=True,
            violations=True,
            meetings=True,
            four_goods=True,
            yearly=True,
            ancestors=True,
        ),
        four_goods.evaluate,
        ("member_ratings", "four_goods", "absences"),
    ),
    Scheme.EXEMPLARY: ExemplarySpec(
        Needs(org_ratings=True, members=True, attestations=True, discipline=True, yearly=True), exemplary.evaluate
    ),
}


@lru_cache(maxsize=1)
def _fixture_plans():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def resolve_plan(scheme, plan=None):
    """The given plan, else the newest plan of the scheme; with none stored, the seed's default (unsaved)."""
    if plan is not None:
        return plan
    found = Plan.objects.for_scheme(scheme).order_by("-issued_on", "-pk").first()
    if found is not None:
        return found
    return _seed_plan(scheme)


def _seed_plan(scheme):
    """The newest seed plan of the scheme from fixtures/plans.json, unsaved."""
    candidates = [p["fields"] for p in _fixture_plans() if p["fields"]["scheme"] == scheme]
    newest = max(candidates, key=lambda f: f["issued_on"])
    values = {k: v for k, v in newest.items() if k not in ("issuer", "copied_from")}
    values["issued_on"] = datetime.date.fromisoformat(values["issued_on"])
    return Plan(**values)


def plans_in_force(schemes):
    """{scheme: plan} as resolve_plan picks each (the newest stored, else the seed's), in one query."""
    found = {}
    for plan in Plan.objects.filter(scheme__in=list(schemes)).order_by("scheme", "-issued_on", "-pk"):
        found.setdefault(plan.scheme, plan)
    return {scheme: found.get(scheme) or _seed_plan(scheme) for scheme in schemes}


def _scheme_label(scheme):
    return str(Scheme(scheme).label)


def evaluate_all(subjects, year, schemes=None, plans=None, today=None):
    """{scheme: {subject id: SchemeResult}} for several schemes, with one load of the facts."""
    with paused_gc():
        return _evaluate_all(subjects, year, schemes, plans, today)


def _evaluate_all(subjects, year, schemes, plans, today):
    schemes, plans, facts = _load_facts(subjects, year, schemes, plans, today)
    return {scheme: _run(scheme, facts, year, plans[scheme]) for scheme in schemes}


def _load_facts(subjects, year, schemes, plans, today):
    """(schemes, their plans, the facts all of them need), in one load."""
    activate_cache()
    schemes = list(schemes or SPECS)
    plans = {scheme: resolve_plan(scheme, (plans or {}).get(scheme)) for scheme in schemes}
    needs, rating_years, detail_years, ranges = Needs(), [], [], {}
    for scheme in schemes:
        spec = SPECS[scheme]
        needs = needs | spec.needs
        ratings, details = spec.years(year, plans[scheme].params)
        rating_years += ratings
        detail_years += details
        for name, (first, last) in spec.ranges(year, plans[scheme].params).items():
            known = ranges.get(name)
            ranges[name] = (first, last) if known is None else (min(known[0], first), max(known[1], last))
    facts = load(
        subjects,
        (min(rating_years), max(rating_years)),
        (min(detail_years), max(detail_years)),
        needs,
        today=today,
        ranges=ranges,
    )
    return schemes, plans, facts


def evaluate(subjects, scheme, year, plan=None, today=None):
    """{subject id: SchemeResult} for one scheme; plan=None picks the newest plan of the scheme."""
    return evaluate_all(subjects, year, [scheme], {scheme: plan}, today=today)[scheme]


def _run(scheme, facts, year, plan):
    spec = SPECS[scheme]
    label = _scheme_label(scheme)
    results = {}
    # Sections and reasons cite the plan's own number, not the seed file [000 §…] (criteria.citations).
    cited = in_force_key([plan])
    for pk, org in facts.items():  # in the order the subjects were given
        criteria = cite_criteria(spec.evaluate(org, year, plan.params), in_force=cited)
        results[pk] = build_result(pk, org.name, scheme, year, plan.pk, plan.number, label, criteria)
    if scheme == Scheme.FOUR_GOODS:
        _commendations(results, facts, year, plan.params)
    elif scheme == Scheme.EXEMPLARY:
        for pk, result in results.items():
            result.extra["excellent_years"] = exemplary.collective_rank(facts[pk], year, plan.params)
    return results


def _commendations(results, facts, year, params):
    """Outstanding four-goods: rated EXCELLENT, at most 20% (floor) of those that passed, per
    recognizing authority and year [004 §II.4.2.2]. Ranked by the year's monthly scores."""
    rule = params.get("commendation")
    groups = {}
    for pk, result in results.items():
        if result.eligible:
            groups.setdefault(facts[pk].authority_id, []).append(pk)
    for authority, passed in groups.items():
        cap = four_goods.commendation_cap(len(passed), params) if rule else 0
        candidates = [pk for pk in passed if facts[pk].ratings.get(year) == (rule or {}).get("min_level", "EXCELLENT")]
        candidates.sort(key=lambda pk: (-four_goods.commendation_score(facts[pk], year, params), facts[pk].name))
        for rank, pk in enumerate(candidates, start=1):
            results[pk].extra.update(
                {
                    "outstanding_candidate": True,
                    "commendation_rank": rank,
                    "commendation_cap": cap,
                    "passed_in_authority": len(passed),
                    "commendable": rank <= cap,
                    "authority_id": authority,
                }
            )


def evaluate_members(members, year, plan=None, today=None):
    """{member id: SchemeResult} for exemplary individuals (SCHEMES §4.4, [003 §II.2.2, §III.2.1])."""
    from registry.models import Organization

    activate_cache()
    plan = resolve_plan(Scheme.EXEMPLARY, plan)
    params = plan.params
    years = exemplary.phase_years(year, params)
    member_facts = load_members(members, (years[0], year), Needs(member_ratings=True, nominations=True), today=today)
    cell_ids = {m.cell_id for m in member_facts.values() if m.leads and m.cell_id}
    collectives = {}
    if cell_ids:
        # The leaders' cells as exemplary collectives: their verdicts and the facts behind them
        # (the year's rating included), from one load.
        with paused_gc():
            _schemes, _plans, facts = _load_facts(
                Organization.objects.filter(pk__in=cell_ids), year, [Scheme.EXEMPLARY], {Scheme.EXEMPLARY: plan}, today
            )
            verdicts = _run(Scheme.EXEMPLARY, facts, year, plan)
        collectives = {pk: (org_facts, verdicts[pk]) for pk, org_facts in facts.items()}
    label = _scheme_label(Scheme.EXEMPLARY)
    cited = in_force_key([plan])
    results = {}
    for member in members:
        facts = member_facts[member.pk]
        criteria = exemplary.evaluate_individual(facts, year, params, collectives.get(facts.cell_id))
        criteria = cite_criteria(criteria, in_force=cited)
        result = build_result(member.pk, facts.name, Scheme.EXEMPLARY, year, plan.pk, plan.number, label, criteria)
        result.extra["excellent_years"] = sum(1 for y in years if facts.ratings.get(y) == "EXCELLENT")
        result.extra["kind"] = "individual"
        results[member.pk] = result
    return results


def gap_report(subject, scheme, target_year, plan=None, today=None):
    """Vietnamese sentences of what is still missing for `subject` to qualify in `target_year`."""
    result = evaluate([subject], scheme, target_year, plan, today=today)[subject.pk]
    if result.eligible:
        return []
    sentences = []
    for criterion in result.failing:
        if criterion.code == "G1":
            sentences.extend(_g1_gap(criterion))
            continue
        prefix = _("Còn thiếu dữ liệu") if criterion.status == MISSING else _("Chưa đạt")
        sentences.append(f"{criterion.code} — {criterion.title}: {prefix.lower()}: {criterion.reason}")
    return sentences


def _g1_gap(criterion):
    """What G1 still needs: years to rate, EXCELLENT years to add [000 §II.1(1)]."""
    evidence = criterion.evidence
    first, last = evidence["window"]
    window = year_range_text(range(first, last + 1))
    # Years as numbers: a stored verdict's evidence comes back from JSON with string keys.
    ratings = {int(y): level for y, level in evidence["ratings"].items()}
    below = [y for y, level in ratings.items() if level is not None and level not in ("GOOD", "EXCELLENT")]
    unrated = [y for y, level in ratings.items() if level is None]
    sentences = []
    for y in below:
        sentences.append(
            _("Năm %(y)d chỉ xếp loại %(l)s: giai đoạn %(w)s không thể đạt G1, cần chờ giai đoạn sau")
            % {"y": y, "l": rating_label(ratings[y]), "w": window}
        )
    for y in unrated:
        sentences.append(_("Năm %(y)d cần được xếp loại Hoàn thành tốt nhiệm vụ trở lên") % {"y": y})
    short = evidence["min_excellent"] - len(evidence["excellent_years"])
    if short > 0:
        text = _("Cần thêm %(n)d năm Hoàn thành xuất sắc nhiệm vụ trong giai đoạn %(w)s") % {"n": short, "w": window}
        if len(unrated) < short:
            # Say plainly when the window can no longer reach the target (issue 11): the years
            # still to be rated are fewer than the EXCELLENT years missing [000 §II.1(1)].
            text += _(
                ": giai đoạn %(w)s không thể đạt G1 nữa, vì chỉ còn %(u)d năm chưa xếp loại; cần chờ giai đoạn sau"
            ) % {"w": window, "u": len(unrated)}
        sentences.append(text)
    return sentences


def allowed_model_types(organization, plan=None):
    """Exemplary model types this organization may register [003 §III.1] (for the recognition app)."""
    plan = resolve_plan(Scheme.EXEMPLARY, plan)
    return exemplary.allowed_model_types(organization.unit_type, organization.kind, plan.params)
