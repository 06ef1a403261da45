"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, readable in black-and-white print.

Each function returns one ``<svg>`` (a ``SafeString``) that scales with its container (a viewBox and
``width: 100%`` in static/css/charts.css) and carries ``role="img"``, an ``aria-label``, a ``<title>``
and a ``<desc>`` with the data in words. Nothing depends on colour alone: counts are printed on the
bars, series have hatch patterns or distinct markers and dash styles, and there is a legend. Empty
data gives a small chart saying "ยังไม่มีข้อมูล", never an exception.

Numbers stay ``Decimal`` all the way; only coordinates become strings at the very end. Every label is
escaped (labels are Thai text typed by people, and may contain ``<`` or ``&``).

Colours are given twice on purpose: as presentation attributes (``fill="…"``), which are what
WeasyPrint uses (it does not apply the page's CSS inside an inline SVG, so the PDF would otherwise be
black), and as classes (``chart-status-certified``, ``chart-series-0``) that static/css/charts.css
styles on screen. tests/reports/test_charts.py checks that the two palettes agree. Text uses
Sarabun by attribute for the same reason; charts.css sets ``font-family: inherit`` for the page.
See docs/printing.md.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

DEFAULT_EDGES: tuple[Decimal, ...] = tuple(Decimal(1) + Decimal("0.5") * i for i in range(9))  # 1, 1.5, … 5

# The faces print_base.html declares for WeasyPrint (split by script, see docs/printing.md), then Sarabun
# as installed or as krs.css declares it; on a page charts.css replaces this with the page's font.
FONT_FAMILY = "Sarabun Latin, Sarabun Thai, Sarabun, Noto Sans Thai, Tahoma, sans-serif"

# The entry statuses (reporting.models.Entry.Status), each with a fill and a hatch pattern so that the
# seven stay apart in grey print. Mirrored in static/css/charts.css (.chart-status-<key>).
STATUS_FILLS: dict[str, str] = {
    "not_reported": "#adb5bd",
    "awaiting": "#ffc107",
    "rejected": "#dc3545",
    "certified": "#198754",
    "system_unreported": "#343a40",
    "system_unfixed": "#842029",
    "system_no_central": "#6f42c1",
}
STATUS_PATTERNS: dict[str, str | None] = {
    "not_reported": None,
    "awaiting": "dots",
    "rejected": "diag",
    "certified": None,
    "system_unreported": "cross",
    "system_unfixed": "rdiag",
    "system_no_central": "vert",
}
# Any other series, by position (Okabe–Ito: distinguishable with the common colour-vision deficiencies).
# Mirrored in static/css/charts.css (.chart-series-<i>).
SERIES_FILLS: tuple[str, ...] = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000", "#f0e442",
)
SERIES_PATTERNS: tuple[str | None, ...] = (None, "diag", "dots", "cross", "horiz", "rdiag", "vert", None)
# Line charts: a marker shape and a dash style per series, so lines stay apart without colour.
MARKERS: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "cross", "down")
DASHES: tuple[str | None, ...] = (None, "8 4", "2 3", "10 3 2 3", "4 4", "1 5")

_BAR_FILL = "#1b3a6b"  # --krs-brand
_GRID = "#ced4da"
_AXIS = "#495057"
_TEXT = "#212529"


# --- small helpers ---------------------------------------------------------------------------------

def _c(value: Decimal | int) -> str:
    """A coordinate as SVG text: one decimal at most, no exponent (the only place numbers become text)."""
    text = format(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), "f")
    text = text.removesuffix(".0")
    return "0" if text == "-0" else text


def _e(text: object) -> str:
    """Escaped for XML text and attribute values (``<``, ``>``, ``&``, quotes)."""
    return str(escape(str(text)))


def _slug(key: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", str(key).lower()).strip("-") or "x"


def _chart_id(kind: str, *parts: object) -> str:
    """A stable id prefix for <defs>, so two charts on one page never share a pattern id by accident."""
    digest = hashlib.sha1(repr((kind, parts)).encode("utf-8")).hexdigest()[:8]
    return f"krs-{kind}-{digest}"


def _shorten(text: str, limit: int) -> str:
    """Cut a label to about ``limit`` visible characters (Thai marks above/below take no width)."""
    visible = 0
    for i, char in enumerate(text):
        if unicodedata.category(char) not in ("Mn", "Me", "Cf"):
            visible += 1
            if visible > limit:
                return text[:i].rstrip() + "…"
    return text


def _score(value: Decimal) -> str:
    """A score with five decimals, as the reports show it next to the chart."""
    return format(value.quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP), "f")


