"""Citations shown to users: documents by their numbers, never by seed file numbers (issue 12).

The rules, the indicators and the engine cite the seed documents in the code by their file
numbers ("[000 §II.1(1)]", ../shared/seeds/000_*.txt), which nobody outside the project knows.
Everything a user reads cites the document's own number and section instead:

- a reference to the seed file a plan in force was made from cites that plan's record
  (`Plan.number`): "[000 §II.1(1)]" -> "128-KH/ĐUK §II.1(1)", and after a committee copies the
  plan as "99-KH/ĐUK" (criteria.services.plan_copy keeps `source_file`), "99-KH/ĐUK §II.1(1)";
- a reference naming both the plan in force and the scheme's other seed plan (the two four-goods
  plans, [002] 1288-KH/ĐU and [004] 39-KH/ĐU) cites only the plan in force: its sections are the
  ones that bind the verdict;
- any other seed document is cited by its own number, read from the seeds' plan records
  (fixtures/plans.json: `source_file` -> `number`), never by a bare file number.

`cite` turns one text; `cite_criteria` a verdict's criteria (engine, where results are built);
`cite_figures` the indicators. Plain functions, no query: the plans in force are passed in.
"""

import dataclasses
import json
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "plans.json"
REFERENCE = re.compile(r"\[(\d{3})\b([^\]]*)\]")
DOCUMENT = re.compile(r"^(\d{3})\b(.*)$", re.S)
INTERNAL = "SCHEMES"  # the project's own restatement of the rules: not a document users know


@lru_cache(maxsize=1)
def seed_documents():
    """{seed file number: (scheme, the document's own number)}, from the seeds' plan records."""
    out = {}
    for entry in json.loads(FIXTURE.read_text(encoding="utf-8")):
        fields = entry["fields"]
        source = fields.get("source_file") or ""
        if source[:3].isdigit():
            out[source[:3]] = (fields["scheme"], fields["number"])
    return out


@lru_cache(maxsize=1)
def _newest_seed_per_scheme():
    newest = {}
    for entry in json.loads(FIXTURE.read_text(encoding="utf-8")):
        fields = entry["fields"]
        source = fields.get("source_file") or ""
        if not source[:3].isdigit():
            continue
        known = newest.get(fields["scheme"])
        if known is None or fields["issued_on"] > known[0]:
            newest[fields["scheme"]] = (fields["issued_on"], source[:3])
    return {scheme: file for scheme, (_issued, file) in newest.items()}


def seed_file_of(plan):
    """The seed file number a plan was made from: its `source_file` (kept by plan_copy), else the
    newest seed of its scheme (the one engine.resolve_plan falls back to)."""
    source = (getattr(plan, "source_file", "") or "")[:3]
    if source.isdigit():
        return source
    return _newest_seed_per_scheme().get(plan.scheme)


def in_force_key(plans):
    """A hashable {seed file: plan number} of the plans in force, for `cite`."""
    mapping = {}
    for plan in plans:
        if plan is None:
            continue
        file = seed_file_of(plan)
        if file is not None:
            mapping[file] = (plan.scheme, plan.number)
    return tuple(sorted(mapping.items()))


def _groups(body):
    """'002 §II.1.2; §II.2.2; 004 §II.3.2' -> [('002', '§II.1.2; §II.2.2'), ('004', '§II.3.2')]."""
    groups, pending = [], ""
    for part in re.split(r"([;,]\s*)", body):
        if not part:
            continue
        if re.fullmatch(r"[;,]\s*", part):
            pending = part
            continue
        match = DOCUMENT.match(part.strip())
        if match:
            groups.append([match.group(1), match.group(2).strip()])
        elif part.strip().startswith(INTERNAL):
            pass
        elif groups:
            groups[-1][1] = (groups[-1][1] + pending + part).strip() if groups[-1][1] else part.strip()
        pending = ""
    return groups


def _render(match, in_force):
    first, rest = match.group(1), match.group(2)
    groups = _groups(first + rest)
    seeds = seed_documents()
    forced = dict(in_force)
    forced_schemes = {scheme for scheme, _number in forced.values()}
    if any(file in forced for file, _text in groups):
        # The plan in force binds: drop the scheme's other seed plan (its sections differ).
        groups = [
            (file, text)
            for file, text in groups
            if file in forced or (seeds.get(file, ("", ""))[0] not in forced_schemes)
        ]
    parts = []
    for file, text in groups:
        if file in forced:
            number = forced[file][1]
        elif file in seeds:
            number = seeds[file][1]
        else:
            number = ""  # an unknown seed: the section alone, never a bare file number
        parts.append(f"{number} {text.strip()}".strip())
    return "; ".join(p for p in parts if p)


@lru_cache(maxsize=8192)
def _cite(text, in_force):
    return REFERENCE.sub(lambda m: _render(m, in_force), text)


def cite(text, plans=(), in_force=None):
    """`text` with every seed reference "[000 §…]" turned into "<document number> §…"."""
    if not text or "[" not in str(text):
        return text
    return _cite(str(text), in_force if in_force is not None else in_force_key(plans))


def cite_criteria(criteria, plans=(), in_force=None):
    """The criteria with their sections and reasons citing documents by number (new objects:
    the rules may share a result between subjects, criteria.rules.model_cell)."""
    key = in_force if in_force is not None else in_force_key(plans)
    out = []
    for criterion in criteria:
        section, reason = cite(criterion.section, in_force=key), cite(criterion.reason, in_force=key)
        if section is criterion.section and reason is criterion.reason:
            out.append(criterion)
        else:
            out.append(dataclasses.replace(criterion, section=section, reason=reason))
    return out


def cite_figures(figures, plans):
    """Indicator dicts (criteria.indicators, and those apps register) with their sections cited."""
    key = in_force_key(plans)
    for figure in figures:
        for name in ("section", "title", "note", "target_text"):
            if isinstance(figure.get(name), str):
                figure[name] = cite(figure[name], in_force=key)
    return figures


__all__ = ["cite", "cite_criteria", "cite_figures", "in_force_key", "seed_documents", "seed_file_of"]
