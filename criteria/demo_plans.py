"""The demo block's own plans (issue 12): one per scheme, issued by the block.

A block runs each scheme under its own document; the demo copies the seed plan in force for
each scheme (criteria.services.plan_copy) with the seed's number and the block's committee as
issuer, so verdicts, citations and decisions of the demo cite the block's plans, never another
province's (the seeds come from Yên Bái, Quảng Bình, Hải Dương and TKV; SCHEMES, table of files).
"""

from .engine import plans_in_force
from .models import Plan, Scheme
from .services import plan_copy


def populate(block, rng=None):
    """Copy each scheme's default plan as the block's own (idempotent); returns {scheme: plan}."""
    own = {}
    defaults = plans_in_force(Scheme.values)
    for scheme, default in defaults.items():
        if default.pk is None:
            continue  # no stored seed plan to copy (the seeds load first: DEMO_STEPS)
        found = Plan.objects.filter(scheme=scheme, issuer=block, number=default.number).first()
        own[scheme] = found or plan_copy(plan=default, issuer=block, number=default.number)
    return own