def _edge(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")


def _svg(kind: str, width: int, height: int, label: str, desc: str, body: Sequence[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'role="img" aria-label="{_e(label)}" font-family="{FONT_FAMILY}" font-size="13" fill="{_TEXT}">'
        f"<title>{_e(label)}</title><desc>{_e(desc)}</desc>"
    )
    # Safe: every piece of text in head and body went through _e().
    return mark_safe(head + "".join(body) + "</svg>")


def empty_chart(*, label: str) -> SafeString:
    """The small chart shown when there is nothing to draw."""
    message = _("ยังไม่มีข้อมูล")
    body = [
        '<rect class="chart-frame" x="0.5" y="0.5" width="399" height="59" fill="none" '
        f'stroke="{_GRID}" stroke-dasharray="4 3"/>',
        f'<text class="chart-empty-text" x="200" y="36" text-anchor="middle" font-size="16">{_e(message)}</text>',
    ]
    return _svg("empty", 400, 60, label, message, body)


def _pattern_defs(prefix: str, names: set[str]) -> str:
    """Hatch patterns drawn in translucent black over a fill: they survive grey print and photocopies."""
    shapes = {
        "diag": ('patternTransform="rotate(45)"', '<rect width="1.6" height="6" fill="#000" fill-opacity=".5"/>'),
        "rdiag": ('patternTransform="rotate(-45)"', '<rect width="1.6" height="6" fill="#000" fill-opacity=".5"/>'),
        "vert": ("", '<rect width="1.6" height="6" fill="#000" fill-opacity=".5"/>'),
        "horiz": ("", '<rect width="6" height="1.6" fill="#000" fill-opacity=".5"/>'),
        "cross": ("", '<rect width="1.4" height="6" fill="#fff" fill-opacity=".6"/>'
                      '<rect width="6" height="1.4" fill="#fff" fill-opacity=".6"/>'),
        "dots": ("", '<circle cx="3" cy="3" r="1.3" fill="#000" fill-opacity=".55"/>'),
    }
    parts = []
    for name in sorted(names):
        transform, shape = shapes[name]
        parts.append(
            f'<pattern id="{prefix}-{name}" patternUnits="userSpaceOnUse" width="6" height="6" {transform}>'
            f"{shape}</pattern>"
        )
    return f"<defs>{''.join(parts)}</defs>" if parts else ""


def _swatch(x: Decimal, y: Decimal, size: int, fill: str, css: str, pattern: str | None, prefix: str) -> str:
    out = (
        f'<rect class="chart-swatch {css}" x="{_c(x)}" y="{_c(y)}" width="{size}" height="{size}" fill="{fill}" '
        f'stroke="{_AXIS}" stroke-width="0.5"/>'
    )
    if pattern:
        out += (
            f'<rect class="chart-pattern" x="{_c(x)}" y="{_c(y)}" width="{size}" height="{size}" '
            f'fill="url(#{prefix}-{pattern})"/>'
        )
    return out


def _nice_step(maximum: int, ticks: int = 5) -> int:
    """A round step (1, 2, 5, 10, 20, 50, …) giving at most ``ticks`` gridlines up to ``maximum``."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if maximum <= step * factor * ticks:
                return step * factor
        step *= 10


# --- histogram ------------------------------------------------------------------------------------

def histogram_counts(values: Sequence[Decimal | None], edges: Sequence[Decimal] = DEFAULT_EDGES) -> list[int]:
    """How many values fall in each bin [edges[i], edges[i+1]); the last bin is closed at its top.

    None and values outside the edges are not counted.
    """
    edges = [Decimal(e) for e in edges]
    if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise ValueError("histogram edges must be at least two increasing numbers")
    counts = [0] * (len(edges) - 1)
    for value in values:
        if value is None or not edges[0] <= value <= edges[-1]:
            continue
        for i in range(len(counts)):
            if value < edges[i + 1] or i == len(counts) - 1:
                counts[i] += 1
                break
    return counts


def _bin_label(low: Decimal, high: Decimal, last: bool) -> str:
    top = high if last else high - Decimal("0.01")
    return f"{_edge(low)}–{_edge(top)}"


def histogram(values: Sequence[Decimal], *, label: str, edges: Sequence[Decimal] = DEFAULT_EDGES) -> SafeString:
    """Distribution of scores (1–5 by default) as vertical bars, the count printed above each bar."""
    present = [v for v in values if v is not None]
    if not present:
        return empty_chart(label=label)
    edges = [Decimal(e) for e in edges]
    counts = histogram_counts(present, edges)
    bins = [_bin_label(edges[i], edges[i + 1], i == len(counts) - 1) for i in range(len(counts))]
    outside = len(present) - sum(counts)

    width, height = 640, 330
    left, right, top, bottom = Decimal(52), Decimal(624), Decimal(28), Decimal(268)
    plot_w, plot_h = right - left, bottom - top
    step = _nice_step(max(max(counts), 1))
    scale_top = step * math.ceil(max(max(counts), 1) / step)
    slot = plot_w / len(counts)
    bar_w = slot * Decimal("0.8")

    body = []
    for tick in range(0, scale_top + 1, step):  # gridlines and the count axis
        y = bottom - plot_h * tick / scale_top
        body.append(
            f'<line class="chart-grid" x1="{_c(left)}" x2="{_c(right)}" y1="{_c(y)}" y2="{_c(y)}" '
            f'stroke="{_GRID}" stroke-width="1"/>'
            f'<text class="chart-tick" x="{_c(left - 8)}" y="{_c(y + 4)}" text-anchor="end" font-size="12">{tick}</text>'
        )
    for i, (count, bin_label) in enumerate(zip(counts, bins, strict=True)):
        x = left + slot * i + (slot - bar_w) / 2
        bar_h = plot_h * count / scale_top
        centre = x + bar_w / 2
        body.append(
            f'<g class="chart-bin" data-bin="{_e(bin_label)}">'
            f'<rect class="chart-bar" x="{_c(x)}" y="{_c(bottom - bar_h)}" width="{_c(bar_w)}" '
            f'height="{_c(bar_h)}" fill="{_BAR_FILL}" data-count="{count}"/>'
            f'<text class="chart-value" x="{_c(centre)}" y="{_c(bottom - bar_h - 6)}" text-anchor="middle" '
            f'font-weight="600">{count}</text>'
            f'<text class="chart-xlabel" x="{_c(centre)}" y="{_c(bottom + 18)}" text-anchor="middle" '
            f'font-size="12">{_e(bin_label)}</text></g>'
        )
    body.append(
        f'<line class="chart-axis" x1="{_c(left)}" x2="{_c(right)}" y1="{_c(bottom)}" y2="{_c(bottom)}" '
        f'stroke="{_AXIS}" stroke-width="1.5"/>'
        f'<text class="chart-axis-title" x="{_c((left + right) / 2)}" y="{height - 16}" text-anchor="middle">'
        f'{_e(_("ช่วงคะแนน"))}</text>'
        f'<text class="chart-axis-title" x="{_c(left - 8)}" y="16" text-anchor="end" font-size="12">'
        f'{_e(_("จำนวน"))}</text>'
    )
    words = "; ".join(f"{b}: {c}" for b, c in zip(bins, counts, strict=True))
    desc = _("ช่วงคะแนนและจำนวน: %(bins)s; รวม %(total)s") % {"bins": words, "total": sum(counts)}
    if outside:
        desc += "; " + _("นอกช่วง %(count)s") % {"count": outside}
    return _svg("histogram", width, height, label, desc, body)


# --- stacked horizontal bars ----------------------------------------------------------------------

def _series_style(key: str, index: int) -> tuple[str, str | None, str]:
    """(fill, pattern, classes) for a series: the status palette when the key is a status, else by position."""
    if key in STATUS_FILLS:
        return STATUS_FILLS[key], STATUS_PATTERNS[key], f"chart-status-{_slug(key)}"
    i = index % len(SERIES_FILLS)
    return SERIES_FILLS[i], SERIES_PATTERNS[i], f"chart-series-{i} chart-key-{_slug(key)}"


def stacked_bars(
    rows: Sequence[tuple[str, Mapping[str, int]]],
    *,
    series: Sequence[tuple[str, str]],
    label: str,
) -> SafeString:
    """One horizontal bar per row, split into segments per series key; counts in segments, totals at the end.

    ``series`` is ``[(key, label), …]`` in drawing order; keys missing from a row count 0, keys not in
    ``series`` are ignored.
    """
    rows = list(rows)
    if not rows or not series:
        return empty_chart(label=label)
    totals = [sum(int(counts.get(key, 0) or 0) for key, _name in series) for _row, counts in rows]
    if not any(totals):
        return empty_chart(label=label)
    prefix = _chart_id("stack", label, tuple(row_label for row_label, _counts in rows), tuple(series))
    styles = [_series_style(key, i) for i, (key, _name) in enumerate(series)]

    width = 720
    label_w, gap = Decimal(230), Decimal(8)
    bar_left = label_w + gap
    bar_right = Decimal(width - 56)  # room for the total
    bar_area = bar_right - bar_left
    legend_cols = 3
    legend_col_w = Decimal(width) / legend_cols
    legend_rows = math.ceil(len(series) / legend_cols)
    row_h, bar_h = Decimal(30), Decimal(20)
    top = Decimal(10 + legend_rows * 22 + 12)
    height = int(top + row_h * len(rows) + 10)
    scale = max(totals)

    body = [_pattern_defs(prefix, {p for _f, p, _k in styles if p})]
    for i, ((_key, name), (fill, pattern, css)) in enumerate(zip(series, styles, strict=True)):  # the legend
        x = legend_col_w * (i % legend_cols)
        y = Decimal(10 + (i // legend_cols) * 22)
        body.append(
            f'<g class="chart-legend-item">{_swatch(x, y, 14, fill, css, pattern, prefix)}'
            f'<text x="{_c(x + 20)}" y="{_c(y + 12)}" font-size="12">{_e(_shorten(name, 30))}</text></g>'
        )
    for r, ((row_label, counts), total) in enumerate(zip(rows, totals, strict=True)):
        y = top + row_h * r + (row_h - bar_h) / 2
        text_y = y + bar_h / 2 + 5
        parts = [
            f'<g class="chart-row"><title>{_e(row_label)}</title>'
            f'<text class="chart-row-label" x="{_c(label_w)}" y="{_c(text_y)}" text-anchor="end">'
            f"{_e(_shorten(row_label, 34))}</text>"
        ]
        x = bar_left
        for (key, name), (fill, pattern, css) in zip(series, styles, strict=True):
            count = int(counts.get(key, 0) or 0)
            if count <= 0:
                continue
            seg_w = bar_area * count / scale
            parts.append(
                f'<rect class="chart-seg {css}" x="{_c(x)}" y="{_c(y)}" width="{_c(seg_w)}" height="{_c(bar_h)}" '
                f'fill="{fill}" stroke="#fff" stroke-width="0.5" data-key="{_e(key)}" data-count="{count}">'
                f"<title>{_e(name)}: {count}</title></rect>"
            )
            if pattern:
                parts.append(
                    f'<rect class="chart-pattern" x="{_c(x)}" y="{_c(y)}" width="{_c(seg_w)}" '
                    f'height="{_c(bar_h)}" fill="url(#{prefix}-{pattern})"/>'
                )
            label_w_needed = Decimal(7 * len(str(count)) + 8)
            if seg_w >= label_w_needed:  # a white tag behind the number keeps it readable on any fill or hatch
                centre = x + seg_w / 2
                parts.append(
                    f'<rect class="chart-tag" x="{_c(centre - label_w_needed / 2)}" y="{_c(y + 3)}" '
                    f'width="{_c(label_w_needed)}" height="{_c(bar_h - 6)}" rx="2" fill="#fff" fill-opacity=".85"/>'
                    f'<text class="chart-value" x="{_c(centre)}" y="{_c(text_y - 1)}" text-anchor="middle" '
                    f'font-size="12">{count}</text>'
                )
            x += seg_w
        parts.append(
            f'<text class="chart-total" x="{_c(x + 6)}" y="{_c(text_y)}" font-weight="600">{total}</text></g>'
        )
        body.append("".join(parts))
    body.append(
        f'<line class="chart-axis" x1="{_c(bar_left)}" x2="{_c(bar_left)}" y1="{_c(top)}" '
        f'y2="{_c(top + row_h * len(rows))}" stroke="{_AXIS}" stroke-width="1.5"/>'
    )
    sentences = []
    for (row_label, counts), total in zip(rows, totals, strict=True):
        pieces = ", ".join(f"{name} {int(counts.get(key, 0) or 0)}" for key, name in series)
        sentences.append(_("%(row)s: %(pieces)s, รวม %(total)s") % {"row": row_label, "pieces": pieces, "total": total})
    return _svg("stacked", width, height, label, "; ".join(sentences), body)


# --- lines ----------------------------------------------------------------------------------------

def _marker(shape: str, x: Decimal, y: Decimal, colour: str) -> str:
    common = f'class="chart-marker chart-marker-{shape}" fill="{colour}" stroke="#fff" stroke-width="1"'
    s = Decimal(5)
    if shape == "circle":
        return f'<circle {common} cx="{_c(x)}" cy="{_c(y)}" r="{_c(s)}"/>'
    if shape == "square":
        return f'<rect {common} x="{_c(x - s)}" y="{_c(y - s)}" width="{_c(2 * s)}" height="{_c(2 * s)}"/>'
    if shape == "triangle":
        points = f"{_c(x)},{_c(y - s - 1)} {_c(x + s + 1)},{_c(y + s)} {_c(x - s - 1)},{_c(y + s)}"
    elif shape == "down":
        points = f"{_c(x)},{_c(y + s + 1)} {_c(x + s + 1)},{_c(y - s)} {_c(x - s - 1)},{_c(y - s)}"
    elif shape == "diamond":
        points = f"{_c(x)},{_c(y - s - 1)} {_c(x + s + 1)},{_c(y)} {_c(x)},{_c(y + s + 1)} {_c(x - s - 1)},{_c(y)}"
    else:  # cross: a plus sign thick enough to see
        t = Decimal(2)
        points = " ".join(
            f"{_c(x + dx)},{_c(y + dy)}"
            for dx, dy in (
                (-t, -s), (t, -s), (t, -t), (s, -t), (s, t), (t, t), (t, s), (-t, s), (-t, t), (-s, t), (-s, -t), (-t, -t)
            )
        )
    return f'<polygon {common} points="{points}"/>'


def _y_ticks(y_min: Decimal, y_max: Decimal) -> list[Decimal]:
    span = y_max - y_min
    if span <= 10 and span == span.to_integral_value() and y_min == y_min.to_integral_value():
        return [y_min + i for i in range(int(span) + 1)]
    return [y_min + span * i / 4 for i in range(5)]


def line(
    series: Sequence[tuple[str, Sequence[tuple[str, Decimal | None]]]],
    *,
    label: str,
    y_min: Decimal = Decimal(1),
    y_max: Decimal = Decimal(5),
) -> SafeString:
    """Lines over shared x labels (rounds, weeks); each point marked and its value printed; None is a gap."""
    y_min, y_max = Decimal(y_min), Decimal(y_max)
    if y_max <= y_min:
        raise ValueError("y_max must be greater than y_min")
    series = [(name, list(points)) for name, points in series]
    x_labels: list[str] = []
    for _name, points in series:
        for x_label, _value in points:
            if x_label not in x_labels:
                x_labels.append(x_label)
    if not any(v is not None for _name, points in series for _x, v in points):
        return empty_chart(label=label)

    width = 720
    legend_cols = 3
    legend_rows = math.ceil(len(series) / legend_cols)
    top = Decimal(10 + legend_rows * 22 + 26)  # room for value labels pushed above a point at the top
    left, right = Decimal(44), Decimal(width - 20)
    plot_h = Decimal(240)
    bottom = top + plot_h
    height = int(bottom + 48)
    plot_w = right - left
    slot = plot_w / len(x_labels)
    x_of = {x_label: left + slot * i + slot / 2 for i, x_label in enumerate(x_labels)}
    label_every = max(1, math.ceil(len(x_labels) / 12))  # weeks: keep x labels from overlapping
    value_every = 1 if len(x_labels) <= 20 else label_every

    def y_of(value: Decimal) -> Decimal:
        clamped = min(max(value, y_min), y_max)
        return bottom - plot_h * (clamped - y_min) / (y_max - y_min)

    body = []
    for tick in _y_ticks(y_min, y_max):
        y = y_of(tick)
        body.append(
            f'<line class="chart-grid" x1="{_c(left)}" x2="{_c(right)}" y1="{_c(y)}" y2="{_c(y)}" '
            f'stroke="{_GRID}" stroke-width="1"/>'
            f'<text class="chart-tick" x="{_c(left - 8)}" y="{_c(y + 4)}" text-anchor="end" font-size="12">'
            f"{_e(format(tick.normalize(), 'f'))}</text>"
        )
    for i, x_label in enumerate(x_labels):
        if i % label_every == 0 or i == len(x_labels) - 1:
            body.append(
                f'<text class="chart-xlabel" x="{_c(x_of[x_label])}" y="{_c(bottom + 20)}" text-anchor="middle" '
                f'font-size="12">{_e(_shorten(x_label, 14))}</text>'
            )
    body.append(
        f'<line class="chart-axis" x1="{_c(left)}" x2="{_c(right)}" y1="{_c(bottom)}" y2="{_c(bottom)}" '
        f'stroke="{_AXIS}" stroke-width="1.5"/>'
    )

    labels_at: dict[str, list[tuple[Decimal, str, str]]] = {}
    markers: list[str] = []  # drawn last, so that no line or value label hides a point
    for s, (name, points) in enumerate(series):
        colour = SERIES_FILLS[s % len(SERIES_FILLS)]
        shape = MARKERS[s % len(MARKERS)]
        dash = DASHES[s % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        runs: list[list[tuple[Decimal, Decimal]]] = [[]]
        for x_label, value in points:
            if value is None:
                if runs[-1]:
                    runs.append([])
                continue
            runs[-1].append((x_of[x_label], y_of(value)))
            if x_labels.index(x_label) % value_every == 0 or x_label == x_labels[-1]:
                labels_at.setdefault(x_label, []).append((y_of(value), _score(value), colour))
        parts = [f'<g class="chart-line-series chart-series-{s % len(SERIES_FILLS)}" data-series="{_e(name)}">']
        for run in runs:
            if len(run) > 1:
                coords = " ".join(f"{_c(x)},{_c(y)}" for x, y in run)
                parts.append(
                    f'<polyline class="chart-line" points="{coords}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"{dash_attr}/>'
                )
        parts.append("</g>")
        body.append("".join(parts))
        markers.append(
            f'<g class="chart-line-points chart-series-{s % len(SERIES_FILLS)}" data-series="{_e(name)}">'
            + "".join(_marker(shape, x, y, colour) for run in runs for x, y in run)
            + "</g>"
        )
        # The legend: a short piece of the line with its marker, then the name.
        lx = (Decimal(width) / legend_cols) * (s % legend_cols) + 4
        ly = Decimal(10 + (s // legend_cols) * 22)
        body.append(
            f'<g class="chart-legend-item"><line x1="{_c(lx)}" x2="{_c(lx + 28)}" y1="{_c(ly + 7)}" y2="{_c(ly + 7)}" '
            f'stroke="{colour}" stroke-width="2.5"{dash_attr}/>{_marker(shape, lx + 14, ly + 7, colour)}'
            f'<text x="{_c(lx + 36)}" y="{_c(ly + 12)}" font-size="12">{_e(_shorten(name, 28))}</text></g>'
        )

    # Values above their points; where series meet at one x, higher labels are pushed up to stay legible.
    for x_label, items in labels_at.items():
        placed: list[Decimal] = []
        for y, text, colour in sorted(items, key=lambda item: item[0], reverse=True):  # lowest point first
            want = y - 10
            if placed and want > placed[-1] - 14:
                want = placed[-1] - 14  # pushed upwards, never onto a point below
            placed.append(want)
            x = x_of[x_label]
            body.append(
                f'<rect class="chart-tag" x="{_c(x - 21)}" y="{_c(want - 10)}" width="42" height="13" rx="2" '
                f'fill="#fff" fill-opacity=".85"/>'
                f'<text class="chart-value" x="{_c(x)}" y="{_c(want)}" text-anchor="middle" font-size="11" '
                f'fill="{colour if colour not in ("#f0e442", "#e69f00", "#56b4e9") else _TEXT}">{text}</text>'
            )

    body.extend(markers)
    sentences = []
    for name, points in series:
        said = ", ".join(f"{x} {_score(v) if v is not None else _('ไม่มีข้อมูล')}" for x, v in points)
        sentences.append(f"{name}: {said}")
    return _svg("line", width, height, label, "; ".join(sentences), body)
