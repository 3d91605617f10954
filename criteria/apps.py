from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CriteriaConfig(AppConfig):
    name = "criteria"
    verbose_name = _("Tiêu chí và kế hoạch")

    def ready(self):
        from evaluations.thresholds import register_provider

        from . import lookups  # noqa: F401  registers `__any_of` for the loader
        from .signals import connect
        from .thresholds import provide

        connect()  # stored verdicts go stale on every fact write (criteria/verdicts.py)
        # The monthly flags read the plans' thresholds, as the rules do (issue 12; criteria/thresholds.py).
        register_provider(provide)
