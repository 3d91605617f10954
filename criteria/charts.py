"""Dashboard charts drawn by pygal as server-side SVG, and the Vietnamese number formats (issue 12).

How the SVG lives under the site's Content-Security-Policy (config/middleware.py):
- pygal always writes a config <script> into <defs> (even with `js=[]`) and an inline
  `style="opacity: 0"` on its tooltip group; both are removed from the rendered tree, so the
  SVG holds no script and no style attribute (tooltips need pygal's JavaScript anyway);
- pygal's CSS stays in one <style> element per chart. The charts are embedded inline in the
  page (one request, the text and links are in the page's DOM), and `with_nonce` gives that
  <style> the request's CSP nonce, so the policy stays strict ('self' plus the nonce, never
  'unsafe-inline'). The alternative, an <img src> of a separate SVG view, would cost one more
  request per chart and lose the links on the bars; the numbers are in a table beside each
  chart either way. pygal's `no_prefix` stays off: each chart's CSS is scoped to its own
  `#chart-<uuid>`, so it can neither restyle the page nor the other charts.
  tests/browser/test_dashboard_trends.py checks in Chromium that the styles apply (the target
  line is drawn dashed) with no CSP report.
Charts are readable without colour: every point and bar carries its value label, the target
is a dashed line without dots whose legend names it, and the figures are repeated in a table.
The rendered SVG is cached by the chart's data (the data already changes with the verdicts).
"""

import hashlib
import json
import re
import xml.etree.ElementTree as ElementTree

import pygal
from django.core.cache import cache
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from pygal.style import Style

from .indicators import is_percent

CHART_TTL = 60 * 60

