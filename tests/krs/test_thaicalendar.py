"""The Thai calendar: พ.ศ., the fiscal year's edges, working days over Songkran and New Year."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from krs import thaicalendar as cal
from krs.models import CalendarDay

NO_EXCEPTIONS: dict[date, str] = {}


class TestBuddhistEra:
    def test_2026_is_2569(self):
        assert cal.be_year(2026) == 2569
        assert cal.ce_year(2569) == 2026

    @given(st.integers(min_value=1, max_value=9000))
    def test_the_conversion_round_trips(self, year):
        assert cal.ce_year(cal.be_year(year)) == year


class TestFiscalYear:
    @pytest.mark.parametrize(
        ("day", "fiscal_year"),
        [
            (date(2025, 9, 30), 2568),
            (date(2025, 10, 1), 2569),
            (date(2026, 3, 31), 2569),
            (date(2026, 9, 30), 2569),
            (date(2026, 10, 1), 2570),
            (date(2024, 2, 29), 2567),  # a leap day falls in the fiscal year that ends that September
            (date(2023, 12, 31), 2567),
            (date(2024, 1, 1), 2567),
        ],
    )
    def test_the_fiscal_year_of_a_date(self, day, fiscal_year):
        assert cal.fiscal_year_of(day) == fiscal_year

    def test_an_aware_datetime_counts_in_bangkok_time(self):
        # 30 Sep 2026 18:00 UTC is already 1 Oct 2026 01:00 in Bangkok: the next fiscal year.
        assert cal.fiscal_year_of(datetime(2026, 9, 30, 18, 0, tzinfo=UTC)) == 2570
        assert cal.fiscal_year_of(datetime(2026, 9, 30, 16, 59, tzinfo=UTC)) == 2569

    def test_the_bounds_of_fiscal_year_2569(self):
        assert cal.fiscal_year_bounds(2569) == (date(2025, 10, 1), date(2026, 9, 30))

    def test_a_fiscal_year_with_a_leap_day_has_366_days(self):
        first, last = cal.fiscal_year_bounds(2567)  # 1 Oct 2023 – 30 Sep 2024 holds 29 Feb 2024
        assert (last - first).days + 1 == 366
        first, last = cal.fiscal_year_bounds(2569)
        assert (last - first).days + 1 == 365

    @given(st.dates(min_value=date(1950, 1, 1), max_value=date(2200, 12, 31)))
    def test_every_date_lies_within_the_bounds_of_its_fiscal_year(self, day):
        first, last = cal.fiscal_year_bounds(cal.fiscal_year_of(day))
        assert first <= day <= last
        assert cal.fiscal_year_of(first - timedelta(days=1)) == cal.fiscal_year_of(day) - 1


class TestWorkingDays:
    def test_songkran_is_not_worked(self):
        # Fri 10 Apr 2026 → Fri 17 Apr: the weekend and Songkran (13–15 Apr) leave Thu 16 and Fri 17.
        assert cal.working_days_between(date(2026, 4, 10), date(2026, 4, 17), exceptions=NO_EXCEPTIONS) == 2
        for day in (date(2026, 4, 13), date(2026, 4, 14), date(2026, 4, 15)):
            assert not cal.is_working_day(day, exceptions=NO_EXCEPTIONS)

    def test_new_year_is_not_worked(self):
        # Tue 30 Dec 2025 → Mon 5 Jan 2026: 31 Dec, 1 Jan and the 2 Jan bridge holiday, then a weekend.
        assert cal.working_days_between(date(2025, 12, 30), date(2026, 1, 5), exceptions=NO_EXCEPTIONS) == 1

    def test_a_substitution_day_is_not_worked(self):
        # Visakha Bucha fell on Sunday 31 May 2026; Monday 1 June is its substitution day.
        assert not cal.is_working_day(date(2026, 6, 1), exceptions=NO_EXCEPTIONS)

    def test_the_government_only_holiday_counts(self):
        assert not cal.is_working_day(date(2026, 5, 13), exceptions=NO_EXCEPTIONS)  # Royal Ploughing Ceremony

    def test_weekends_are_not_worked(self):
        assert cal.working_days_between(date(2026, 2, 6), date(2026, 2, 9), exceptions=NO_EXCEPTIONS) == 1

    def test_the_interval_excludes_the_start_and_includes_the_end(self):
        monday, tuesday = date(2026, 2, 9), date(2026, 2, 10)
        assert cal.working_days_between(monday, tuesday, exceptions=NO_EXCEPTIONS) == 1
        assert cal.working_days_between(monday, monday, exceptions=NO_EXCEPTIONS) == 0
        assert cal.working_days_between(tuesday, monday, exceptions=NO_EXCEPTIONS) == 0

    def test_a_whole_fiscal_year_has_a_plausible_number_of_working_days(self):
        first, last = cal.fiscal_year_bounds(2569)
        count = cal.working_days_between(first - timedelta(days=1), last, exceptions=NO_EXCEPTIONS)
        assert 235 <= count <= 250

    @given(
        st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
        st.integers(min_value=0, max_value=60),
        st.integers(min_value=0, max_value=60),
    )
    def test_counts_add_up_over_adjacent_intervals(self, start, first_span, second_span):
        middle = start + timedelta(days=first_span)
        end = middle + timedelta(days=second_span)
        whole = cal.working_days_between(start, end, exceptions=NO_EXCEPTIONS)
        parts = cal.working_days_between(start, middle, exceptions=NO_EXCEPTIONS) + cal.working_days_between(
            middle, end, exceptions=NO_EXCEPTIONS
        )
        assert whole == parts <= (end - start).days

    @given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(min_value=1, max_value=40))
    def test_adding_working_days_is_the_inverse_of_counting_them(self, start, count):
        end = cal.add_working_days(start, count, exceptions=NO_EXCEPTIONS)
        assert cal.working_days_between(start, end, exceptions=NO_EXCEPTIONS) == count
        assert cal.is_working_day(end, exceptions=NO_EXCEPTIONS)


@pytest.mark.django_db
class TestAdminExceptions:
    def test_an_extra_holiday_removes_a_working_day(self):
        CalendarDay.objects.create(date=date(2026, 2, 10), kind=CalendarDay.Kind.HOLIDAY, name="วันหยุดพิเศษ")
        assert cal.working_days_between(date(2026, 2, 8), date(2026, 2, 13)) == 4
        assert not cal.is_working_day(date(2026, 2, 10))

    def test_an_extra_working_day_adds_one_even_on_a_weekend(self):
        CalendarDay.objects.create(date=date(2026, 2, 14), kind=CalendarDay.Kind.WORKING_DAY, name="ทำงานชดเชย")
        assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 16)) == 2
        assert cal.is_working_day(date(2026, 2, 14))

    def test_an_extra_working_day_overrides_a_public_holiday(self):
        CalendarDay.objects.create(date=date(2026, 5, 1), kind=CalendarDay.Kind.WORKING_DAY, name="ข้าราชการไม่หยุดวันแรงงาน")
        assert cal.is_working_day(date(2026, 5, 1))

    def test_a_two_year_range_costs_one_query(self, django_assert_num_queries):
        CalendarDay.objects.create(date=date(2026, 2, 10), kind=CalendarDay.Kind.HOLIDAY, name="วันหยุดพิเศษ")
        with django_assert_num_queries(1):
            cal.working_days_between(date(2025, 1, 1), date(2026, 12, 31))
        with django_assert_num_queries(1):
            cal.add_working_days(date(2026, 2, 6), 20)


class TestThaiDates:
    def test_the_house_style(self):
        assert cal.format_thai_date(date(2026, 3, 31)) == "31 มี.ค. 2569"
        assert cal.format_thai_date(date(2026, 3, 31), style="long") == "31 มีนาคม 2569"

    def test_an_aware_datetime_is_shown_in_bangkok_time(self):
        assert cal.format_thai_date(datetime(2026, 3, 31, 17, 30, tzinfo=UTC)) == "1 เม.ย. 2569 00:30 น."
        assert cal.format_thai_date(datetime(2026, 3, 31, 17, 30, tzinfo=UTC), with_time=False) == "1 เม.ย. 2569"

    def test_nothing_gives_nothing(self):
        assert cal.format_thai_date(None) == ""

    @pytest.mark.parametrize("text", ["31/03/2569", "๓๑/๐๓/๒๕๖๙", "31-3-2569", "31/03/2026"])
    def test_parsing_a_thai_date(self, text):
        assert cal.parse_thai_date(text) == date(2026, 3, 31)

    @pytest.mark.parametrize("text", ["", "31/02/2569", "tomorrow", "2569-03-31"])
    def test_parsing_rejects_what_is_not_a_date_in_thai(self, text):
        with pytest.raises(ValueError, match="วันที่"):
            cal.parse_thai_date(text)

    @given(st.dates(min_value=date(1900, 1, 1), max_value=date(2300, 12, 31)))
    def test_format_and_parse_agree(self, day):
        text = f"{day.day:02d}/{day.month:02d}/{cal.be_year(day.year)}"
        assert cal.parse_thai_date(text) == day
        assert cal.format_thai_date(day).endswith(str(cal.be_year(day.year)))
