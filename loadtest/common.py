"""What both locust files share: page names, links, the forms of a page and how a POST is judged.

A POST counts as a saved write only when the portal answered with a redirect to the record
(issue 13): a form shown again (200 with its errors), a redirect elsewhere (a double tap
sent back to the cell page) or any error status is a failure, reported with the first
message the page shows. `post_outcome` is that judgement, unit-tested in
tests/production/test_loadtest_tooling.py.
"""

import html as html_lib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

ID = re.compile(r"/\d+(?=/|\.|$)")
TAG = re.compile(r"<[^>]+>")
# Where the portal writes why a form was not saved, most specific first: the error summary of the
# monthly forms, a field's or the form's error list, a flash message, an error paragraph.
ERROR_PATTERNS = (
    re.compile(r'<div class="error-summary"[^>]*>.*?<li>(.*?)</li>', re.S),
    re.compile(r'<ul class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', re.S),
    re.compile(r'<li class="msg-error">(.*?)</li>', re.S),
    re.compile(r'<p class="errors"[^>]*>(.*?)</p>', re.S),
)


def page_name(path):
    """'/meetings/cell/123/new/' -> '/meetings/cell/[id]/new/' (query string dropped)."""
    return ID.sub("/[id]", path.split("?")[0])


def links(html, pattern):
    return sorted(set(re.findall(pattern, html)))


def first_error(html):
    """The first error message a page shows, as plain text ("" when it shows none)."""
    for pattern in ERROR_PATTERNS:
        match = pattern.search(html or "")
        if match:
            text = html_lib.unescape(TAG.sub("", match.group(1)))
            return " ".join(text.split())
    return ""


@dataclass(frozen=True)
class Outcome:
    saved: bool
    record: str = ""  # the record's path when saved
    reason: str = ""  # why not, when not saved


def post_outcome(status_code, location, record_pattern, html=""):
    """Judge the answer to a POST that should save a record.

    Saved only when the answer is a redirect (302/303) whose target matches `record_pattern`
    (a regex on the path, e.g. r"^/meetings/\\d+/$"). A 200 is the form shown again: not saved,
    whatever else the page says, with its first error message as the reason."""
    if status_code in (302, 303):
        path = urlsplit(location or "").path
        if re.search(record_pattern, path):
            return Outcome(True, record=path)
        return Outcome(False, reason=f"{status_code} to {path or '?'}, not to the record")
    if status_code == 200:
        message = first_error(html) or "no error message shown"
        return Outcome(False, reason=f"form shown again (200): {message}")
    message = first_error(html)
    return Outcome(False, reason=f"{status_code}" + (f": {message}" if message else ""))


class FormParser(HTMLParser):
    """The fields of every POST form in a page, as a browser would submit them unchanged."""

    def __init__(self):
        super().__init__()
        self.forms = []  # (action, {name: value})
        self.checkboxes = set()  # names of every checkbox, ticked or not
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = (attrs.get("action") or "", {})
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form[1]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind == "checkbox":
                self.checkboxes.add(name)
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    fields[name] = attrs.get("value", "on")
                elif kind == "radio":
                    fields.setdefault(name, attrs.get("value", ""))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select:
            if "selected" in attrs or not fields.get(self._select):
                fields[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[1][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_forms(html, tick=()):
    """[(action, fields)] of the page's POST forms; checkboxes whose name starts with one of `tick` are ticked."""
    parser = FormParser()
    parser.feed(html or "")
    forms = []
    for action, fields in parser.forms:
        if "logout" in action:  # the log-out form in the top bar is not a page's form
            continue
        fields.update({name: "on" for name in parser.checkboxes if name.startswith(tuple(tick)) and tick})
        forms.append((action, fields))
    return forms


def form_with(html, field, tick=()):
    """The first POST form of the page holding `field`, as (action, fields), or None."""
    return next(((a, f) for a, f in post_forms(html, tick) if field in f), None)


def max_points(html, prefix="points_"):
    """{field name: maximum} of the inputs whose name starts with `prefix` (their data-max attribute)."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", html or ""):
        name = re.search(r'name="([^"]+)"', tag)
        top = re.search(r'data-max="([\d.,]+)"', tag)
        if name and name.group(1).startswith(prefix) and top:
            found[name.group(1)] = float(top.group(1).replace(",", "."))
    return found
