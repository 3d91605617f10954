"""A memoized gettext for the rules: the same few hundred Vietnamese messages are formatted
for thousands of cells, and Django's gettext costs ~40 µs a call through asgiref's Local.

Keyed by (language, msgid); the language is read once per evaluation (`activate_cache`).
"""

import threading

from django.utils import translation

_cache = {}
_state = threading.local()


def activate_cache():
    _state.language = translation.get_language()


def current_language():
    """The language rules write in: the evaluation's, else the active one (a key for memoized verdicts)."""
    return getattr(_state, "language", None) or translation.get_language()


def gettext(message):
    language = getattr(_state, "language", None)
    if language is None:
        return translation.gettext(message)
    key = (language, message)
    try:
        return _cache[key]
    except KeyError:
        value = _cache[key] = translation.gettext(message)
        return value
