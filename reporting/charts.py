"""Charts drawn on the server, as SVG, by pygal: the same markup in the page and in the PDF.

pygal writes a ``<style>`` and a ``<script>`` into every chart. The pages run under a
Content-Security-Policy that refuses inline styles and scripts, so both are taken out here, and
the chart is styled by static/css/charts.css instead, with the classes pygal puts on its
elements (``.color-0``, ``.axis``, ``.guide``…): the page links that file, the PDF inlines it.
The stylesheet draws in the page's colours, so a chart stays legible in dark mode; the SVG has
a viewBox and no width or height, so it shrinks to a phone's width.

Every chart comes with its figures as a table (``exportables.Section``): the chart is an image
for the eye, the table is what a screen reader and a spreadsheet read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

import pygal
from django.contrib.staticfiles import finders
from pygal.style import Style

from .exportables import Chart

SVG_NS = "http://www.w3.org/2000/svg"
CHART_CSS = "css/charts.css"
# Enough series colours for a chart by group or by type; charts.css defines as many.
PALETTE_SIZE = 12

_STYLE = Style(
    # Placeholders: pygal wants colours; charts.css sets the real ones by class.
    colors=tuple("#000000" for _ in range(PALETTE_SIZE)),
    font_family="inherit",
    # The sizes charts.css draws with: pygal places the labels and legends with them.
    title_font_size=17,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    value_font_size=13,
    tooltip_font_size=13,
    no_data_font_size=40,
)


def _config(**options) -> dict:
    return {
        "style": _STYLE,
        "disable_xml_declaration": True,
        "explicit_size": False,
        "no_prefix": True,
        "js": [],
        "css": [],
        "width": 720,
        "height": 320,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 4,
        "truncate_legend": 40,
        "truncate_label": 18,
        "print_values": False,
        "show_y_guides": True,
        "margin": 12,
        # Room under the legend: pygal sets its last line on the bottom edge.
        "margin_bottom": 30,
        "no_data_text": "∅",
        # Ticks on whole units: counts of requests are not read in tenths.
        "order_min": 0,
        **options,
    }


def _clean(chart, title: str) -> str:
    """The chart's SVG without its script, style and comments, with a role and a label."""
    root = chart.render_tree()
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else ""
            local = tag.rsplit("}", 1)[-1]
            if local in ("script", "style", "desc") or not tag:
                parent.remove(child)
            elif "tooltip" in child.get("class", "").split() and local == "g":
                # The hover boxes and the figures they would show: the table says them.
                parent.remove(child)
    for element in root.iter():
        element.attrib.pop("style", None)
        # Ids serve pygal's script only, and would repeat between two charts of a page.
        element.attrib.pop("id", None)
    root.attrib.pop("id", None)
    root.set("class", "pygal-chart")
    root.set("role", "img")
    root.set("aria-label", title)
    root.set("preserveAspectRatio", "xMidYMid meet")
    ElementTree.register_namespace("", SVG_NS)
    text = ElementTree.tostring(root, encoding="unicode")
    return text


_VAR = re.compile(r"var\((--[\w-]+)(?:,\s*([^()]*(?:\([^()]*\))?[^()]*))?\)")


@cache
def print_css() -> str:
    """charts.css for a renderer without CSS variables nor the page's theme (the PDF): the
    light palette written out, the rules addressed to the SVG itself."""
    path = finders.find(CHART_CSS)
    css = Path(path).read_text(encoding="utf-8") if path else ""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = [rule for rule in css.split("}") if "data-bs-theme" not in rule]
    values = dict(re.findall(r"(--[\w-]+):\s*([^;]+);", rules[0])) if rules else {}
    text = "}".join(rules[1:])

    def resolve(match):
        name, fallback = match.group(1), match.group(2)
        value = values.get(name, fallback or "")
        # A value naming another variable with a fallback (the page's colours): the fallback.
        return _VAR.sub(lambda inner: (inner.group(2) or "").strip(), value).strip()

    text = _VAR.sub(resolve, text)
    return text.replace(".chart-svg svg", "svg").replace(".chart-svg ", "")


def for_print(svg: str) -> str:
    """The chart's SVG with its stylesheet inside, for the PDF (no page CSS reaches it)."""
    head, sep, rest = svg.partition(">")
    return f"{head}{sep}<style>{print_css()}</style>{rest}"


def _finish(chart, title: str) -> Chart:
    return Chart(title=title, svg=_clean(chart, title))


def bar(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    stacked: bool = False,
    horizontal: bool = False,
    value_suffix: str = "",
) -> Chart:
    """Bars per label, one colour per series."""
    kind = {
        (False, False): pygal.Bar,
        (True, False): pygal.StackedBar,
        (False, True): pygal.HorizontalBar,
        (True, True): pygal.HorizontalStackedBar,
    }[(stacked, horizontal)]
    options = {}
    if horizontal:
        options["height"] = max(220, 40 + 26 * len(labels))
        options["truncate_label"] = 28
    chart = kind(**_config(x_label_rotation=0 if horizontal or len(labels) < 8 else 35, **options))
    chart.title = title
    chart.x_labels = [str(label) for label in labels]
    if value_suffix:
        chart.value_formatter = lambda value: (
            f"{value:g}{value_suffix}" if value is not None else ""
        )
    for name, values in series:
        chart.add(str(name), list(values))
    return _finish(chart, title)


def line(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
) -> Chart:
    """A line per series over time (labels are the periods)."""
    many = len(labels) > 12
    chart = pygal.Line(
        **_config(
            x_label_rotation=35 if many else 0,
            show_minor_x_labels=not many,
            x_labels_major_every=max(1, len(labels) // 8) if many else None,
            dots_size=2,
            show_dots=not many,
            # Series named at length ("First response met (%)"): two to a line.
            legend_at_bottom_columns=2,
            fill=False,
        )
    )
    chart.title = title
    chart.x_labels = [str(label) for label in labels]
    for name, values in series:
        chart.add(str(name), list(values))
    return _finish(chart, title)


def pie(title: str, slices: Sequence[tuple[str, float]]) -> Chart:
    chart = pygal.Pie(**_config(inner_radius=0.45, legend_at_bottom_columns=3))
    chart.title = title
    for name, value in slices:
        chart.add(str(name), value)
    return _finish(chart, title)
