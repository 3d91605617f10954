from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "recognition"
    verbose_name = _("Đăng ký và công nhận")

    def ready(self):
        # criteria sits below recognition (.importlinter): it cannot import the registrations,
        # so the indicator that counts them is registered here.
        from criteria.indicators import register_indicator, register_version_source

        from .indicators import recognized_over_verdict, registrations, version

        register_indicator("registrations", registrations)
        # Issue 12: overrides of a not-eligible verdict, counted for the root and year.
        register_indicator("recognized_over_verdict", recognized_over_verdict)
        # A recognition changes these figures without changing a verdict: the dashboard's cache
        # (criteria.figure_cache) must see it.
        register_version_source(version)
