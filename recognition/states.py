"""The states of a registration (SCHEMES §5), apart from the models so the workflow table can use them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("Nháp")
    SUBMITTED = "submitted", _("Đã gửi đăng ký")
    APPRAISED_GRASSROOTS = "appraised_grassroots", _("Đảng ủy cơ sở đã thẩm định")
    APPRAISED_BOARD = "appraised_board", _("Ban chuyên môn cấp trên đã thẩm định")
    RECOGNIZED = "recognized", _("Đã công nhận")
    REJECTED = "rejected", _("Không công nhận")
    RETURNED = "returned", _("Trả lại để bổ sung")
    REVOKED = "revoked", _("Đã hủy bỏ công nhận")


OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.APPRAISED_GRASSROOTS, State.APPRAISED_BOARD, State.RETURNED)
