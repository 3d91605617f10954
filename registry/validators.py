from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def validate_evidence_size(file):
    """Evidence files are limited in size (settings.EVIDENCE_MAX_BYTES)."""
    if file and file.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("Tệp quá lớn (%(size)s); tối đa %(max)s.")
            % {"size": filesizeformat(file.size), "max": filesizeformat(settings.EVIDENCE_MAX_BYTES)}
        )
