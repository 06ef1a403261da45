"""The deadline sweep, step by step, at, before and after each boundary, on a frozen clock in Asia/Bangkok.

The round of these tests: open 1 Apr 2026 08:30, deadline Thursday 9 Apr 2026 16:30, certification
deadline 30 Apr 2026 16:30 (Thai time). Songkran (13–15 Apr 2026) falls in between, for the late penalty.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.urls import reverse

from indicators.models import Round
from krs.models import Notification, Role
from reporting import deadlines, workflow
from reporting.deadlines import sweep, week_of
from reporting.models import Entry, EntrySnapshot, StatusEvent, SweepLease, SweepRun
from reporting.rules import entry_edit_block
from reporting.selectors import counted_score, counted_scores
from tests.conftest import make_user
from tests.reporting.factories import open_world

BKK = ZoneInfo("Asia/Bangkok")
OPENS = datetime(2026, 4, 1, 8, 30, tzinfo=BKK)
DEADLINE = datetime(2026, 4, 9, 16, 30, tzinfo=BKK)
CERTIFICATION = datetime(2026, 4, 30, 16, 30, tzinfo=BKK)
TICK = timedelta(microseconds=1)
D = Decimal


@pytest.fixture
def world(district, other_district, bureau):
    world = open_world(bureau=bureau)
    Round.objects.filter(pk=world.round.pk).update(opens_at=OPENS, deadline=DEADLINE, certification_deadline=CERTIFICATION)
    # The other round of the year opens long after: keep it out of these tests' way.
    Round.objects.exclude(pk=world.round.pk).update(opens_at=datetime(2027, 1, 1, tzinfo=BKK),
                                                    deadline=datetime(2027, 2, 1, tzinfo=BKK),
                                                    certification_deadline=datetime(2027, 3, 1, tzinfo=BKK))
    world.round.refresh_from_db()
    return world


def statuses(round_) -> dict[str, int]:
    found: dict[str, int] = {}
    for status in Entry.objects.filter(round=round_).values_list("status", flat=True):
        found[status] = found.get(status, 0) + 1
    return found


def report(entry: Entry, *, score: str, at: datetime) -> Entry:
    """The district reports the entry at ``at`` (the workflow's own transition, with a self score)."""
    entry = Entry.objects.select_related("round", "indicator").get(pk=entry.pk)
    Entry.objects.filter(pk=entry.pk).update(self_score=D(score))
    entry.self_score = D(score)
    assert workflow.entry_mark_reported(entry=entry, by=None, at=at)
    return entry


# --- opening ---------------------------------------------------------------------------------------------


def test_a_round_opens_when_its_opening_time_has_passed_and_only_once(world, district):
    later = Round.objects.exclude(pk=world.round.pk).get()
    Round.objects.filter(pk=later.pk).update(opens_at=datetime(2026, 6, 1, 8, 30, tzinfo=BKK),
                                             deadline=datetime(2026, 7, 16, 16, 30, tzinfo=BKK),
                                             certification_deadline=datetime(2026, 8, 1, tzinfo=BKK))
    sweep(now=datetime(2026, 6, 1, 8, 29, 59, tzinfo=BKK))
    assert not Entry.objects.filter(round=later).exists()

    run = sweep(now=datetime(2026, 6, 1, 8, 30, tzinfo=BKK))
    created = Entry.objects.filter(round=later).count()
    assert created > 0 and Entry.objects.filter(round=later, status=Entry.Status.NOT_REPORTED).count() == created
    assert {"step": "open", "round_id": later.pk, "round": later.label, "count": created} in run.steps
    assert Round.objects.get(pk=later.pk).opened_at == datetime(2026, 6, 1, 8, 30, tzinfo=BKK)

    again = sweep(now=datetime(2026, 6, 1, 8, 31, tzinfo=BKK))
    assert Entry.objects.filter(round=later).count() == created
    assert not [c for c in again.steps if c["step"] == "open"]


# --- closing ---------------------------------------------------------------------------------------------


def test_at_the_deadline_nothing_closes_one_instant_after_every_unreported_entry_is_scored_1(world, district):
    sweep(now=OPENS)  # opened (the entries exist already: round_open is idempotent)
    reported = report(world.entry(district, world.quantitative), score="4.5", at=DEADLINE - timedelta(hours=1))
    total = Entry.objects.filter(round=world.round).count()

    sweep(now=DEADLINE)
    assert statuses(world.round).get(Entry.Status.SYSTEM_UNREPORTED, 0) == 0
    assert Round.objects.get(pk=world.round.pk).closed_at is None

    after = DEADLINE + TICK
    run = sweep(now=after)
    closed = Entry.objects.filter(round=world.round, status=Entry.Status.SYSTEM_UNREPORTED)
    # The central-only indicator (1.2, every variable central) waits for its bureau, not the district's deadline.
    central = Entry.objects.filter(round=world.round, indicator=world.central)
    assert set(central.values_list("status", flat=True)) == {Entry.Status.NOT_REPORTED}
    total -= central.count()
    assert closed.count() == total - 1
    assert set(closed.values_list("official_score", flat=True)) == {D("1.00000")}
    assert set(closed.values_list("system_scored_at", flat=True)) == {after}
    assert Entry.objects.get(pk=reported.pk).status == Entry.Status.AWAITING  # reported in time: untouched
    assert Round.objects.get(pk=world.round.pk).closed_at == after
    assert {"step": "close", "round_id": world.round.pk, "round": world.round.label, "count": total - 1} in run.steps
    events = StatusEvent.objects.filter(entry__round=world.round, to_status=Entry.Status.SYSTEM_UNREPORTED)
    assert events.count() == total - 1
    event = events.first()
    assert event.by is None and event.from_status == Entry.Status.NOT_REPORTED and event.at == after
    assert "1.00000" in event.comment and "9 เม.ย. 2569" in event.comment

    locked = Entry.objects.select_related("round").get(pk=closed.first().pk)
    assert "ระบบให้คะแนน 1.00000" in entry_edit_block(locked, after)
    assert counted_score(locked) == D("1.00000")


def test_the_sweep_run_twice_changes_nothing_the_second_time(world, district, other_district):
    report(world.entry(district, world.quantitative), score="4", at=DEADLINE - timedelta(days=1))
    now = DEADLINE + timedelta(minutes=1)
    first = sweep(now=now)
    before = (list(Entry.objects.order_by("pk").values_list("pk", "status", "official_score", "system_scored_at")),
              StatusEvent.objects.count(), EntrySnapshot.objects.count(), Notification.objects.count())
    second = sweep(now=now)
    assert first.changed > 0 and second.changed == 0 and second.steps == []
    after = (list(Entry.objects.order_by("pk").values_list("pk", "status", "official_score", "system_scored_at")),
             StatusEvent.objects.count(), EntrySnapshot.objects.count(), Notification.objects.count())
    assert after == before


def test_a_worker_down_for_a_day_catches_up(world, district):
    """No sweep ran between the opening and a day after the deadline: the one that runs does it all."""
    now = DEADLINE + timedelta(days=1)
    run = sweep(now=now)
    assert {c["step"] for c in run.steps} >= {"close", "snapshot"}
    # Only the central-only entries (1.2) are left: they wait for the bureau's window, still open.
    assert set(Entry.objects.filter(round=world.round, status=Entry.Status.NOT_REPORTED)
               .values_list("indicator_id", flat=True)) == {world.central.pk}


def test_a_failure_half_way_leaves_all_or_nothing_and_the_next_sweep_finishes(world, district, monkeypatch):
    real = workflow.entries_system_score

    def fails_after_the_update(**kwargs):
        real(**kwargs)  # the UPDATE and the events are written … and then the step dies in the same transaction
        raise RuntimeError("เครื่องดับกลางคัน")

    monkeypatch.setattr(deadlines, "entries_system_score", fails_after_the_update)
    now = DEADLINE + timedelta(minutes=5)
    run = sweep(now=now)
    assert run.outcome == SweepRun.Outcome.FAILED and "เครื่องดับกลางคัน" in run.errors
    assert not Entry.objects.filter(status=Entry.Status.SYSTEM_UNREPORTED).exists()
    assert not StatusEvent.objects.filter(to_status=Entry.Status.SYSTEM_UNREPORTED).exists()
    assert Round.objects.get(pk=world.round.pk).closed_at is None
    assert EntrySnapshot.objects.filter(entry__round=world.round).exists()  # the other steps still ran

    monkeypatch.setattr(deadlines, "entries_system_score", real)
    assert sweep(now=now + timedelta(minutes=1)).outcome == SweepRun.Outcome.DONE
    total = Entry.objects.filter(round=world.round).exclude(indicator=world.central).count()
    assert Entry.objects.filter(round=world.round, status=Entry.Status.SYSTEM_UNREPORTED).count() == total
    assert StatusEvent.objects.filter(to_status=Entry.Status.SYSTEM_UNREPORTED).count() == total


def test_a_second_sweep_while_one_holds_the_lease_does_nothing_and_says_so(world, district):
    holder = SweepRun.objects.create(started_at=DEADLINE, trigger=SweepRun.Trigger.BEAT)
    from django.utils import timezone

    SweepLease.objects.update_or_create(pk=1, defaults={"holder": holder, "expires_at": timezone.now() + timedelta(minutes=5)})
    run = sweep(now=DEADLINE + timedelta(minutes=1))
    assert run.outcome == SweepRun.Outcome.SKIPPED and run.changed == 0
    assert Entry.objects.filter(round=world.round, status=Entry.Status.NOT_REPORTED).exists()
    # A holder that died: its lease expires and the next sweep goes ahead.
    SweepLease.objects.filter(pk=1).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert sweep(now=DEADLINE + timedelta(minutes=2)).outcome == SweepRun.Outcome.DONE
    assert not Entry.objects.filter(round=world.round, status=Entry.Status.NOT_REPORTED).exclude(
        indicator=world.central).exists()
    assert SweepLease.objects.get(pk=1).holder is None


# --- fix windows -----------------------------------------------------------------------------------------


def test_a_rejected_entry_is_scored_1_only_after_its_fix_deadline(world, district, other_district, certifier):
    fix_by = datetime(2026, 4, 20, 16, 30, tzinfo=BKK)
    rejected = report(world.entry(district, world.quantitative), score="4", at=DEADLINE - timedelta(days=2))
    workflow.entry_reject(entry=rejected, by=certifier, comment="ตัวเลขไม่ตรง", fix_deadline=fix_by)
    no_fix = report(world.entry(other_district, world.quantitative), score="4", at=DEADLINE - timedelta(days=2))
    workflow.entry_reject(entry=no_fix, by=certifier, comment="ไม่มีหลักฐาน")

    sweep(now=fix_by)
    assert Entry.objects.get(pk=rejected.pk).status == Entry.Status.REJECTED
    run = sweep(now=fix_by + TICK)
    scored = Entry.objects.get(pk=rejected.pk)
    assert scored.status == Entry.Status.SYSTEM_UNFIXED and scored.official_score == D("1.00000")
    assert scored.system_scored_at == fix_by + TICK
    assert {"step": "fix", "round_id": world.round.pk, "round": world.round.label, "count": 1} in run.steps
    # Rejected with no fix asked for: it stays "ไม่รับรอง" (it counts 1.00000 all the same).
    assert Entry.objects.get(pk=no_fix.pk).status == Entry.Status.REJECTED


def test_a_corrected_entry_is_not_scored_when_its_fix_window_ends(world, district, certifier):
    fix_by = datetime(2026, 4, 20, 16, 30, tzinfo=BKK)
    entry = report(world.entry(district, world.quantitative), score="4", at=DEADLINE - timedelta(days=2))
    workflow.entry_reject(entry=entry, by=certifier, comment="ตัวเลขไม่ตรง", fix_deadline=fix_by)
    entry.refresh_from_db()
    assert entry_edit_block(Entry.objects.select_related("round").get(pk=entry.pk), fix_by) is None
    assert workflow.entry_mark_reported(entry=entry, by=None, at=fix_by - timedelta(hours=1))
    sweep(now=fix_by + timedelta(days=1))
    assert Entry.objects.get(pk=entry.pk).status == Entry.Status.AWAITING


# --- the certification deadline --------------------------------------------------------------------------


def test_at_the_certification_deadline_admins_are_told_once_and_no_score_changes(world, district, admin_user):
    awaiting = report(world.entry(district, world.quantitative), score="4.25", at=DEADLINE - timedelta(days=1))
    sweep(now=CERTIFICATION)
    assert not Notification.objects.filter(kind=Notification.Kind.CERTIFICATION_OVERDUE).exists()

    run = sweep(now=CERTIFICATION + TICK)
    notes = Notification.objects.filter(kind=Notification.Kind.CERTIFICATION_OVERDUE)
    assert list(notes.values_list("user", flat=True)) == [admin_user.pk]
    assert "1 รายการ" in notes.get().subject
    assert notes.get().url == reverse("certification:overdue", args=[world.round.pk])
    assert {"step": "certification", "round_id": world.round.pk, "round": world.round.label, "count": 1} in run.steps
    still = Entry.objects.get(pk=awaiting.pk)
    assert still.status == Entry.Status.AWAITING and still.self_score == D("4.25") and still.official_score is None
    assert counted_scores(district, world.round)[world.quantitative.pk] == D("1.00000")

    sweep(now=CERTIFICATION + timedelta(hours=1))
    assert notes.count() == 1


def test_the_overdue_list_shows_what_still_awaits(client, world, district, admin_user, district_user):
    report(world.entry(district, world.quantitative), score="4", at=DEADLINE - timedelta(days=1))
    sweep(now=CERTIFICATION + TICK)
    client.force_login(admin_user)
    page = client.get(reverse("certification:overdue", args=[world.round.pk]))
    assert page.status_code == 200
    assert world.quantitative.code in page.content.decode() and district.name_th in page.content.decode()
    client.force_login(district_user)
    assert client.get(reverse("certification:overdue", args=[world.round.pk])).status_code == 403


# --- the late penalty ------------------------------------------------------------------------------------


@pytest.fixture
def late_round(world):
    Round.objects.filter(pk=world.round.pk).update(late_penalty_per_day=D("0.05"),
                                                   late_until=datetime(2026, 4, 24, 16, 30, tzinfo=BKK))
    world.round.refresh_from_db()
    return world.round


def test_in_the_late_window_an_unreported_entry_may_still_be_reported_and_the_round_closes_after_it(
        world, late_round, district):
    entry = Entry.objects.select_related("round").get(pk=world.entry(district, world.quantitative).pk)
    assert entry_edit_block(entry, DEADLINE + timedelta(days=1)) is None
    assert entry_edit_block(entry, late_round.late_until + TICK) is not None
    sweep(now=DEADLINE + timedelta(days=1))
    assert Round.objects.get(pk=late_round.pk).closed_at is None
    sweep(now=late_round.late_until + TICK)
    assert Round.objects.get(pk=late_round.pk).closed_at == late_round.late_until + TICK


def test_the_per_indicator_penalty_counts_working_days_over_songkran_and_never_goes_below_1(
        world, late_round, district, other_district, certifier):
    # The option a round can choose instead of the default (the whole report, tests/certification/test_report_penalty.py).
    Round.objects.filter(pk=late_round.pk).update(penalty_scope=Round.PenaltyScope.INDICATOR)
    # First reported Thursday 16 Apr: Fri 10 Apr is a working day, 13–15 Apr are Songkran → 2 working days late.
    late = report(world.entry(district, world.quantitative), score="4.00000", at=datetime(2026, 4, 16, 10, 0, tzinfo=BKK))
    on_time = report(world.entry(other_district, world.quantitative), score="4.00000", at=DEADLINE - TICK)
    # Same day as the deadline but after it: late all the same, by at least one working day.
    same_day = report(world.entry(district, world.pass_fail), score="1.05000", at=DEADLINE + timedelta(minutes=30))

    run = sweep(now=datetime(2026, 4, 16, 10, 1, tzinfo=BKK))
    assert {"step": "penalty", "round_id": late_round.pk, "round": late_round.label, "count": 2} in run.steps
    late.refresh_from_db()
    on_time.refresh_from_db()
    same_day.refresh_from_db()
    assert (late.late_days, late.late_penalty) == (2, D("0.10000"))
    assert (on_time.late_days, on_time.late_penalty) == (None, D("0"))
    assert (same_day.late_days, same_day.late_penalty) == (1, D("0.05000"))

    for entry in (late, on_time, same_day):
        workflow.entry_certify(entry=Entry.objects.select_related("indicator", "round").get(pk=entry.pk), by=certifier)
    assert counted_scores(district, late_round)[world.quantitative.pk] == D("3.90000")
    assert counted_scores(other_district, late_round)[world.quantitative.pk] == D("4.00000")
    assert counted_scores(district, late_round)[world.pass_fail.pk] == D("1.00000")  # 1.05 − 0.05 = 1.00, not below
    assert counted_score(Entry.objects.get(pk=late.pk)) == D("3.90000")

    # A correction after a rejection does not move the lateness: it was set once, from the first report.
    again = sweep(now=datetime(2026, 4, 20, 10, 0, tzinfo=BKK))
    assert not [c for c in again.steps if c["step"] == "penalty"]


def test_a_round_without_a_penalty_charges_nothing(world, district):
    late = report(world.entry(district, world.quantitative), score="4", at=DEADLINE + timedelta(days=3))
    sweep(now=DEADLINE + timedelta(days=4))
    late.refresh_from_db()
    assert late.late_days is None and late.late_penalty == 0


# --- reminders -------------------------------------------------------------------------------------------


def test_reminders_go_at_7_3_and_1_days_each_once_to_districts_with_unreported_entries(
        world, district, other_district, district_user, other_district_user, settings,
        django_capture_on_commit_callbacks, mailoutbox):
    settings.KRS_REMINDER_DAYS = [1, 3, 7]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # The other district has reported everything: it gets no reminder.
    Entry.objects.filter(round=world.round, office=other_district).update(status=Entry.Status.AWAITING)

    sweep(now=DEADLINE - timedelta(days=7) - TICK)
    assert not Notification.objects.filter(kind=Notification.Kind.REMINDER).exists()

    with django_capture_on_commit_callbacks(execute=True):
        run = sweep(now=DEADLINE - timedelta(days=7))
    reminders = Notification.objects.filter(kind=Notification.Kind.REMINDER)
    assert list(reminders.values_list("user", flat=True)) == [district_user.pk]
    # Not the central-only indicator (1.2): the district has nothing to enter for it.
    n = Entry.objects.filter(round=world.round, office=district).exclude(indicator=world.central).count()
    assert reminders.get().subject.startswith("อีก 7 วันถึงกำหนดส่ง") and f"{n} ตัวชี้วัด" in reminders.get().subject
    assert {"step": "reminders", "round_id": world.round.pk, "round": world.round.label, "count": 1} in run.steps
    assert [m.to for m in mailoutbox] == [[district_user.email]]

    with django_capture_on_commit_callbacks(execute=True):
        sweep(now=DEADLINE - timedelta(days=6))  # still the 7-day reminder's time: not again
    assert reminders.count() == 1 and len(mailoutbox) == 1

    sweep(now=DEADLINE - timedelta(days=3))
    assert reminders.count() == 2
    assert reminders.order_by("-created_at").first().subject.startswith("อีก 3 วัน")


def test_after_an_outage_only_the_nearest_reminder_is_sent(world, district, district_user, settings):
    settings.KRS_REMINDER_DAYS = [1, 3, 7]
    sweep(now=DEADLINE - timedelta(hours=12))
    reminders = Notification.objects.filter(kind=Notification.Kind.REMINDER)
    assert [n.subject[:17] for n in reminders] == ["อีก 1 วันถึงกำหนดส่ง"[:17]]


# --- snapshots -------------------------------------------------------------------------------------------


def test_a_snapshot_a_week_of_every_entry_with_the_score_it_counts(world, district, certifier):
    monday = datetime(2026, 4, 6, 0, 0, tzinfo=BKK)
    assert week_of(monday - TICK).isoformat() == "2026-03-30"  # Sunday night belongs to the week before
    certified = report(world.entry(district, world.quantitative), score="4.5", at=OPENS + timedelta(days=1))
    workflow.entry_certify(entry=Entry.objects.select_related("indicator", "round").get(pk=certified.pk), by=certifier)

    sweep(now=monday - TICK)
    sweep(now=monday + timedelta(minutes=1))
    sweep(now=monday + timedelta(days=2))  # same week: nothing more
    total = Entry.objects.filter(round=world.round).count()
    weeks = dict(EntrySnapshot.objects.order_by().values_list("week").annotate(n=Count("pk")))
    assert {week.isoformat(): n for week, n in weeks.items()} == {"2026-03-30": total, "2026-04-06": total}
    snap = EntrySnapshot.objects.get(entry=certified, week=week_of(monday))
    assert (snap.status, snap.score) == (Entry.Status.CERTIFIED, D("4.50000"))
    other = EntrySnapshot.objects.filter(week=week_of(monday)).exclude(entry=certified)
    assert set(other.values_list("score", flat=True)) == {D("1.00000")}


# --- the page, the button, the command -------------------------------------------------------------------


def test_admins_see_the_runs_and_run_the_sweep_with_the_button(client, world, district, admin_user, certifier):
    client.force_login(admin_user)
    response = client.post(reverse("certification:deadlines_run"), follow=True)
    assert response.status_code == 200
    run = SweepRun.objects.get()
    assert run.trigger == SweepRun.Trigger.BUTTON and run.by == admin_user and run.outcome == SweepRun.Outcome.DONE
    page = client.get(reverse("certification:deadlines")).content.decode()
    assert "ผู้ดูแลระบบกดปุ่ม" in page and world.round.label in page

    client.force_login(certifier)
    assert client.get(reverse("certification:deadlines")).status_code == 403
    assert client.post(reverse("certification:deadlines_run")).status_code == 403
    assert SweepRun.objects.count() == 1


def test_the_deadlines_page_takes_a_constant_number_of_queries(client, world, district, admin_user,
                                                               django_assert_num_queries):
    client.force_login(admin_user)
    for runs in (1, 5):
        for minutes in range(runs):
            sweep(now=DEADLINE + timedelta(minutes=minutes + 1))
        # session, user, the rounds with their counts, the calendar's exceptions for their deadlines, the
        # runs' count and page (with who ran them), notifications
        with django_assert_num_queries(7):
            assert client.get(reverse("certification:deadlines")).status_code == 200


def test_the_command_runs_one_sweep(world, district, capsys):
    call_command("run_deadline_sweep")
    run = SweepRun.objects.get()
    assert run.trigger == SweepRun.Trigger.COMMAND
    assert "changed" in capsys.readouterr().out


def test_no_person_may_take_the_system_transitions(world, district, admin_user):
    entry = Entry.objects.select_related("indicator", "round").get(pk=world.entry(district, world.quantitative).pk)
    for action in ("close", "close_fix"):
        assert not workflow.may_take(admin_user, entry, action)
        assert workflow.action_block(admin_user, entry, action)


def test_a_district_reporter_sees_the_system_score_on_its_page(client, world, district, district_user):
    sweep(now=DEADLINE + TICK)
    client.force_login(district_user)
    page = client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode()
    assert "ไม่รายงานผลตามกำหนด (ระบบให้คะแนน)" in page
    assert 'data-testid="system-score"' in page and "1.00000" in page
    # Its history and its review page name the system as who acted (they were server errors: by is None).
    entry = world.entry(district, world.quantitative)
    history = client.get(reverse("reporting:entry_history", args=[entry.pk]))
    assert history.status_code == 200 and "ระบบ" in history.content.decode()
    assert client.get(reverse("certification:review", args=[entry.pk])).status_code == 200


@pytest.mark.django_db
def test_a_database_without_a_lease_row_gets_one(world):
    assert not SweepLease.objects.exists()
    sweep(now=OPENS)
    assert SweepLease.objects.get().holder is None
    assert connection.vendor in {"sqlite", "postgresql"}


def test_reminders_reach_only_active_reporters_of_the_district(world, district, settings):
    settings.KRS_REMINDER_DAYS = [7]
    retired = make_user("retired", district, Role.DISTRICT_REPORTER)
    retired.is_active = False
    retired.save()
    sweep(now=DEADLINE - timedelta(days=1))
    assert not Notification.objects.filter(kind=Notification.Kind.REMINDER).exists()


def test_the_entry_page_says_when_the_round_is_in_its_late_window(client, world, late_round, district, district_user,
                                                                  monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: DEADLINE + timedelta(days=1))
    client.force_login(district_user)
    page = client.get(reverse("reporting:entry_page", args=[world.round.pk])).content.decode()
    assert 'data-testid="late-window"' in page and "0.05" in page and 'data-testid="time-left"' not in page


def test_a_round_first_seen_after_its_certification_deadline_gets_no_new_entries_but_its_own_close(world, district):
    later = CERTIFICATION + timedelta(days=365)
    Entry.objects.filter(round=world.round).exclude(office=district).delete()
    kept = Entry.objects.filter(round=world.round).count()
    run = sweep(now=later)
    assert Entry.objects.filter(round=world.round).count() == kept  # no entries for the other district
    # The central-only entry closes on the bureau's window (passed as well), in its own status.
    assert Entry.objects.filter(round=world.round, status=Entry.Status.SYSTEM_UNREPORTED).count() == kept - 1
    assert Entry.objects.get(round=world.round, indicator=world.central).status == Entry.Status.SYSTEM_NO_CENTRAL
    assert Round.objects.get(pk=world.round.pk).opened_at == later
    assert not [c for c in run.steps if c["step"] == "open"]


# --- an administrator withdraws a system score ----------------------------------------------------------------


def test_an_administrator_gives_a_system_scored_entry_back_to_fix_and_the_sweep_scores_it_again_if_not(
    world, district, district_user, admin_user, certifier
):
    sweep(now=DEADLINE + TICK)
    entry = Entry.objects.select_related("indicator", "round").get(pk=world.entry(district, world.quantitative).pk)
    assert entry.status == Entry.Status.SYSTEM_UNREPORTED
    assert not workflow.may_take(certifier, entry, "reopen_system")  # administrators only
    at = DEADLINE + timedelta(days=1)
    with pytest.raises(workflow.TransitionRefused, match="กำหนดวันเวลาแก้ไข"):
        workflow.entry_reopen(entry=entry, by=admin_user, comment="ระบบเครือข่ายเขตขัดข้องวันส่ง", at=at)
    assert Entry.objects.get(pk=entry.pk).status == Entry.Status.SYSTEM_UNREPORTED

    fix_by = at + timedelta(days=3)
    workflow.entry_reopen(entry=entry, by=admin_user, comment="ระบบเครือข่ายเขตขัดข้องวันส่ง", fix_deadline=fix_by, at=at)
    reopened = Entry.objects.select_related("round").get(pk=entry.pk)
    assert reopened.status == Entry.Status.REJECTED and reopened.fix_deadline == fix_by
    assert reopened.official_score is None and reopened.system_scored_at is None
    event = StatusEvent.objects.filter(entry=entry).latest("at")
    assert (event.from_status, event.to_status, event.by, event.comment) == (
        Entry.Status.SYSTEM_UNREPORTED, Entry.Status.REJECTED, admin_user, "ระบบเครือข่ายเขตขัดข้องวันส่ง")
    assert Notification.objects.filter(user=district_user, subject__startswith="เปิดให้แก้ไข").exists()
    assert entry_edit_block(reopened, at + timedelta(days=1)) is None  # the round has closed, the fix window is open
    assert entry_edit_block(reopened, fix_by + TICK)

    sweep(now=fix_by + TICK)  # not reported in time: scored again, as any unfixed rejection
    again = Entry.objects.get(pk=entry.pk)
    assert again.status == Entry.Status.SYSTEM_UNFIXED and again.official_score == D("1.00000")


def test_the_review_page_lets_an_administrator_withdraw_a_system_score_with_a_fix_deadline(
    client, world, district, admin_user, district_user
):
    from django.utils import timezone

    sweep(now=DEADLINE + TICK)
    entry = world.entry(district, world.quantitative)
    client.force_login(admin_user)
    page = client.get(reverse("certification:review", args=[entry.pk])).content.decode()
    assert 'data-testid="reopen-panel"' in page and 'data-testid="reopen-fix-deadline"' in page
    url = reverse("certification:reopen", args=[entry.pk])
    response = client.post(url, {"comment": "เขตแจ้งเหตุขัดข้อง", "fix_deadline": "01/01/2543 10:00"})
    assert response.status_code == 422 and "ต้องเป็นเวลาในอนาคต" in response.content.decode()
    moment = timezone.localtime(timezone.now() + timedelta(days=2))
    fix_by = f"{moment:%d/%m}/{moment.year + 543} {moment:%H:%M}"  # typed in พ.ศ.
    assert client.post(url, {"comment": "เขตแจ้งเหตุขัดข้อง", "fix_deadline": fix_by}).status_code == 302
    assert Entry.objects.get(pk=entry.pk).status == Entry.Status.REJECTED

    # The district may now report it, though the round closed long ago.
    client.force_login(district_user)
    variables = {v.code: v for v in world.quantitative.variables.all()}
    response = client.post(reverse("reporting:entry_save", args=[entry.pk]), {
        "version": str(Entry.objects.get(pk=entry.pk).version), f"v{variables['A'].pk}": "9", f"v{variables['B'].pk}": "10",
    }, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and not response.get("X-KRS-Status")
    assert Entry.objects.get(pk=entry.pk).status == Entry.Status.AWAITING
