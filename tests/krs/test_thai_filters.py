"""The date filters every template uses without {% load %}."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.template import Context, Template


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_thai_date_of_a_date():
    assert render("{{ d|thai_date }}", d=date(2026, 3, 31)) == "31 มี.ค. 2569"


def test_thai_date_of_an_aware_datetime_shows_bangkok_time():
    assert render("{{ d|thai_date }}", d=datetime(2026, 3, 31, 17, 30, tzinfo=UTC)) == "1 เม.ย. 2569 00:30 น."


def test_thai_day_drops_the_time():
    assert render("{{ d|thai_day }}", d=datetime(2026, 3, 31, 17, 30, tzinfo=UTC)) == "1 เม.ย. 2569"


def test_thai_date_long():
    assert render("{{ d|thai_date_long }}", d=date(2026, 10, 1)) == "1 ตุลาคม 2569"


def test_be_year_and_fiscal_year():
    assert render("{{ y|be_year }} {{ d|fiscal_year }}", y=2026, d=date(2026, 10, 1)) == "2569 2570"


def test_missing_values_render_empty():
    assert render("[{{ d|thai_date }}{{ d|be_year }}{{ d|fiscal_year }}]", d=None) == "[]"
