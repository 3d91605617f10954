"""Every write of the recognition workflow (SCHEMES §1.3, §3.2–3.3, §4.1–4.2, §5), by concern:

- `policy`: which body decides, who may register or add evidence, what happens next
  (who may take each transition is the table in recognition/workflow.py);
- `registrations`: drafts, bulk registration of cells, evidence;
- `transitions`: the one service that moves a registration, with its audit row;
- `decisions`: numbered decisions and their PDFs;
- `conferences`: standing-committee conferences and the January re-check of model cells.

The names below are re-exported for callers outside this app (demo data, Celery tasks,
tests of other apps); code in this app imports from the modules.
"""

from .conferences import (
    conference_create,
    conference_decide,
    conference_generate_decisions,
    conference_start_generation,
    model_cell_recheck,
    model_cell_recheck_apply,
)
from .decisions import decision_issue, decision_render_pdf, next_decision_number
from .policy import allowed_actions, authority_for, next_step
from .registrations import default_phase, evidence_add, registration_create, registrations_bulk_create
from .transitions import (
    registration_appraise_board,
    registration_appraise_grassroots,
    registration_recognize,
    registration_reject,
    registration_return,
    registration_revoke,
    registration_submit,
    registration_transition,
)

__all__ = [
    "allowed_actions",
    "authority_for",
    "conference_create",
    "conference_decide",
    "conference_generate_decisions",
    "conference_start_generation",
    "decision_issue",
    "decision_render_pdf",
    "default_phase",
    "evidence_add",
    "model_cell_recheck",
    "model_cell_recheck_apply",
    "next_decision_number",
    "next_step",
    "registration_appraise_board",
    "registration_appraise_grassroots",
    "registration_create",
    "registration_recognize",
    "registration_reject",
    "registration_return",
    "registration_revoke",
    "registration_submit",
    "registration_transition",
    "registrations_bulk_create",
]
