"""Demo data of the criteria app: the five seed plans (idempotent)."""

import datetime
import json

from django.conf import settings
from django.db import transaction

from .models import Plan

FIXTURE = settings.BASE_DIR / "fixtures" / "plans.json"


@transaction.atomic
def populate():
    """Load (or refresh) the seed plans from fixtures/plans.json, matched by scheme and number."""
    plans = []
    for entry in json.loads(FIXTURE.read_text(encoding="utf-8")):
        fields = dict(entry["fields"])
        fields.pop("issuer", None)
        fields.pop("copied_from", None)
        fields["issued_on"] = datetime.date.fromisoformat(fields["issued_on"])
        plan, _created = Plan.objects.update_or_create(
            scheme=fields["scheme"], number=fields["number"], copied_from=None, defaults=fields
        )
        plans.append(plan)
    return plans
