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
    "plan_in_force",
    "plans_in_force",
    "plans_of_subjects",
    "plan_key",
    "every_plan",
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


def resolve_plan(scheme, plan=None, organization=None, year=None):
    """The given plan, else the plan in force for `organization` and `year` (`plan_in_force`)."""
    if plan is not None:
        return plan
    return plan_in_force(scheme, organization, year)


def plan_in_force(scheme, organization=None, year=None):
    """The plan of `scheme` in force for this organization and year, in one query.

    "A plan binds everything under its issuer" (SCHEMES, "The same scheme is run with different
    numbers by different committees"): the candidates are the plans issued by the organization or
    one of its ancestors, and the portal's defaults (no issuer; the seeds). A plan issued by any
    other organization (another block's) never applies. `organization=None`: the defaults only.
    See `_choose` for the order."""
    return plans_in_force([scheme], organization, year)[scheme]


def plans_in_force(schemes, organization=None, year=None):
    """{scheme: plan in force} for one organization (or the defaults) and year, in one query."""
    schemes = list(schemes)
    candidates = _candidates(schemes)
    lineage = _lineage(getattr(organization, "path", "") or "")
    return {scheme: _choose(candidates, scheme, lineage, year) for scheme in schemes}


def every_plan(scheme):
    """Every plan of the scheme that may be in force somewhere: the stored ones and the seed's default."""
    return [*_candidates([scheme]), _seed_plan(scheme)]


def _candidates(schemes):
    """Every stored plan of these schemes (a handful per issuer), newest first, in one query."""
    return list(Plan.objects.filter(scheme__in=list(schemes)).order_by("-issued_on", "-pk"))


def _lineage(path):
    """{organization id: depth} of an organization and its ancestors, read from its path."""
    return {int(part): depth for depth, part in enumerate(path.split(".")) if part}


def _choose(candidates, scheme, lineage, year):
    """The plan in force among `candidates`: the nearest issuer first (a grassroots committee's own
    plan before its block's, the block's before the portal's defaults), so a committee that adopted
    its own plan keeps it until it issues another; among one issuer's plans, one whose period covers
    `year` (a plan for 2022–2025 gives way in 2026 to one for 2026–2030); then the newest issued,
    the newest stored. None applies: the seed's default (unsaved). The documents are silent on
    which plan binds; this is the reading of "the same scheme is run with different numbers by
    different committees" (SCHEMES, introduction)."""
    best, best_key = None, None
    for plan in candidates:
        if plan.scheme != scheme:
            continue
        if plan.issuer_id is None:
            depth = -1
        elif plan.issuer_id in lineage:
            depth = lineage[plan.issuer_id]
        else:
            continue
        covers = year is None or plan.period_start_year <= year <= plan.period_end_year
        key = (depth, covers, plan.issued_on, plan.pk)
        if best_key is None or key > best_key:
            best, best_key = plan, key
    return best if best is not None else _seed_plan(scheme)


def plan_key(plan):
    """What tells plans apart: the stored plan's id; an unsaved seed default by its scheme and number."""
    return plan.pk if plan.pk is not None else ("seed", plan.scheme, plan.number)


def _seed_plan(scheme):
    """The newest seed plan of the scheme from fixtures/plans.json, unsaved."""
    candidates = [p["fields"] for p in _fixture_plans() if p["fields"]["scheme"] == scheme]
    newest = max(candidates, key=lambda f: f["issued_on"])
    values = {k: v for k, v in newest.items() if k not in ("issuer", "copied_from")}
    values["issued_on"] = datetime.date.fromisoformat(values["issued_on"])
    return Plan(**values)


def plans_of_subjects(facts, schemes, year, given=None, candidates=None):
    """{scheme: {subject id: plan}}: the given plan for every subject, else each one's plan in
    force (`_choose`, from the subjects' paths: no query beyond the candidates')."""
    given = given or {}
    if candidates is None and any(given.get(scheme) is None for scheme in schemes):
        candidates = _candidates(schemes)
    out = {}
    for scheme in schemes:
        plan = given.get(scheme)
        if plan is not None:
            out[scheme] = {pk: plan for pk in facts}
            continue
        chosen, by_path = {}, {}
        issuers = {plan.issuer_id for plan in candidates}
        for pk, org in facts.items():
            # Siblings share their ancestors' plans: choose once per parent path.
            parent = org.path.rsplit(".", 2)[0] if org.path else ""
            key = (parent, pk if pk in issuers else None)
            if key not in by_path:
                by_path[key] = _choose(candidates, scheme, _lineage(org.path), year)
            chosen[pk] = by_path[key]
        out[scheme] = chosen
    return out


def _scheme_label(scheme):
    return str(Scheme(scheme).label)


def evaluate_all(subjects, year, schemes=None, plans=None, today=None):
    """{scheme: {subject id: SchemeResult}} for several schemes, with one load of the facts."""
    with paused_gc():
        return _evaluate_all(subjects, year, schemes, plans, today)


def _evaluate_all(subjects, year, schemes, plans, today):
    schemes, chosen, facts = _load_facts(subjects, year, schemes, plans, today)
    return {scheme: _run_each_plan(scheme, facts, year, chosen[scheme]) for scheme in schemes}


def _run_each_plan(scheme, facts, year, plan_of):
    """Run `scheme` over the subjects, each under its own plan (`plan_of`: {subject id: plan});
    the results keep the order the subjects were given."""
    groups = {}
    for pk in facts:
        groups.setdefault(plan_key(plan_of[pk]), (plan_of[pk], {}))[1][pk] = facts[pk]
    if len(groups) == 1:
        plan, _facts = next(iter(groups.values()))
        return _run(scheme, facts, year, plan)
    results = {}
    for plan, group in groups.values():
        results.update(_run(scheme, group, year, plan))
    return {pk: results[pk] for pk in facts}


def _load_facts(subjects, year, schemes, plans, today):
    """(schemes, {scheme: {subject id: plan}}, the facts all of them need), in one load.

    The years to load are those of every plan that may be chosen (the given ones, else every
    stored plan of the scheme and the seed's): a few more rows at most, and one load."""
    activate_cache()
    schemes = list(schemes or SPECS)
    given = {scheme: (plans or {}).get(scheme) for scheme in schemes}
    candidates = _candidates([s for s in schemes if given[s] is None]) if None in given.values() else []
    needs, rating_years, detail_years, ranges = Needs(), [], [], {}
    for scheme in schemes:
        spec = SPECS[scheme]
        needs = needs | spec.needs
        if given[scheme] is not None:
            possible = [given[scheme]]
        else:
            possible = [p for p in candidates if p.scheme == scheme] + [_seed_plan(scheme)]
        for params in {json.dumps(p.params, sort_keys=True): p.params for p in possible}.values():
            ratings, details = spec.years(year, params)
            rating_years += ratings
            detail_years += details
            for name, (first, last) in spec.ranges(year, params).items():
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
    return schemes, plans_of_subjects(facts, schemes, year, given, candidates), facts


def evaluate(subjects, scheme, year, plan=None, today=None):
    """{subject id: SchemeResult} for one scheme; plan=None: each subject's plan in force."""
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
    plan = resolve_plan(Scheme.EXEMPLARY, plan, organization)
    return exemplary.allowed_model_types(organization.unit_type, organization.kind, plan.params)
