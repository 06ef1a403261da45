"""The Thai calendar: พ.ศ., the fiscal year's edges, working days over Songkran and New Year."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
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

    def test_a_whole_fiscal_year_has_the_exact_number_of_working_days(self):
        # 1 Oct 2025 (Wed) – 30 Sep 2026 (Wed): 52 weeks and a day = 261 weekdays, of which 20 are
        # government holidays (5 in Oct–Dec 2025, 15 in Jan–Sep 2026; Fri 1 May, Labour Day, is worked): 241.
        first, last = cal.fiscal_year_bounds(2569)
        assert cal.working_days_between(first - timedelta(days=1), last, exceptions=NO_EXCEPTIONS) == 241


# The government holidays on weekdays, as offices close (defaults, no administrator's exception): the
# holidays package less National Labour Day (offices work on 1 May and on its in-lieu day), plus the Royal
# Ploughing Ceremony the package does not know after 2026 (provisional dates: see docs/calendar.md).
HOLIDAYS_2569 = [  # 2026
    date(2026, 1, 1),  # วันขึ้นปีใหม่
    date(2026, 1, 2),  # วันหยุดพิเศษ (เพิ่มเติม)
    date(2026, 3, 3),  # วันมาฆบูชา
    date(2026, 4, 6),  # วันจักรี
    date(2026, 4, 13), date(2026, 4, 14), date(2026, 4, 15),  # วันสงกรานต์
    date(2026, 5, 4),  # วันฉัตรมงคล (Fri 1 May, Labour Day, is worked)
    date(2026, 5, 13),  # วันพืชมงคล
    date(2026, 6, 1),  # ชดเชยวันวิสาขบูชา (Sun 31 May)
    date(2026, 6, 3),  # วันเฉลิมพระชนมพรรษาสมเด็จพระนางเจ้าฯ พระบรมราชินี
    date(2026, 7, 28),  # วันเฉลิมพระชนมพรรษาพระบาทสมเด็จพระเจ้าอยู่หัว
    date(2026, 7, 29),  # วันอาสาฬหบูชา
    date(2026, 7, 30),  # วันเข้าพรรษา
    date(2026, 8, 12),  # วันแม่แห่งชาติ
    date(2026, 10, 13),  # วันนวมินทรมหาราช
    date(2026, 10, 23),  # วันปิยมหาราช
    date(2026, 12, 7),  # ชดเชยวันพ่อแห่งชาติ (Sat 5 Dec)
    date(2026, 12, 10),  # วันรัฐธรรมนูญ
    date(2026, 12, 31),  # วันสิ้นปี
]
HOLIDAYS_2570 = [  # 2027
    date(2027, 1, 1),  # วันขึ้นปีใหม่
    date(2027, 2, 22),  # ชดเชยวันมาฆบูชา (Sun 21 Feb)
    date(2027, 4, 6),  # วันจักรี
    date(2027, 4, 13), date(2027, 4, 14), date(2027, 4, 15),  # วันสงกรานต์
    date(2027, 5, 4),  # วันฉัตรมงคล (Mon 3 May, Labour Day's in-lieu day, is worked)
    date(2027, 5, 13),  # วันพืชมงคล (provisional)
    date(2027, 5, 20),  # วันวิสาขบูชา
    date(2027, 6, 3),  # วันเฉลิมพระชนมพรรษาสมเด็จพระนางเจ้าฯ พระบรมราชินี
    date(2027, 7, 19),  # วันเข้าพรรษา (วันอาสาฬหบูชา Sun 18 Jul)
    date(2027, 7, 20),  # ชดเชยวันอาสาฬหบูชา
    date(2027, 7, 28),  # วันเฉลิมพระชนมพรรษาพระบาทสมเด็จพระเจ้าอยู่หัว
    date(2027, 8, 12),  # วันแม่แห่งชาติ
    date(2027, 10, 13),  # วันนวมินทรมหาราช
    date(2027, 10, 25),  # ชดเชยวันปิยมหาราช (Sat 23 Oct)
    date(2027, 12, 6),  # ชดเชยวันพ่อแห่งชาติ (Sun 5 Dec)
    date(2027, 12, 10),  # วันรัฐธรรมนูญ
    date(2027, 12, 31),  # วันสิ้นปี
]


class TestGovernmentHolidays:
    @pytest.mark.parametrize(("year", "expected"), [(2026, HOLIDAYS_2569), (2027, HOLIDAYS_2570)])
    def test_the_government_holidays_of_2569_and_2570(self, year, expected):
        assert cal.government_holidays(year, exceptions=NO_EXCEPTIONS) == expected

    @pytest.mark.parametrize("day", [date(2026, 5, 1), date(2027, 5, 3), date(2028, 5, 1)])
    def test_labour_day_and_its_in_lieu_day_are_worked(self, day):
        assert cal.is_working_day(day, exceptions=NO_EXCEPTIONS)
        assert day not in cal.holiday_names(day.year)

    @pytest.mark.parametrize("day", [date(2027, 5, 13), date(2028, 5, 11)])
    def test_the_royal_ploughing_ceremony_after_2026_is_a_default_holiday(self, day):
        assert not cal.is_working_day(day, exceptions=NO_EXCEPTIONS)
        assert cal.holiday_names(day.year)[day].startswith("วันพืชมงคล")

    def test_a_deadline_on_a_holiday_moves_to_the_same_time_on_the_next_working_day(self):
        bangkok = timezone.get_current_timezone()
        saturday = datetime(2009, 10, 31, 16, 30, tzinfo=bangkok)  # seed 002: 31 ต.ค. 2552
        assert cal.next_working_moment(saturday, exceptions=NO_EXCEPTIONS) == datetime(2009, 11, 2, 16, 30, tzinfo=bangkok)
        # Songkran 2026: Monday 13 → Thursday 16 April.
        songkran = datetime(2026, 4, 13, 16, 30, tzinfo=bangkok)
        assert cal.next_working_moment(songkran, exceptions=NO_EXCEPTIONS) == datetime(2026, 4, 16, 16, 30, tzinfo=bangkok)
        working = datetime(2026, 4, 16, 9, 0, tzinfo=bangkok)
        assert cal.next_working_moment(working, exceptions=NO_EXCEPTIONS) is working
        # An administrator's day off moves it too.
        assert cal.next_working_moment(working, exceptions={date(2026, 4, 16): "holiday"}) == working + timedelta(days=1)

    def test_songkran_falling_on_a_sunday_gives_a_substitution_day(self):
        # Songkran 2025 was Sun 13 – Tue 15 April; Wed 16 April was its substitution day.
        # Fri 11 → Fri 18 April: only Thu 17 and Fri 18 are worked.
        assert not cal.is_working_day(date(2025, 4, 16), exceptions=NO_EXCEPTIONS)
        assert cal.working_days_between(date(2025, 4, 11), date(2025, 4, 18), exceptions=NO_EXCEPTIONS) == 2

    def test_new_year_without_a_bridge_day(self):
        # Thu 31 Dec 2026 and Fri 1 Jan 2027 are holidays, then a weekend: Wed 30 Dec → Mon 4 Jan is 1.
        assert cal.working_days_between(date(2026, 12, 30), date(2027, 1, 4), exceptions=NO_EXCEPTIONS) == 1

    @pytest.mark.parametrize(
        ("deadline", "submitted", "late"),
        [
            (date(2025, 10, 31), date(2025, 11, 3), 1),  # Fri deadline, Mon arrival: the weekend is free
            (date(2026, 10, 31), date(2026, 11, 3), 2),  # Sat deadline: Mon 2 and Tue 3 November
            (date(2025, 10, 31), date(2025, 10, 31), 0),  # on the day is on time
        ],
    )
    def test_working_days_late_after_a_31_october_deadline(self, deadline, submitted, late):
        assert cal.working_days_between(deadline, submitted, exceptions=NO_EXCEPTIONS) == late

    def test_an_aware_datetime_counts_by_its_bangkok_day(self):
        deadline = date(2025, 10, 31)
        # 31 Oct 16:59 UTC is 23:59 in Bangkok: still on time.
        assert cal.working_days_between(deadline, datetime(2025, 10, 31, 16, 59, tzinfo=UTC), exceptions={}) == 0
        # 3 Nov 02:00 UTC is Monday morning in Bangkok: one working day late.
        assert cal.working_days_between(deadline, datetime(2025, 11, 3, 2, 0, tzinfo=UTC), exceptions={}) == 1
        # Fri 16 Jan 2026 17:30 UTC is already Saturday in Bangkok.
        assert not cal.is_working_day(datetime(2026, 1, 16, 17, 30, tzinfo=UTC), exceptions={})

    def test_other_categories_of_the_package_are_worked(self):
        assert cal.is_working_day(date(2026, 1, 16), exceptions=NO_EXCEPTIONS)  # Teacher's Day ("school")
        assert cal.is_working_day(date(2026, 11, 24), exceptions=NO_EXCEPTIONS)  # Loy Krathong ("workday")
        assert not cal.is_working_day(date(2025, 5, 9), exceptions=NO_EXCEPTIONS)  # Ploughing ("government")

    def test_the_chosen_categories_exist_for_thailand(self):
        # A renamed category in a future holidays release would otherwise silently drop holidays.
        from holidays.countries import TH

        assert set(cal.HOLIDAY_CATEGORIES) <= set(TH.supported_categories)

    def test_holiday_names_are_thai_and_a_fresh_dict(self):
        names = cal.holiday_names(2026)
        assert names[date(2026, 4, 13)] == "วันสงกรานต์"
        names.clear()
        assert cal.holiday_names(2026)

    def test_adding_no_days_and_negative_days(self):
        assert cal.add_working_days(date(2026, 4, 12), 0, exceptions=NO_EXCEPTIONS) == date(2026, 4, 12)
        with pytest.raises(ValueError):
            cal.add_working_days(date(2026, 4, 12), -1, exceptions=NO_EXCEPTIONS)

    def test_adding_working_days_over_songkran(self):
        # Fri 10 April 2026 + 3 working days: Thu 16, Fri 17, Mon 20 April.
        assert cal.add_working_days(date(2026, 4, 10), 3, exceptions=NO_EXCEPTIONS) == date(2026, 4, 20)

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
        CalendarDay.objects.create(date=date(2026, 1, 2), kind=CalendarDay.Kind.WORKING_DAY, name="ยกเลิกวันหยุดพิเศษ")
        assert cal.is_working_day(date(2026, 1, 2))
        assert date(2026, 1, 2) not in cal.government_holidays(2026)

    def test_the_year_calendar_shows_defaults_removed_renamed_and_added_days(self, client, admin_user):
        CalendarDay.objects.create(date=date(2027, 5, 13), kind=CalendarDay.Kind.WORKING_DAY, name="วันพืชมงคลไม่ใช่วันนี้")
        CalendarDay.objects.create(date=date(2027, 5, 14), kind=CalendarDay.Kind.HOLIDAY, name="วันพืชมงคล")
        CalendarDay.objects.create(date=date(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="วันขึ้นปีใหม่ ๒๕๗๐")
        assert date(2027, 5, 13) not in cal.government_holidays(2027)
        assert date(2027, 5, 14) in cal.government_holidays(2027)
        client.force_login(admin_user)
        html = client.get(reverse("admin:krs_calendarday_year"), {"year": "2570"}).content.decode()
        assert "ปฏิทินวันหยุดราชการ ปี 2570" in html
        assert 'data-date="2027-05-13" data-source="working"' in html
        assert 'data-date="2027-05-14" data-source="holiday"' in html
        assert 'data-date="2027-01-01" data-source="holiday"' in html and "วันขึ้นปีใหม่ ๒๕๗๐" in html
        assert 'data-date="2027-04-13" data-source="default"' in html
        assert 'data-date="2027-05-01"' not in html  # Labour Day is not a government holiday
        assert "ปฏิทินวันหยุดราชการ ปี" in client.get(reverse("admin:krs_calendarday_year"), {"year": "x"}).content.decode()

    def test_exceptions_outside_the_range_do_not_count(self):
        CalendarDay.objects.create(date=date(2026, 2, 9), kind=CalendarDay.Kind.HOLIDAY, name="วันหยุดพิเศษ")
        # (9 Feb, 13 Feb]: the extra holiday is the excluded start, so Tue–Fri all count.
        assert cal.working_days_between(date(2026, 2, 9), date(2026, 2, 13)) == 4

    def test_adding_working_days_past_a_long_closure_reads_further(self, django_assert_num_queries):
        # 40 weekdays closed from Mon 2 Feb 2026 outrun the first window (1 × 3 + 30 days).
        closed, day = [], date(2026, 2, 2)
        while len(closed) < 40:
            if day.weekday() < 5:
                closed.append(CalendarDay(date=day, kind=CalendarDay.Kind.HOLIDAY, name="ปิดสำนักงาน"))
            day += timedelta(days=1)
        CalendarDay.objects.bulk_create(closed)
        first_open = cal.add_working_days(date(2026, 1, 30), 1, exceptions=NO_EXCEPTIONS)
        assert first_open == date(2026, 2, 2)
        with django_assert_num_queries(2):
            # The closure ends Fri 27 March; Mon 30 March is open.
            assert cal.add_working_days(date(2026, 1, 30), 1) == date(2026, 3, 30)

    def test_a_single_day_costs_one_query(self, django_assert_num_queries):
        with django_assert_num_queries(1):
            assert cal.is_working_day(date(2026, 2, 10))

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
        assert cal.format_thai_date("") == ""

    def test_times_and_styles(self):
        assert cal.format_thai_date(datetime(2026, 3, 31, 7, 30, tzinfo=UTC), style="long") == "31 มีนาคม 2569 14:30 น."
        assert cal.format_thai_date(datetime(2026, 3, 31, 14, 5)) == "31 มี.ค. 2569 14:05 น."  # naive: as is
        assert cal.format_thai_date(date(2026, 3, 31), with_time=True) == "31 มี.ค. 2569"  # no time to show
        with pytest.raises(ValueError):
            cal.format_thai_date(date(2026, 3, 31), style="medium")

    @pytest.mark.parametrize(("language", "value", "options", "text"), [
        ("th", date(2026, 12, 1), {}, "1 ธ.ค. 2569"),
        ("en", date(2026, 12, 1), {}, "1 Dec 2569"),
        ("th", date(2026, 12, 1), {"style": "long"}, "1 ธันวาคม 2569"),
        ("en", date(2026, 12, 1), {"style": "long"}, "1 December 2569 BE"),
        ("th", datetime(2026, 3, 31, 17, 30, tzinfo=UTC), {}, "1 เม.ย. 2569 00:30 น."),
        ("en", datetime(2026, 3, 31, 17, 30, tzinfo=UTC), {}, "1 Apr 2569 00:30"),
        ("th", datetime(2026, 3, 31, 7, 30, tzinfo=UTC), {"style": "long"}, "31 มีนาคม 2569 14:30 น."),
        ("en", datetime(2026, 3, 31, 7, 30, tzinfo=UTC), {"style": "long"}, "31 March 2569 BE, 14:30"),
        ("en", datetime(2026, 3, 31, 17, 30, tzinfo=UTC), {"with_time": False}, "1 Apr 2569"),
        ("en", date(2026, 5, 1), {"with_time": True}, "1 May 2569"),  # a plain date has no time to show
        ("en", date(2009, 11, 2), {}, "2 Nov 2552"),
        ("en-us", date(2026, 9, 30), {}, "30 Sep 2569"),  # any English
        ("fr", date(2026, 9, 30), {}, "30 ก.ย. 2569"),  # what is not English reads Thai
    ])
    def test_each_language_reads_its_month_names_with_the_be_year(self, language, value, options, text):
        with translation.override(language):
            assert cal.format_thai_date(value, **options) == text
        assert cal.format_thai_date(value, language=language, **options) == text  # or named by the caller

    def test_the_english_month_names(self):
        assert len(cal.MONTHS_SHORT_EN) == len(cal.MONTHS_LONG_EN) == 12
        assert all(long.startswith(short) for short, long in zip(cal.MONTHS_SHORT_EN, cal.MONTHS_LONG_EN, strict=True))

    @pytest.mark.parametrize(("month", "short", "long"), [(1, "ม.ค.", "มกราคม"), (12, "ธ.ค.", "ธันวาคม")])
    def test_the_month_names(self, month, short, long):
        assert cal.format_thai_date(date(2026, month, 1)) == f"1 {short} 2569"
        assert cal.format_thai_date(date(2026, month, 1), style="long") == f"1 {long} 2569"
        assert len(cal.MONTHS_SHORT) == len(cal.MONTHS_LONG) == 12

    @pytest.mark.parametrize("text", ["31/03/2569", "๓๑/๐๓/๒๕๖๙", "31-3-2569", "31.03.2569"])
    def test_parsing_a_thai_date(self, text):
        assert cal.parse_thai_date(text) == date(2026, 3, 31)

    @pytest.mark.parametrize("text", ["", "31/02/2569", "tomorrow", "2569-03-31"])
    def test_parsing_rejects_what_is_not_a_date_in_thai(self, text):
        with pytest.raises(ValueError, match="วันที่"):
            cal.parse_thai_date(text)

    @pytest.mark.parametrize(("text", "says"), [
        ("31/03/2026", "กรุณากรอกปี พ.ศ. เช่น 2569 (ค.ศ. 2026 คือ พ.ศ. 2569)"),  # a ค.ศ. year typed by habit
        ("30/04/2399", "กรุณากรอกปี พ.ศ."),                                    # just below the พ.ศ. range
        ("30/04/2701", "ปี พ.ศ. 2701 ไม่ถูกต้อง"),                               # 2570 + 131: a typo, not a year
    ])
    def test_a_year_outside_the_buddhist_era_range_is_refused_never_converted(self, text, says):
        with pytest.raises(ValueError, match=re.escape(says)):
            cal.parse_thai_date(text)

    def test_a_plausible_buddhist_era_year_is_never_read_as_common_era(self):
        # 2552 is พ.ศ. (2009), not the ค.ศ. year 2552; 2570 is 2027, not 3113.
        assert cal.parse_thai_date("30/04/2552") == date(2009, 4, 30)
        assert cal.parse_thai_date("01/10/2570") == date(2027, 10, 1)
        assert cal.parse_thai_date("01/01/2400") == date(1857, 1, 1)
        assert cal.parse_thai_date("31/12/2700") == date(2157, 12, 31)

    @pytest.mark.parametrize(("text", "time"), [("16:30", (16, 30)), ("9.05", (9, 5)), ("๑๖:๓๐ น.", (16, 30)),
                                                ("00:00", (0, 0)), ("23:59", (23, 59))])
    def test_parsing_a_24_hour_time(self, text, time):
        assert cal.parse_thai_time(text) == time

    @pytest.mark.parametrize("text", ["", "24:00", "16:60", "4 pm", "1630"])
    def test_parsing_refuses_what_is_not_a_24_hour_time(self, text):
        with pytest.raises(ValueError, match="ชช:นน"):
            cal.parse_thai_time(text)

    @given(st.dates(min_value=date(1857, 1, 1), max_value=date(2157, 12, 31)))
    def test_format_and_parse_agree(self, day):
        text = f"{day.day:02d}/{day.month:02d}/{cal.be_year(day.year)}"
        assert cal.format_thai_numeric_date(day) == text
        assert cal.parse_thai_date(text) == day
        assert cal.format_thai_date(day).endswith(str(cal.be_year(day.year)))