STYLE = Style(
    background="#ffffff",
    guide_stroke_color="#d9d9d9",
    guide_stroke_dasharray="none",  # solid guides: the only dashed line is the target
    major_guide_stroke_dasharray="none",
    plot_background="#ffffff",
    foreground="#1b1b1b",
    foreground_strong="#000000",
    foreground_subtle="#595959",
    opacity="1",
    opacity_hover="1",
    colors=("#1f4e79", "#000000"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=13,
    value_label_font_size=13,
    legend_font_size=12,
    title_font_size=14,
    tooltip_font_size=12,
)
# Bars in a light blue so the black value label inside each bar keeps its contrast.
BAR_STYLE = Style(**{**STYLE.to_dict(), "colors": ("#9cc3e6", "#000000")})

COMMON = {
    "style": STYLE,
    "disable_xml_declaration": True,  # embedded in HTML
    "js": [],  # no external script; the inline config script is stripped in _svg
    "explicit_size": False,  # viewBox only: the chart scales to its container (width 100%)
    "print_values": True,  # value labels on points and bars: readable without colour
    "show_y_guides": True,
    "truncate_legend": -1,
    "margin": 8,
    "margin_right": 44,  # room for the last value label (pygal prints it right of the point)
}


# --------------------------------------------------------------------------- Vietnamese numbers


def number(value, digits=2):
    """ "1,5", "12", "1.234,5": Vietnamese decimal comma and thousands dot; "" for None."""
    if value is None:
        return ""
    text = f"{float(value):,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{float(value):,.0f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def percent(value, digits=1):
    """ "4,5%", "100%", "33,3%" (Vietnamese formatting, no space before the sign); "" for None."""
    if value is None:
        return ""
    return number(round(float(value), digits), digits) + "%"


def figure_value(figure, value):
    return percent(value) if is_percent(figure) else number(value)


# --------------------------------------------------------------------------- rendering


def _cached(kind, data, draw):
    raw = json.dumps([kind, data, translation.get_language()], sort_keys=True, default=str)
    key = "criteria-chart:" + hashlib.sha256(raw.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = _svg(draw(), data["label"])
        cache.set(key, svg, CHART_TTL)
    return svg


def _svg(chart, label):
    """The chart's SVG without any <script> or style attribute, named for screen readers."""
    root = chart.render_tree()
    ns = "{http://www.w3.org/2000/svg}"
    for parent in root.iter():
        for child in list(parent):
            if child.tag in (f"{ns}script", "script"):
                parent.remove(child)
            elif "style" in child.attrib:
                del child.attrib["style"]
    for child in root:  # the chart's own <title> (pygal writes "Pygal"), not the guides' ones
        if child.tag in (f"{ns}title", "title"):
            child.text = label
            break
    root.set("role", "img")
    root.set("aria-label", label)
    ElementTree.register_namespace("", "http://www.w3.org/2000/svg")
    ElementTree.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    svg = ElementTree.tostring(root, encoding="unicode")
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)  # pygal's generator comments
    assert "<script" not in svg
    return svg


def with_nonce(svg, nonce):
    """The chart for a page: its <style> carries the request's CSP nonce (module docstring)."""
    if not svg:
        return ""
    return mark_safe(svg.replace("<style", f'<style nonce="{escape(nonce)}"', 1))  # noqa: S308 - our own SVG


def trend_svg(figure):
    """The indicator over the years as a line, the target as a dashed line (None: nothing to draw)."""
    points = figure.get("trend") or []
    if not any(p["value"] is not None for p in points):
        return ""
    pct = is_percent(figure)
    data = {
        "label": _("Biểu đồ %(t)s qua các năm") % {"t": figure["title"]},
        "years": [p["year"] for p in points],
        "values": [p["value"] for p in points],
        "targets": [p["target"] for p in points],
        "percent": pct,
    }

    def draw():
        fmt = percent if pct else number
        top = max([v for v in data["values"] + data["targets"] if v is not None] + [1])
        chart = pygal.Line(
            **COMMON,
            # A viewBox about as wide as a card (phone or desktop column): the text keeps its size.
            height=250,
            width=420,
            range=(0, 100) if pct else (0, top * 1.2),
            y_labels=[0, 20, 40, 60, 80, 100] if pct else None,
            y_labels_major=[0],
            value_formatter=fmt,
            legend_at_bottom=True,
            legend_at_bottom_columns=2,
            dots_size=4,
        )
        chart.x_labels = [str(y) for y in data["years"]]
        chart.add(_("Kết quả"), data["values"], formatter=fmt, stroke_style={"width": 3})
        if any(t is not None for t in data["targets"]):
            chart.add(
                _("Chỉ tiêu (đường nét đứt)"),
                data["targets"],
                formatter=fmt,
                show_dots=False,
                print_values=False,
                stroke_style={"width": 3, "dasharray": "10, 6"},
            )
        return chart

    return _cached("trend", data, draw)


def committees_svg(figure, rows):
    """The indicator per grassroots organization, best first, each bar a link to its drill-down."""
    rows = [r for r in rows if r["value"] is not None]
    if not rows:
        return ""
    pct = is_percent(figure)
    target = figure.get("target")
    data = {
        "label": _("Biểu đồ so sánh %(t)s giữa các tổ chức cơ sở đảng") % {"t": figure["title"]},
        "rows": [[r["name"], r["value"], r["url"]] for r in rows],
        "target": target,
        "percent": pct,
    }

    def draw():
        fmt = percent if pct else number
        ordered = list(reversed(data["rows"]))  # pygal draws horizontal bars bottom-up
        chart = pygal.HorizontalBar(
            **{**COMMON, "style": BAR_STYLE},
            width=420,
            height=70 + 30 * len(ordered),
            range=(0, 100) if pct else None,
            y_labels=[0, 25, 50, 75, 100] if pct else None,
            y_labels_major=[0],
            value_formatter=fmt,
            show_legend=target is not None,
            legend_at_bottom=True,
            truncate_label=22,  # the full names are in the table
        )
        chart.x_labels = [name for name, _v, _u in ordered]
        chart.add(
            _("Kết quả"),
            [{"value": v, "xlink": {"href": url, "target": "_self"}} for _n, v, url in ordered],
            formatter=fmt,
        )
        if target is not None:
            # The target as a legend line of its own (pygal's bar charts draw no reference line).
            chart.add(_("Chỉ tiêu: %(v)s") % {"v": fmt(target)}, [None] * len(ordered))
        return chart

    return _cached("committees", data, draw)


# --------------------------------------------------------------------------- for the pages


def decorate(figure, year, nonce, committees=False):
    """Add what the dashboard and indicator pages show: formatted numbers, links and the charts.

    `committees`: also the comparison across the grassroots organizations (its rows' links and
    numbers, and its chart); the page shows it for one figure, one page of rows at a time."""
    from django.urls import reverse

    figure["shown"] = figure_value(figure, figure["value"])
    figure["target_shown"] = figure_value(figure, figure["target"]) if figure.get("target") is not None else ""
    for point in figure.get("trend") or []:
        point["shown"] = figure_value(figure, point["value"])
        point["target_shown"] = figure_value(figure, point["target"]) if point["target"] is not None else ""
    figure["trend_svg"] = with_nonce(trend_svg(figure), nonce)
    rows = figure.get("committees")
    figure["committees_svg"] = ""
    if rows is not None and committees:  # only the comparison shown: a province has hundreds of rows
        url = reverse("criteria:indicator", args=[figure["code"]])
        for row in rows:
            row["url"] = f"{url}?org={row['pk']}&year={year}"
            row["shown"] = figure_value(figure, row["value"])
        figure["committees_svg"] = with_nonce(committees_svg(figure, rows), nonce)
    return figure
