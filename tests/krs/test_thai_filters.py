"""The date filters every template uses without {% load %}."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.utils import translation


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


def test_thai_datetime_always_shows_the_time_of_a_datetime():
    assert render("{{ d|thai_datetime }}", d=datetime(2026, 3, 31, 7, 5, tzinfo=UTC)) == "31 มี.ค. 2569 14:05 น."
    assert render("{{ d|thai_datetime }}", d=date(2026, 3, 31)) == "31 มี.ค. 2569"


def test_thai_date_long_of_a_datetime_has_no_time():
    assert render("{{ d|thai_date_long }}", d=datetime(2026, 3, 31, 17, 30, tzinfo=UTC)) == "1 เมษายน 2569"


def test_years_of_an_aware_datetime_follow_bangkok_time():
    # 31 Dec 2025 17:30 UTC is New Year's Day 2026 in Bangkok; 30 Sep 2026 18:00 UTC is already 1 Oct.
    assert render("{{ d|be_year }}", d=datetime(2025, 12, 31, 17, 30, tzinfo=UTC)) == "2569"
    assert render("{{ d|fiscal_year }}", d=datetime(2026, 9, 30, 18, 0, tzinfo=UTC)) == "2570"
    assert render("{{ d|be_year }}", d=date(2026, 1, 1)) == "2569"
    assert render("{{ y|be_year }}", y="2026") == "2569"


# Each filter in both interfaces: Thai month names in Thai; English month names in English; the พ.ศ. year in both.
EVENING_UTC = datetime(2026, 3, 31, 17, 30, tzinfo=UTC)  # 1 April 2026 00:30 in Bangkok
BOTH_LANGUAGES = [
    ("th", "thai_date", date(2026, 3, 31), "31 มี.ค. 2569"),
    ("en", "thai_date", date(2026, 3, 31), "31 Mar 2569"),
    ("th", "thai_date", EVENING_UTC, "1 เม.ย. 2569 00:30 น."),
    ("en", "thai_date", EVENING_UTC, "1 Apr 2569 00:30"),
    ("th", "thai_datetime", datetime(2026, 3, 31, 7, 5, tzinfo=UTC), "31 มี.ค. 2569 14:05 น."),
    ("en", "thai_datetime", datetime(2026, 3, 31, 7, 5, tzinfo=UTC), "31 Mar 2569 14:05"),
    ("th", "thai_day", EVENING_UTC, "1 เม.ย. 2569"),
    ("en", "thai_day", EVENING_UTC, "1 Apr 2569"),
    ("th", "thai_date_long", date(2026, 12, 1), "1 ธันวาคม 2569"),
    ("en", "thai_date_long", date(2026, 12, 1), "1 December 2569 BE"),
    ("en", "thai_date_long", EVENING_UTC, "1 April 2569 BE"),
    ("en", "be_year", date(2026, 1, 1), "2569"),
    ("en", "fiscal_year", date(2026, 10, 1), "2570"),
]


@pytest.mark.parametrize(("language", "name", "value", "text"), BOTH_LANGUAGES)
def test_every_date_filter_reads_the_interfaces_language_with_the_be_year(language, name, value, text):
    with translation.override(language):
        assert render(f"{{{{ v|{name} }}}}", v=value) == text


@pytest.mark.parametrize("value", [None, "", "tomorrow", 42])
def test_every_filter_renders_nothing_for_a_value_that_is_not_a_date(value):
    source = "[{{ v|thai_date }}{{ v|thai_date_long }}{{ v|thai_datetime }}{{ v|thai_day }}{{ v|fiscal_year }}]"
    assert render(source, v=value) == "[]"
    if value != 42:
        assert render("[{{ v|be_year }}]", v=value) == "[]"


@pytest.mark.parametrize("seconds, text", [
    (0.4, "0.4 วินาที"), (59.94, "59.9 วินาที"), (125, "2 นาที 5 วินาที"), (3780, "1 ชั่วโมง 3 นาที"), (-1, "0.0 วินาที"),
])
def test_duration_says_how_long_something_took_in_thai(seconds, text):
    from datetime import timedelta

    assert render("{{ d|duration }}", d=timedelta(seconds=seconds)) == text
    assert render("{{ d|duration }}", d=None) == ""


def test_person_names_a_user_or_says_the_system_acted(district_user):
    district_user.first_name, district_user.last_name = "สุดา", "ใจดี"
    assert render("{{ u|person }}", u=district_user) == "สุดา ใจดี"
    district_user.first_name = district_user.last_name = ""
    assert render("{{ u|person }}", u=district_user) == district_user.username
    assert render("{{ u|person }}", u=None) == "ระบบ"
    # The pattern it replaces fails on None: Django resolves a filter's argument strictly.
    from django.template import VariableDoesNotExist

    with pytest.raises(VariableDoesNotExist):
        render("{{ u.get_full_name|default:u.username }}", u=None)
