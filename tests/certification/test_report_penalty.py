"""Seed 002's late penalty: the whole report, after a deadline moved off a holiday, in Thai working days.

Seed 002: a late 12-month report "จะถูกหักคะแนน 0.0500 คะแนนต่อ 1 วันทำการ", and "เนื่องจากวันที่ 31 ตุลาคม
2552 เป็นวันหยุดราชการ ดังนั้นจึงให้จัดส่ง … ภายในวันที่ 2 พฤศจิกายน 2552". The round of these tests is that
one: deadline Saturday 31 Oct 2009 (2552) 16:30, so due Monday 2 Nov 16:30; reports accepted late until
Friday 20 Nov; 0.05 per working day off the district's overall score of the framework.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from indicators.models import Round
from krs.models import CalendarDay
from reporting import workflow
from reporting.deadlines import district_entered, sweep
from reporting.models import Entry, ReportLateness
from reporting.rules import entry_edit_block
from reports import common, national, scorecard
from tests.reporting.factories import open_world

BKK = ZoneInfo("Asia/Bangkok")
OPENS = datetime(2009, 10, 1, 8, 30, tzinfo=BKK)
DEADLINE = datetime(2009, 10, 31, 16, 30, tzinfo=BKK)  # Saturday 31 ต.ค. 2552
DUE = datetime(2009, 11, 2, 16, 30, tzinfo=BKK)  # Monday 2 พ.ย. 2552
LATE_UNTIL = datetime(2009, 11, 20, 16, 30, tzinfo=BKK)
CERTIFICATION = datetime(2009, 11, 30, 16, 30, tzinfo=BKK)
D = Decimal


@pytest.fixture
def world(district, other_district, bureau):
    world = open_world(bureau=bureau)
    Round.objects.filter(pk=world.round.pk).update(
        opens_at=OPENS, deadline=DEADLINE, certification_deadline=CERTIFICATION, late_until=LATE_UNTIL,
        late_penalty_per_day=D("0.05"), opened_at=OPENS)
    Round.objects.exclude(pk=world.round.pk).update(opens_at=datetime(2030, 1, 1, tzinfo=BKK),
                                                    deadline=datetime(2030, 2, 1, tzinfo=BKK),
                                                    certification_deadline=datetime(2030, 3, 1, tzinfo=BKK))
    world.round = Round.objects.select_related("fiscal_year").get(pk=world.round.pk)
    return world


def district_entries(world, office) -> list[Entry]:
    return list(Entry.objects.filter(round=world.round, office=office).filter(district_entered(world.round))
                .select_related("round", "indicator"))


def report_all(world, office, *, at: datetime, last_at: datetime | None = None, score: str = "4.00000") -> list[Entry]:
    """The district reports every entry it enters, the last one at ``last_at`` (default: all at ``at``)."""
    entries = district_entries(world, office)
    for n, entry in enumerate(entries):
        Entry.objects.filter(pk=entry.pk).update(self_score=D(score))
        entry.self_score = D(score)
        when = last_at if last_at and n == len(entries) - 1 else at
        assert workflow.entry_mark_reported(entry=entry, by=None, at=when)
    return entries


def certify(entries, certifier) -> None:
    for entry in entries:
        workflow.entry_certify(entry=Entry.objects.select_related("indicator", "round").get(pk=entry.pk), by=certifier)


def lateness(world, office) -> ReportLateness:
    return ReportLateness.objects.get(round=world.round, office=office, framework=world.framework)


def test_the_deadline_on_a_holiday_moves_to_the_next_working_day(world):
    assert world.round.due_at == DUE
    assert world.round.deadline_moved and "31 ต.ค. 2552" in world.round.deadline_moved_because
    assert world.round.closes_at == LATE_UNTIL
    # A district may still report on Sunday 1 Nov and on Monday 2 Nov without being in the late window.
    assert not world.round.is_late(datetime(2009, 11, 2, 16, 0, tzinfo=BKK))
    assert world.round.is_late(DUE + timedelta(minutes=1))


def test_a_report_complete_on_the_moved_deadline_is_on_time(world, district, certifier):
    entries = report_all(world, district, at=datetime(2009, 11, 2, 10, 0, tzinfo=BKK))  # Monday morning
    sweep(now=datetime(2009, 11, 3, 9, 0, tzinfo=BKK))
    row = lateness(world, district)
    assert (row.complete, row.late_days, row.penalty) == (True, 0, D("0"))
    assert row.reported_at == datetime(2009, 11, 2, 10, 0, tzinfo=BKK)
    certify(entries, certifier)
    card = scorecard.scorecard(office=district, round_=world.round)
    assert card.overall == card.overall_before_penalty


def test_the_penalty_counts_working_days_after_the_moved_deadline_less_a_holiday_in_the_window(
        world, district, other_district, certifier):
    # An extra day off the administrator declared: Wednesday 4 Nov 2009.
    CalendarDay.objects.create(date=date(2009, 11, 4), kind=CalendarDay.Kind.HOLIDAY, name="วันหยุดพิเศษ")
    # Four entries on Friday 30 Oct; the last on Thursday 5 Nov: after Mon 2 Nov, Tue 3 and Thu 5 are
    # working days (Wed 4 is the holiday) → 2 working days late, 0.10 off the whole report.
    entries = report_all(world, other_district, at=datetime(2009, 10, 30, 10, 0, tzinfo=BKK),
                         last_at=datetime(2009, 11, 5, 9, 0, tzinfo=BKK))
    assert len(entries) >= 2
    run = sweep(now=datetime(2009, 11, 6, 9, 0, tzinfo=BKK))
    row = lateness(world, other_district)
    assert (row.complete, row.late_days, row.penalty) == (True, 2, D("0.10000"))
    assert {"step": "penalty", "round_id": world.round.pk, "round": world.round.label, "count": 1} in run.steps
    # The entries themselves carry no penalty: it is the report's.
    assert not Entry.objects.filter(round=world.round, late_days__isnull=False).exists()
    # Once only: a later sweep does not add to it.
    sweep(now=datetime(2009, 11, 10, 9, 0, tzinfo=BKK))
    assert ReportLateness.objects.filter(round=world.round, office=other_district).count() == 1

    certify(entries, certifier)
    card = scorecard.scorecard(office=other_district, round_=world.round)
    assert card.lateness == row
    assert card.overall == card.overall_before_penalty - D("0.10000")
    ranking = national.national_ranking(common.report_filters(round_id=world.round.pk, framework_id=world.framework.pk))
    by_office = {r.office.pk: r for r in ranking.rows}
    assert by_office[other_district.pk].overall == card.overall
    assert by_office[other_district.pk].lateness == row


def test_an_incomplete_report_waits_and_the_penalty_never_goes_below_one(world, district, certifier):
    entries = district_entries(world, district)
    first, rest = entries[0], entries[1:]
    Entry.objects.filter(pk=first.pk).update(self_score=D("1.05000"))
    first.self_score = D("1.05000")
    workflow.entry_mark_reported(entry=first, by=None, at=datetime(2009, 11, 9, 9, 0, tzinfo=BKK))  # Monday
    sweep(now=datetime(2009, 11, 10, 9, 0, tzinfo=BKK))
    assert not ReportLateness.objects.filter(office=district).exists()  # not complete, window still open
    for entry in rest:
        Entry.objects.filter(pk=entry.pk).update(self_score=D("1.05000"))
        entry.self_score = D("1.05000")
        workflow.entry_mark_reported(entry=entry, by=None, at=datetime(2009, 11, 12, 9, 0, tzinfo=BKK))
    sweep(now=datetime(2009, 11, 12, 10, 0, tzinfo=BKK))
    # Tue 3 … Thu 12 Nov: 8 working days → 0.40 off an overall near 1.04: it counts 1.00000, not less.
    row = lateness(world, district)
    assert (row.late_days, row.penalty) == (8, D("0.40000"))
    certify(entries, certifier)
    card = scorecard.scorecard(office=district, round_=world.round)
    assert card.overall_before_penalty < D("1.40000") and card.overall == D("1.00000")


def test_a_report_never_completed_is_late_until_the_close(world, district, other_district):
    """Never complete, a report was late for the whole late window: leaving an indicator out is never
    cheaper than reporting it late. Mon 2 Nov 2552 (the moved deadline) to Fri 20 Nov 2552 (the close):
    3–6, 9–13 and 16–20 Nov are 14 working days, 0.70 off (the overall still never below 1.00000)."""
    entries = district_entries(world, district)
    Entry.objects.filter(pk=entries[0].pk).update(self_score=D("3"))
    entries[0].self_score = D("3")
    workflow.entry_mark_reported(entry=entries[0], by=None, at=datetime(2009, 11, 3, 9, 0, tzinfo=BKK))
    sweep(now=LATE_UNTIL + timedelta(minutes=1))
    row = lateness(world, district)
    assert (row.complete, row.reported_at, row.late_days, row.penalty) == (
        False, datetime(2009, 11, 3, 9, 0, tzinfo=BKK), 14, D("0.70000"))
    nothing = lateness(world, other_district)
    assert (nothing.complete, nothing.reported_at, nothing.late_days) == (False, None, 14)
    assert Round.objects.get(pk=world.round.pk).closed_at is not None


def test_the_round_does_not_close_before_its_moved_deadline(world, district):
    Round.objects.filter(pk=world.round.pk).update(late_until=None)
    sunday = datetime(2009, 11, 1, 12, 0, tzinfo=BKK)
    sweep(now=sunday)
    assert Round.objects.get(pk=world.round.pk).closed_at is None
    entry = Entry.objects.select_related("round").filter(round=world.round, office=district).first()
    assert entry_edit_block(entry, sunday) is None
    assert entry_edit_block(entry, DUE + timedelta(minutes=1)) is not None
    sweep(now=DUE + timedelta(minutes=1))
    assert Round.objects.get(pk=world.round.pk).closed_at is not None


def test_central_only_entries_neither_complete_nor_delay_the_report(world, district):
    ids = {e.indicator_id for e in district_entries(world, district)}
    assert world.central.pk not in ids and world.quantitative.pk in ids


def test_the_per_indicator_option_records_no_report_lateness(world, district):
    Round.objects.filter(pk=world.round.pk).update(penalty_scope=Round.PenaltyScope.INDICATOR)
    report_all(world, district, at=datetime(2009, 11, 5, 9, 0, tzinfo=BKK))
    sweep(now=datetime(2009, 11, 6, 9, 0, tzinfo=BKK))
    assert not ReportLateness.objects.exists()
    # Thu 5 Nov after the moved deadline of Mon 2 Nov: 3 working days on each late entry.
    assert set(Entry.objects.filter(round=world.round, office=district, late_days__isnull=False)
               .values_list("late_days", flat=True)) == {3}


def test_the_deadlines_page_shows_the_moved_deadline_and_the_late_reports(client, world, other_district, admin_user):
    report_all(world, other_district, at=datetime(2009, 11, 4, 9, 0, tzinfo=BKK))  # Tue 3, Wed 4: 2 days
    sweep(now=datetime(2009, 11, 4, 10, 0, tzinfo=BKK))
    assert lateness(world, other_district).late_days == 2
    client.force_login(admin_user)
    html = client.get("/certification/deadlines/").content.decode()
    assert "2 พ.ย. 2552" in html and "เลื่อนจาก 31 ต.ค. 2552" in html
    assert "1 รายงาน" in html


def test_the_scorecard_its_print_and_the_ranking_export_show_the_late_report(client, world, other_district, admin_user):
    from django.urls import reverse

    from tests.reports.test_reports_views import read_csv, read_xlsx

    report_all(world, other_district, at=datetime(2009, 11, 4, 9, 0, tzinfo=BKK))  # 2 working days late
    sweep(now=datetime(2009, 11, 4, 10, 0, tzinfo=BKK))
    client.force_login(admin_user)
    args = [other_district.pk, world.round.pk]
    query = {"framework": world.framework.pk}
    for name in ("reports:scorecard", "reports:scorecard_print"):
        html = client.get(reverse(name, args=args), query).content.decode()
        assert 'data-testid="report-lateness"' in html and "ส่งช้า 2 วันทำการ หัก 0.10000 คะแนน" in html
    filters = {"round": world.round.pk, "framework": world.framework.pk}
    html = client.get(reverse("reports:national"), filters).content.decode()
    assert 'data-testid="report-late"' in html
    rows = read_csv(client.get(reverse("reports:national_export", args=["ranking", "csv"]), filters))
    header, by_code = rows[0], {row[1]: row for row in rows[1:]}
    assert header[-2:] == ["ส่งช้า (วันทำการ)", "หักคะแนนส่งช้า"]
    assert by_code[other_district.code][-2:] == ["2", "0.10000"]
    sheet = read_xlsx(client.get(reverse("reports:national_export", args=["ranking", "xlsx"]), filters))
    found = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    days, penalty = found[other_district.code][-2:]
    assert days == 2 and D(str(penalty)) == D("0.1")
