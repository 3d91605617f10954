from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CriteriaConfig(AppConfig):
    name = "criteria"
    verbose_name = _("Tiêu chí và kế hoạch")

    def ready(self):
        from . import lookups  # noqa: F401  registers `__any_of` for the loader
        from .signals import connect

        connect()  # stored verdicts go stale on every fact write (criteria/verdicts.py)
