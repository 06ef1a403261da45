"""Server-side SVG charts (reports/charts.py): parsed back as XML and measured."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.safestring import SafeString
from hypothesis import given
from hypothesis import strategies as st

from reports import charts

NS = "{http://www.w3.org/2000/svg}"
D = Decimal
STATUSES = [
    ("not_reported", "ยังไม่รายงานผล"),
    ("awaiting", "รอการรับรองผล"),
    ("rejected", "ไม่รับรอง"),
    ("certified", "รับรองผล"),
    ("system_unreported", "ไม่รายงานผลตามกำหนด"),
    ("system_unfixed", "ไม่แก้ไขตามกำหนด"),
]


@pytest.fixture(autouse=True)
def _thai():
    with translation.override("th"):
        yield


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def classed(root: ET.Element, tag: str, css: str) -> list[ET.Element]:
    return [el for el in root.iter(NS + tag) if css in (el.get("class") or "").split()]


def texts(root: ET.Element, css: str) -> list[str]:
    return [el.text for el in classed(root, "text", css)]


def view_height(root: ET.Element) -> float:
    return float(root.get("viewBox").split()[3])


def some_charts():
    return {
        "histogram": charts.histogram([D("1.2"), D("3.5"), D("5")], label="การกระจายของคะแนน"),
        "stacked": charts.stacked_bars(
            [("สำนักติดตามและประเมินผล", {"certified": 4, "awaiting": 2})], series=STATUSES, label="สถานะรายสำนัก"
        ),
        "line": charts.line([("สพป.เชียงใหม่ เขต 1", [("6 เดือน", D("3.1")), ("9 เดือน", D("4"))])], label="คะแนนรายรอบ"),
        "empty": charts.histogram([], label="ว่าง"),
    }


@pytest.mark.parametrize("kind", ["histogram", "stacked", "line", "empty"])
def test_every_chart_is_one_accessible_scalable_svg(kind):
    svg = some_charts()[kind]
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.tag == NS + "svg"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox"))
    assert root.get("width") == "100%"
    assert "chart" in root.get("class").split()
    assert "Sarabun" in root.get("font-family")
    children = list(root)
    assert children[0].tag == NS + "title" and children[0].text == root.get("aria-label")
    assert children[1].tag == NS + "desc" and children[1].text
    assert "<script" not in str(svg)


# --- histogram ------------------------------------------------------------------------------------

def test_histogram_bars_are_as_tall_as_their_counts_and_labelled():
    values = [D("1.2")] * 3 + [D("2.5"), D("2.99")] * 3 + [D("4.5")] * 2
    root = parse(charts.histogram(values, label="คะแนน"))
    bars = classed(root, "rect", "chart-bar")
    counts = [int(bar.get("data-count")) for bar in bars]
    assert counts == [3, 0, 0, 6, 0, 0, 0, 2]
    assert texts(root, "chart-value") == [str(c) for c in counts]
    heights = [float(bar.get("height")) for bar in bars]
    unit = heights[3] / 6
    for count, height in zip(counts, heights, strict=True):
        assert height == pytest.approx(count * unit, abs=0.11)
    # All bars stand on one baseline.
    bottoms = {round(float(b.get("y")) + float(b.get("height")), 1) for b in bars}
    assert len(bottoms) == 1


def test_histogram_labels_its_bins_and_closes_the_last_at_five():
    root = parse(charts.histogram([D(5)], label="คะแนน"))
    assert texts(root, "chart-xlabel") == [
        "1.00–1.49", "1.50–1.99", "2.00–2.49", "2.50–2.99", "3.00–3.49", "3.50–3.99", "4.00–4.49", "4.50–5.00",
    ]
    assert texts(root, "chart-value")[-1] == "1"


def test_histogram_bins_split_exactly_at_the_edges():
    assert charts.histogram_counts([D("1.49999"), D("1.5"), D("4.99999"), D("5.00000")]) == [1, 1, 0, 0, 0, 0, 0, 2]
    assert charts.histogram_counts([D("0.99"), D("5.01"), None]) == [0] * 8


def test_histogram_with_custom_edges():
    root = parse(charts.histogram([D(1), D(2), D(3)], label="x", edges=[D(1), D(3), D(5)]))
    assert texts(root, "chart-xlabel") == ["1.00–2.99", "3.00–5.00"]
    assert texts(root, "chart-value") == ["2", "1"]


def test_histogram_says_in_words_what_it_shows_and_what_fell_outside():
    desc = parse(charts.histogram([D(1), D(9)], label="x")).find(NS + "desc").text
    assert "1.00–1.49: 1" in desc
    assert "รวม 1" in desc
    assert "นอกช่วง 1" in desc


@given(st.lists(st.decimals(min_value=1, max_value=5, places=5, allow_nan=False, allow_infinity=False), max_size=60))
def test_any_scores_between_one_and_five_are_all_counted_once(values):
    with translation.override("th"):
        svg = charts.histogram(values, label="คะแนน")
    root = parse(svg)
    if not values:
        assert "chart-empty" in root.get("class")
        return
    assert sum(int(t) for t in texts(root, "chart-value")) == len(values)
    assert sum(charts.histogram_counts(values)) == len(values)


# --- stacked bars -----------------------------------------------------------------------------------

def test_stacked_segments_are_as_wide_as_their_counts_with_counts_and_totals():
    rows = [
        ("สำนัก ก", {"certified": 30, "awaiting": 10, "rejected": 1}),
        ("สำนัก ข", {"certified": 20, "not_reported": 0}),
    ]
    root = parse(charts.stacked_bars(rows, series=STATUSES, label="สถานะ"))
    segs = classed(root, "rect", "chart-seg")
    assert [(s.get("data-key"), s.get("data-count")) for s in segs] == [
        ("awaiting", "10"), ("rejected", "1"), ("certified", "30"), ("certified", "20"),
    ]
    unit = float(segs[2].get("width")) / 30
    for seg in segs:
        assert float(seg.get("width")) == pytest.approx(int(seg.get("data-count")) * unit, abs=0.11)
    # Segments follow one another without gaps.
    assert float(segs[1].get("x")) == pytest.approx(float(segs[0].get("x")) + float(segs[0].get("width")), abs=0.11)
    assert texts(root, "chart-total") == ["41", "20"]
    # Counts are printed where they fit; the 1 in a 1-of-41 sliver would not.
    assert texts(root, "chart-value") == ["10", "30", "20"]
    assert [el.text for el in root.iter(NS + "text") if el.get("class") == "chart-row-label"] == ["สำนัก ก", "สำนัก ข"]


def test_stacked_has_a_legend_with_a_class_and_pattern_per_status():
    root = parse(charts.stacked_bars([("ก", {"certified": 1})], series=STATUSES, label="สถานะ"))
    items = [el for el in root.iter(NS + "g") if el.get("class") == "chart-legend-item"]
    assert [item.find(NS + "text").text for item in items] == [name for _key, name in STATUSES]
    classes = [item.find(NS + "rect").get("class") for item in items]
    assert classes == [f"chart-swatch chart-status-{key}" for key, _name in STATUSES]
    # Not colour alone: the hatched statuses carry a pattern that is defined in the SVG.
    pattern_ids = {p.get("id") for p in root.iter(NS + "pattern")}
    hatched = [r.get("fill") for r in classed(root, "rect", "chart-pattern")]
    assert len(hatched) >= 4
    assert {fill[len("url(#"):-1] for fill in hatched} <= pattern_ids


def test_stacked_grows_with_its_rows():
    one = parse(charts.stacked_bars([("ก", {"certified": 1})], series=STATUSES, label="x"))
    many = parse(charts.stacked_bars([(f"สำนัก {i}", {"certified": i + 1}) for i in range(20)], series=STATUSES, label="x"))
    assert view_height(many) > view_height(one) + 19 * 25


def test_stacked_uses_other_series_by_position():
    root = parse(charts.stacked_bars([("ก", {"a": 2, "b": 3})], series=[("a", "หนึ่ง"), ("b", "สอง")], label="x"))
    segs = classed(root, "rect", "chart-seg")
    assert "chart-series-0" in segs[0].get("class") and "chart-series-1" in segs[1].get("class")


def test_stacked_desc_reads_every_count():
    desc = parse(charts.stacked_bars([("สำนัก ก", {"certified": 3})], series=STATUSES, label="x")).find(NS + "desc").text
    assert "สำนัก ก: ยังไม่รายงานผล 0" in desc and "รับรองผล 3" in desc and "รวม 3" in desc


# --- lines --------------------------------------------------------------------------------------------

def test_line_marks_each_point_and_prints_five_decimals_as_the_reports_do():
    root = parse(charts.line([("สพป. ก", [("6 เดือน", D("3.12345")), ("9 เดือน", D("4")), ("12 เดือน", D("4.5"))])], label="x"))
    assert sorted(texts(root, "chart-value")) == ["3.12345", "4.00000", "4.50000"]
    assert texts(root, "chart-xlabel") == ["6 เดือน", "9 เดือน", "12 เดือน"]
    assert len(list(root.iter(NS + "polyline"))) == 1
    points = [g for g in root.iter(NS + "g") if (g.get("class") or "").startswith("chart-line-points")]
    assert len(list(points[0])) == 3
    # Gridlines at 1, 2, 3, 4, 5.
    assert texts(root, "chart-tick") == ["1", "2", "3", "4", "5"]


def test_line_higher_scores_are_drawn_higher():
    root = parse(charts.line([("ก", [("a", D(1)), ("b", D(5)), ("c", D(3))])], label="x"))
    coords = [tuple(float(n) for n in p.split(",")) for p in next(root.iter(NS + "polyline")).get("points").split()]
    ys = [y for _x, y in coords]
    assert ys[1] < ys[2] < ys[0]
    assert ys[2] == pytest.approx((ys[0] + ys[1]) / 2, abs=0.11)


def test_line_leaves_a_gap_where_a_value_is_missing():
    root = parse(charts.line([("ก", [("a", D(2)), ("b", D(3)), ("c", None), ("d", D(4)), ("e", D(5))])], label="x"))
    lines = list(root.iter(NS + "polyline"))
    assert [len(line.get("points").split()) for line in lines] == [2, 2]
    assert sorted(texts(root, "chart-value")) == ["2.00000", "3.00000", "4.00000", "5.00000"]
    assert "c ไม่มีข้อมูล" in root.find(NS + "desc").text


def test_line_series_differ_by_marker_and_dash_not_only_colour():
    root = parse(
        charts.line(
            [("ก", [("a", D(2)), ("b", D(3))]), ("ข", [("a", D(3)), ("b", D(4))]), ("ค", [("a", D(1)), ("b", D(2))])],
            label="x",
        )
    )
    shapes = {m.get("class") for m in root.iter() if "chart-marker" in (m.get("class") or "")}
    assert len(shapes) == 3
    dashes = [line.get("stroke-dasharray") for line in root.iter(NS + "polyline")]
    assert len(set(dashes)) == 3
    legend = [el for el in root.iter(NS + "g") if el.get("class") == "chart-legend-item"]
    assert [g.find(NS + "text").text for g in legend] == ["ก", "ข", "ค"]


def test_line_labels_at_one_x_do_not_overlap():
    root = parse(charts.line([("ก", [("a", D("3.00"))]), ("ข", [("a", D("3.01"))]), ("ค", [("a", D("3.02"))])], label="x"))
    ys = sorted(float(t.get("y")) for t in classed(root, "text", "chart-value"))
    assert all(b - a >= 13.9 for a, b in zip(ys, ys[1:], strict=False))


# --- empty data, escaping, palette ------------------------------------------------------------------

@pytest.mark.parametrize(
    "svg",
    [
        lambda: charts.histogram([], label="x"),
        lambda: charts.histogram([None], label="x"),
        lambda: charts.stacked_bars([], series=STATUSES, label="x"),
        lambda: charts.stacked_bars([("ก", {})], series=STATUSES, label="x"),
        lambda: charts.stacked_bars([("ก", {"certified": 1})], series=[], label="x"),
        lambda: charts.line([], label="x"),
        lambda: charts.line([("ก", [("a", None), ("b", None)])], label="x"),
    ],
)
def test_empty_data_says_so_without_failing(svg):
    root = parse(svg())
    assert "chart-empty" in root.get("class")
    assert root.get("role") == "img"
    assert texts(root, "chart-empty-text") == ["ยังไม่มีข้อมูล"]


def test_labels_are_escaped_everywhere():
    nasty = 'สำนัก <b>"ก"</b> & \'ข\''
    svgs = [
        charts.histogram([D(1)], label=nasty),
        charts.stacked_bars([(nasty, {"certified": 5})], series=[("certified", nasty)], label=nasty),
        charts.line([(nasty, [(nasty, D(2)), ("b", D(3))])], label=nasty),
        charts.histogram([], label=nasty),
    ]
    for svg in svgs:
        assert "<b>" not in svg and '"ก"' not in svg
        root = parse(svg)  # well-formed XML despite the label
        assert root.get("aria-label") == nasty
        assert root.find(NS + "title").text == nasty
        assert "&lt;b&gt;" in svg and "&amp;" in svg
    row_title = next(el for el in parse(svgs[1]).iter(NS + "g") if el.get("class") == "chart-row").find(NS + "title")
    assert row_title.text == nasty


def test_long_labels_are_shortened_on_the_chart_but_whole_in_the_title():
    long_name = "สำนักพัฒนานวัตกรรมการจัดการศึกษาและการติดตามประเมินผลการจัดการศึกษาขั้นพื้นฐาน"
    root = parse(charts.stacked_bars([(long_name, {"certified": 1})], series=STATUSES, label="x"))
    shown = next(el for el in root.iter(NS + "text") if el.get("class") == "chart-row-label").text
    assert shown.endswith("…") and long_name.startswith(shown[:-1])
    assert long_name in root.find(NS + "desc").text


def test_charts_css_has_the_same_colours_as_the_svg_attributes():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "charts.css").read_text(encoding="utf-8")
    declared = dict(re.findall(r"\.(chart-(?:status|series)-[a-z0-9_]+)\s*\{\s*fill:\s*(#[0-9a-f]{6})", css))
    expected = {f"chart-status-{key}": fill for key, fill in charts.STATUS_FILLS.items()}
    expected |= {f"chart-series-{i}": fill for i, fill in enumerate(charts.SERIES_FILLS)}
    assert declared == expected
