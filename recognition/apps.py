from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "recognition"
    verbose_name = _("Đăng ký và công nhận")

    def ready(self):
        # criteria sits below recognition (.importlinter): it cannot import the registrations,
        # so the indicator that counts them is registered here.
        from criteria.indicators import register_indicator

        from .indicators import registrations

        register_indicator("registrations", registrations)
