"""Writes of the criteria app: plans are copied, never edited in place by code."""

from django.db import transaction
from django.utils.translation import gettext as _

from .models import Plan


@transaction.atomic
def plan_copy(*, plan, issuer=None, number=None):
    """A committee's own copy of a plan, with every parameter, ready to edit in the admin."""
    copy = Plan.objects.get(pk=plan.pk)
    copy.pk = None
    copy.copied_from = plan
    copy.issuer = issuer if issuer is not None else plan.issuer
    copy.number = number or f"{plan.number} ({_('bản sao')})"[:50]
    copy.title = plan.title
    copy.params = dict(plan.params)
    copy.save()
    return copy
