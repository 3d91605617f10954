"""The navigation bar: each app lists its own entries in `<app>/nav.py`."""

from importlib import import_module

NAV_APPS = ("registry", "evaluations", "criteria", "recognition")


def portal_nav(request):
    if not request.user.is_authenticated:
        return {}
    items = []
    for app in NAV_APPS:
        items.extend(import_module(f"{app}.nav").items(request))
    return {"portal_nav": items}
