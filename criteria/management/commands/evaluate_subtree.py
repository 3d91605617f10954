"""manage.py evaluate_subtree <org_id> --scheme model_cell --year 2024 --format json|csv"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from criteria.engine import evaluate
from criteria.loader import batch_work
from criteria.models import Plan, Scheme
from criteria.selectors import ranked
from criteria.views import write_csv
from registry.models import CELL_KINDS, Organization, OrganizationKind


class Command(BaseCommand):
    help = "Đối chiếu tiêu chí cho mọi chi bộ (và đảng bộ cơ sở khi phong trào áp dụng) dưới một tổ chức."

    def add_arguments(self, parser):
        parser.add_argument("org_id", type=int)
        parser.add_argument("--scheme", choices=Scheme.values, required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--plan", type=int, help="Mã kế hoạch (mặc định: kế hoạch mới nhất của phong trào)")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--filter", choices=["", "eligible", "near_miss", "missing_data"], default="")

    def handle(self, *args, **options):
        try:
            root = Organization.objects.get(pk=options["org_id"])
        except Organization.DoesNotExist as error:
            raise CommandError(f"Không có tổ chức {options['org_id']}") from error
        plan = Plan.objects.filter(pk=options["plan"]).first() if options["plan"] else None
        if options["plan"] and plan is None:
            raise CommandError(f"Không có kế hoạch {options['plan']}")
        kinds = list(CELL_KINDS)
        if options["scheme"] in (Scheme.FOUR_GOODS, Scheme.EXEMPLARY):
            kinds.append(OrganizationKind.GRASSROOTS_COMMITTEE)
        # A queryset, not a list: the loader reads just the fields it needs and filters by it as a subquery.
        subjects = root.descendants(include_self=True).filter(kind__in=kinds).order_by("path")
        with batch_work():  # a command may pause the collector and read ahead (criteria.loader)
            rows = ranked(evaluate(subjects, options["scheme"], options["year"], plan), options["filter"])
        out = self.stdout if self.stdout else sys.stdout
        if options["format"] == "csv":
            write_csv(out, rows)
        else:
            out.write(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=1))
