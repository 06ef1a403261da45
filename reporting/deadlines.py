"""The deadline sweep: the unattended job that opens and closes rounds and scores what was not reported.

Seed 000: "when the period ends and there is still no data, the system cuts the score to 1.00000
automatically." Celery beat runs ``sweep`` every ``KRS_SWEEP_SECONDS``; an administrator can run it
by hand (a button on /reporting/deadlines/, or ``manage.py run_deadline_sweep``). Each run does
these steps, in order, each for every round that is due, and records what it changed in a ``SweepRun``:

- ``open``: a round whose opening time has passed gets its entries (``reporting.services.round_open``),
  again when a framework of its year is published after it opened;
- ``penalty``: a district's report of a framework, once complete (or at the close), gets its working
  days late after the holiday-adjusted deadline and the penalty off its overall score (``ReportLateness``);
  in a round that penalises per indicator, each late entry gets its own, once;
- ``close``: a round whose deadline (or late window) has passed: every entry still not reported is
  scored 1.00000 by the system and locked, except entries whose inputs are all central (they wait for
  the owning bureau: a district is never scored for what only a bureau can enter);
- ``central``: a round whose window for central data has passed (``Round.central_closes_at``): every
  central-only entry still not reported, and every reported entry whose central part is still missing,
  is scored 1.00000 with a status and comment that name the bureau;
- ``fix``: a rejected entry whose fix deadline passed without a correction is scored and locked the same way;
- ``certification``: at the certification deadline, administrators are told how many entries still await
  certification (seed 000: the performance group then decides); no score changes;
- ``reminders``: districts with entries not yet reported are reminded ``KRS_REMINDER_DAYS`` before the
  deadline, each reminder once (the notification's key is the outbox's memory);
- ``snapshot``: once a week, every entry's status and counted score, for the reports' weekly movement.

Correct under faults: every step decides from what the database holds (a marker on the round, or the
entries' own status), so it is idempotent and a sweep after a day's outage does what was missed. Each
step for a round is one transaction: a crash leaves all of it or none. Only one sweep runs at a time
(``SweepLease``, a conditional UPDATE that works on PostgreSQL and SQLite); the round row is locked
too, for a hand-started step racing a sweep.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import DerivedComponent, Framework, Indicator, Round, Variable
from krs import thaicalendar
from krs.models import Notification, Office, Role, User
from krs.notifications import notify
from reporting.models import SYSTEM_GIVEN, Entry, EntrySnapshot, ReportLateness, SweepLease, SweepRun
from reporting.selectors import central_only_indicators, counted_score_expression, lacks_central_data
from reporting.services import round_open
from reporting.workflow import entries_system_score

logger = logging.getLogger(__name__)

STEP_LABELS = {
    "open": gettext_lazy("เปิดรอบ: สร้างรายการรายงานผล"),
    "penalty": gettext_lazy("หักคะแนนส่งช้า"),
    "close": gettext_lazy("ปิดรอบ: ไม่รายงานผล ระบบให้ 1.00000"),
    "central": gettext_lazy("พ้นกำหนดส่งข้อมูลส่วนกลาง: ไม่มีข้อมูลส่วนกลาง ระบบให้ 1.00000"),
    "fix": gettext_lazy("พ้นกำหนดแก้ไข: ระบบให้ 1.00000"),
    "certification": gettext_lazy("เลยกำหนดรับรองผล: แจ้งผู้ดูแลระบบ (รายการที่ยังรอการรับรอง)"),
    "reminders": gettext_lazy("เตือนกำหนดส่ง (ส่งแล้ว)"),
    "snapshot": gettext_lazy("บันทึกคะแนนรายสัปดาห์"),
}
MAX_PENALTY_IDS = 5000  # ids per UPDATE of the penalty step


@dataclass(frozen=True)
class Change:
    """What one step did to one round: recorded in the run, shown on the deadlines page."""

    step: str
    round_id: int
    round: str
    count: int


# --- The run ------------------------------------------------------------------------------------------


def sweep(*, trigger: str = SweepRun.Trigger.BEAT, by=None, now: datetime | None = None) -> SweepRun:
    """Run every step once, if no other sweep is running; the run, with what it changed and any error.

    ``now`` is the time the steps judge deadlines by (tests pass a frozen one); the lease and the run's
    own times are the real clock. A step that fails is logged and recorded; the other steps still run.
    """
    now = now or timezone.now()
    run = SweepRun.objects.create(started_at=timezone.now(), trigger=trigger, by=by)
    if not _take_lease(run):
        run.outcome, run.finished_at = SweepRun.Outcome.SKIPPED, timezone.now()
        run.save(update_fields=["outcome", "finished_at"])
        return run
    changes: list[Change] = []
    errors: list[str] = []
    try:
        for name, step in STEPS:
            try:
                changes.extend(change for change in step(now) if change.count)
            except Exception as exc:  # one broken step must not stop the others (or the next sweep)
                logger.exception("deadline sweep: step %s failed", name)
                errors.append(f"{STEP_LABELS[name]}: {exc.__class__.__name__}: {exc}")
    finally:
        _give_back_lease(run)
    run.steps = [asdict(change) for change in changes]
    run.changed = sum(change.count for change in changes)
    run.errors = "\n".join(errors)
    run.outcome = SweepRun.Outcome.FAILED if errors else SweepRun.Outcome.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["steps", "changed", "errors", "outcome", "finished_at"])
    return run


def _take_lease(run: SweepRun) -> bool:
    """Hold the one lease, if it is free or its holder died (lease expired); False when another sweep runs."""
    SweepLease.objects.get_or_create(pk=1)
    now = timezone.now()
    return bool(
        SweepLease.objects.filter(pk=1).filter(Q(holder__isnull=True) | Q(expires_at__lt=now))
        .update(holder=run, expires_at=now + timedelta(seconds=settings.KRS_SWEEP_LEASE_SECONDS))
    )


def _give_back_lease(run: SweepRun) -> None:
    SweepLease.objects.filter(pk=1, holder=run).update(holder=None, expires_at=None)


def _locked(round_id: int, **still) -> Round | None:
    """The round, row-locked for this transaction, if it still matches ``still`` (None when another did it)."""
    return Round.objects.select_for_update().select_related("fiscal_year").filter(pk=round_id, **still).first()


# --- The steps ----------------------------------------------------------------------------------------


def open_rounds(now: datetime) -> list[Change]:
    """Create the entries of rounds that have opened (and of frameworks published since a round opened)."""
    published_since = Exists(Framework.objects.filter(
        fiscal_year=OuterRef("fiscal_year"), status=Framework.Status.PUBLISHED, published_at__gt=OuterRef("opened_at")))
    due = Round.objects.filter(opens_at__lte=now).filter(Q(opened_at__isnull=True) | published_since)
    changes = []
    for round_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            round_ = _locked(round_id)
            # A round already past its certification deadline when first seen is history (a past year
            # imported for reference): marked opened, so its existing entries close, but given no new ones.
            created = 0 if round_.certification_deadline < now else round_open(round_=round_).created
            Round.objects.filter(pk=round_id).update(opened_at=now)
        changes.append(Change("open", round_id, round_.label, created))
    return changes


def apply_late_penalties(now: datetime) -> list[Change]:
    """The late penalty of every round that has one, in the scope the round chose (``Round.penalty_scope``)."""
    return [*apply_report_penalties(now), *apply_indicator_penalties(now)]


def district_entered(round_: Round) -> Q:
    """Entries of the round the district itself enters: an active district variable, or no variables at all.

    Central-only indicators (every active variable entered by a bureau), indicators whose variables are all
    in other rounds, and derived ones (PMQA category 4, scored from other indicators) are not the
    district's to report, so they neither complete a report nor make it late.
    """
    variables = Variable.objects.filter(indicator=OuterRef("indicator")).filter(Q(rounds__isnull=True) | Q(rounds=round_))
    return Q(Exists(variables.filter(source=Variable.Source.DISTRICT))) | Q(
        ~Exists(Variable.objects.filter(indicator=OuterRef("indicator")))
        & ~Exists(DerivedComponent.objects.filter(indicator=OuterRef("indicator"))))


def apply_report_penalties(now: datetime) -> list[Change]:
    """Seed 002's rule: a district's report of a framework in a round is late as a whole, once.

    The report is complete when every district-entered entry of the framework (``district_entered``) has
    been reported; its moment is the latest first report among them. When the round closes with some never
    reported, the report is recorded as not complete and its moment is the close (``Round.closes_at``): it
    was never complete, so it was late for the whole late window (the missing entries are also scored
    1.00000 by the close step); leaving an indicator out is never cheaper than reporting it late. Lateness
    counts Thai working days after the holiday-adjusted deadline (``Round.due_at``) up to that moment, at
    least one when it is after it. One ``ReportLateness`` per (district, framework, round), never
    rewritten; its penalty comes off the overall score.

    Set-based: per round one ``GROUP BY (district, framework)`` over the entries and one bulk INSERT.
    """
    rounds = Round.objects.filter(penalty_scope=Round.PenaltyScope.REPORT, opened_at__isnull=False,
                                  certification_closed_at__isnull=True, deadline__lt=now).select_related("fiscal_year")
    changes = []
    for round_id in list(rounds.values_list("pk", flat=True)):
        with transaction.atomic():
            round_ = _locked(round_id)
            if round_ is None or round_.due_at >= now:
                continue
            closed = round_.closes_at < now
            recorded = ReportLateness.objects.filter(
                round_id=round_id, office_id=OuterRef("office_id"), framework_id=OuterRef("indicator__framework_id"))
            groups = (
                Entry.objects.filter(round_id=round_id).filter(district_entered(round_)).filter(~Exists(recorded))
                .order_by().values("office_id", "indicator__framework_id")
                .annotate(last=Max("first_reported_at"), missing=Count("pk", filter=Q(first_reported_at__isnull=True)))
            )
            if not closed:
                groups = groups.filter(missing=0)
            found = list(groups.values_list("office_id", "indicator__framework_id", "last", "missing"))
            if not found:
                continue
            moments = {(office_id, framework_id): round_.closes_at if missing else last
                       for office_id, framework_id, last, missing in found}
            lasts = [at for at in moments.values() if at is not None and at > round_.due_at]
            exceptions = (thaicalendar.calendar_exceptions(thaicalendar.local_date(round_.due_at),
                                                           thaicalendar.local_date(max(lasts))) if lasts else {})
            days_by_date: dict[object, int] = {}
            rows = []
            for office_id, framework_id, last, missing in found:
                days = 0
                at = moments[office_id, framework_id]
                if at is not None and at > round_.due_at:
                    day = thaicalendar.local_date(at)
                    if day not in days_by_date:
                        days_by_date[day] = max(1, thaicalendar.working_days_between(
                            round_.due_at, day, exceptions=exceptions))
                    days = days_by_date[day]
                rows.append(ReportLateness(office_id=office_id, framework_id=framework_id, round_id=round_id,
                                           reported_at=last, complete=not missing, late_days=days,
                                           penalty=round_.late_penalty_per_day * Decimal(days)))
            ReportLateness.objects.bulk_create(rows, ignore_conflicts=True)
        changes.append(Change("penalty", round_id, round_.label, sum(1 for row in rows if row.penalty)))
    return changes


def apply_indicator_penalties(now: datetime) -> list[Change]:
    """Rounds that penalise each late indicator: working days late × penalty on the entry, once.

    Entries first reported after the deadline (``Round.due_at``) of a round with a penalty. Lateness
    counts Thai working days after the deadline's day up to the day of the first report
    (``thaicalendar.working_days_between``), at least one: a report after the deadline is late even on
    the same day or a holiday. The penalty is taken off the official score when it counts, never
    below 1.00000 (``counted_score_expression``). One UPDATE per round and number of days late.
    """
    late = (
        # Only rounds with a late window still under certification: a late report can exist nowhere else.
        Entry.objects.filter(round__penalty_scope=Round.PenaltyScope.INDICATOR,
                             round__late_penalty_per_day__gt=0, round__late_until__isnull=False,
                             round__certification_closed_at__isnull=True,
                             first_reported_at__gt=F("round__deadline"), first_reported_at__lte=now,
                             late_days__isnull=True)
        .exclude(status__in=SYSTEM_GIVEN).order_by()
        .values_list("pk", "round_id", "first_reported_at")
    )
    by_round: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for pk, round_id, first_reported_at in late:
        by_round[round_id].append((pk, first_reported_at))
    changes = []
    for round_ in Round.objects.filter(pk__in=list(by_round)).select_related("fiscal_year"):
        groups: dict[int, list[int]] = defaultdict(list)
        for pk, first_reported_at in by_round[round_.pk]:
            if first_reported_at > round_.due_at:  # the deadline moved off a holiday may make it on time
                groups[max(1, thaicalendar.working_days_between(round_.due_at, first_reported_at))].append(pk)
        count = 0
        with transaction.atomic():
            for days, ids in sorted(groups.items()):
                penalty = round_.late_penalty_per_day * Decimal(days)
                for start in range(0, len(ids), MAX_PENALTY_IDS):
                    count += Entry.objects.filter(pk__in=ids[start:start + MAX_PENALTY_IDS], late_days__isnull=True).update(
                        late_days=days, late_penalty=penalty, updated_at=now)  # the counted score moved
        changes.append(Change("penalty", round_.pk, round_.label, count))
    return changes


def close_rounds(now: datetime) -> list[Change]:
    """Rounds past their deadline (and late window): every entry still not reported → 1.00000, locked."""
    due = Round.objects.filter(opened_at__isnull=False, closed_at__isnull=True).filter(
        Q(late_until__isnull=True, deadline__lt=now) | Q(late_until__lt=now))
    changes = []
    for round_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            round_ = _locked(round_id, closed_at__isnull=True)
            if round_ is None or round_.closes_at >= now:  # its deadline moved off a holiday: not yet
                continue
            comment = _("พ้นกำหนดส่งรายงาน %(date)s โดยยังไม่รายงานผล ระบบให้คะแนน 1.00000") % {
                "date": thaicalendar.format_thai_date(round_.closes_at, with_time=True)}
            # Entries whose inputs are all central are the bureau's: they close at its window (close_central).
            count = entries_system_score(action="close", round_id=round_id, at=now, comment=comment,
                                         exclude_indicators=central_only_indicators(round_id))
            Round.objects.filter(pk=round_id).update(closed_at=now)
        changes.append(Change("close", round_id, round_.label, count))
    return changes


def _bureau_name(owner_id: int | None, names: dict[int, str]) -> str:
    return names.get(owner_id) or _("สำนักเจ้าของตัวชี้วัด")


def close_central(now: datetime) -> list[Change]:
    """Rounds past the bureaus' window for central data: what still waits for a bureau → 1.00000, locked.

    Two kinds of entry, each one UPDATE + events per owning bureau (a handful), so the comment names the
    bureau: a central-only entry still not reported (``close_central``), and a reported entry whose central
    part is still missing (``close_central_reported``: the district did its part, the bureau did not).
    """
    due = Round.objects.filter(opened_at__isnull=False, central_closed_at__isnull=True).filter(
        Q(central_deadline__isnull=True, certification_deadline__lt=now) | Q(central_deadline__lt=now))
    changes = []
    for round_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            round_ = _locked(round_id, central_closed_at__isnull=True)
            if round_ is None:
                continue
            central_only = central_only_indicators(round_id)
            waiting = Entry.objects.filter(round_id=round_id, status=Entry.Status.AWAITING).filter(lacks_central_data())
            owners = set(Entry.objects.filter(round_id=round_id, status=Entry.Status.NOT_REPORTED,
                                              indicator__in=central_only).order_by()
                         .values_list("indicator__owner_id", flat=True).distinct())
            owners |= set(waiting.order_by().values_list("indicator__owner_id", flat=True).distinct())
            names = dict(Office.objects.filter(pk__in=[pk for pk in owners if pk]).values_list("pk", "name_th"))
            date = thaicalendar.format_thai_date(round_.central_closes_at, with_time=True)
            count = 0
            for owner_id in sorted(owners, key=lambda pk: (pk is None, pk or 0)):
                comment = _("พ้นกำหนดส่งข้อมูลส่วนกลาง %(date)s โดย %(bureau)s ยังไม่บันทึกข้อมูลส่วนกลาง "
                            "ระบบให้คะแนน 1.00000 (สพท. ไม่ต้องรับผิดชอบข้อมูลนี้)") % {
                    "date": date, "bureau": _bureau_name(owner_id, names)}
                owned = Indicator.objects.filter(owner_id=owner_id) if owner_id else Indicator.objects.filter(owner__isnull=True)
                count += entries_system_score(action="close_central", round_id=round_id, at=now, comment=comment,
                                              indicators=central_only.filter(pk__in=owned))
                count += entries_system_score(action="close_central_reported", round_id=round_id, at=now,
                                              comment=comment, entries=waiting.filter(indicator__in=owned))
            Round.objects.filter(pk=round_id).update(central_closed_at=now)
        changes.append(Change("central", round_id, round_.label, count))
    return changes


def end_fix_windows(now: datetime) -> list[Change]:
    """Rejected entries whose fix deadline passed without a correction → 1.00000, locked."""
    due = (Entry.objects.filter(status=Entry.Status.REJECTED, fix_deadline__lt=now).order_by()
           .values_list("round_id", flat=True).distinct())
    changes = []
    for round_id in list(due):
        with transaction.atomic():
            round_ = _locked(round_id)
            central_only = central_only_indicators(round_id)
            # A central-only entry given back to fix is the bureau's to fix: its status says so.
            comment = _("พ้นกำหนดแก้ไขโดยสำนักเจ้าของตัวชี้วัดยังไม่บันทึกข้อมูลส่วนกลาง ระบบให้คะแนน 1.00000")
            count = entries_system_score(action="close_fix_central", round_id=round_id, at=now, comment=comment,
                                         indicators=central_only)
            comment = _("พ้นกำหนดแก้ไขโดยยังไม่แก้ไข ระบบให้คะแนน 1.00000")
            count += entries_system_score(action="close_fix", round_id=round_id, at=now, comment=comment,
                                          exclude_indicators=central_only)
        changes.append(Change("fix", round_id, round_.label, count))
    return changes


def certification_overdue(now: datetime) -> list[Change]:
    """At the certification deadline: tell administrators what still awaits certification (once per round)."""
    due = Round.objects.filter(opened_at__isnull=False, certification_closed_at__isnull=True,
                               certification_deadline__lt=now)
    changes = []
    for round_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            round_ = _locked(round_id, certification_closed_at__isnull=True)
            if round_ is None:
                continue
            waiting = Entry.objects.filter(round_id=round_id, status=Entry.Status.AWAITING).count()
            if waiting:
                admins = User.objects.filter(Q(role=Role.ADMINISTRATOR) | Q(is_superuser=True), is_active=True)
                notify(
                    users=admins, kind=Notification.Kind.CERTIFICATION_OVERDUE, key=f"cert-overdue:r{round_id}",
                    subject=_("เลยกำหนดรับรองผล %(round)s: ยังรอการรับรอง %(n)d รายการ") % {
                        "round": round_.label, "n": waiting},
                    body=_("เลยกำหนดรับรองผล (%(date)s) แล้ว ยังมีรายการรอการรับรองผล %(n)d รายการ "
                           "คะแนนของรายการเหล่านี้ยังนับ 1.00000 จนกว่าจะได้รับการรับรอง กพร. พิจารณาดำเนินการตามหลักเกณฑ์") % {
                        "date": thaicalendar.format_thai_date(round_.certification_deadline, with_time=True), "n": waiting},
                    url=reverse("certification:overdue", args=[round_id]), now=now,
                )
            Round.objects.filter(pk=round_id).update(certification_closed_at=now)
        changes.append(Change("certification", round_id, round_.label, waiting))
    return changes


def send_reminders(now: datetime) -> list[Change]:
    """Remind districts with unreported entries, ``KRS_REMINDER_DAYS`` before the deadline, each reminder once.

    Only the nearest reminder that is due is sent: after an outage a district gets "1 day left", not
    the 7-, 3- and 1-day reminders at once. Its key (round, days, office, user) is the outbox's memory.
    """
    days = sorted(settings.KRS_REMINDER_DAYS)
    if not days:
        return []
    due = Round.objects.filter(opened_at__isnull=False, closed_at__isnull=True, opens_at__lte=now, deadline__gte=now,
                               deadline__lte=now + timedelta(days=days[-1])).select_related("fiscal_year")
    changes = []
    for round_ in due:
        left = min(d for d in days if now >= round_.deadline - timedelta(days=d))
        # Central-only entries are the bureaus' to enter: a district is not reminded of them.
        unreported = dict(
            Entry.objects.filter(round=round_, status=Entry.Status.NOT_REPORTED)
            .exclude(indicator__in=central_only_indicators(round_.pk)).order_by()
            .values("office_id").annotate(n=Count("pk")).values_list("office_id", "n")
        )
        # The outbox's memory, read once: offices already reminded this time are not visited again.
        prefix = f"reminder:r{round_.pk}:d{left}:o"
        reminded = {int(key[len(prefix):].split(":", 1)[0])
                    for key in Notification.objects.filter(key__startswith=prefix).values_list("key", flat=True)}
        reporters: dict[int, list[User]] = defaultdict(list)
        waiting = [office_id for office_id in unreported if office_id not in reminded]
        for user in User.objects.filter(office_id__in=waiting, role=Role.DISTRICT_REPORTER, is_active=True):
            reporters[user.office_id].append(user)
        deadline = thaicalendar.format_thai_date(round_.due_at, with_time=True)
        url = reverse("reporting:entry_page", args=[round_.pk])
        sent = 0
        for office_id, users in reporters.items():
            sent += len(notify(
                users=users, kind=Notification.Kind.REMINDER, key=f"reminder:r{round_.pk}:d{left}:o{office_id}",
                subject=_("อีก %(days)d วันถึงกำหนดส่ง %(round)s: ยังไม่รายงานผล %(n)d ตัวชี้วัด") % {
                    "days": left, "round": round_.label, "n": unreported[office_id]},
                body=_("กำหนดส่งรายงาน %(deadline)s ยังมี %(n)d ตัวชี้วัดที่ยังไม่รายงานผล "
                       "เมื่อพ้นกำหนดแล้วยังไม่กรอกข้อมูล ระบบจะให้คะแนน 1.00000 โดยอัตโนมัติ") % {
                    "deadline": deadline, "n": unreported[office_id]},
                url=url, now=now,
            ))
        changes.append(Change("reminders", round_.pk, round_.label, sent))
    return changes


def week_of(now: datetime):
    """The Monday (Asia/Bangkok) of the week ``now`` is in: a snapshot's key."""
    today = thaicalendar.local_date(now)
    return today - timedelta(days=today.weekday())


def take_snapshots(now: datetime) -> list[Change]:
    """Once a week, every entry's status and counted score in rounds under way (one INSERT … SELECT per round).

    Rounds under way: opened, and certification not closed before this week began (so the week a round
    ends gets its final snapshot). The score is ``counted_score_expression``, compiled into the INSERT.
    """
    week = week_of(now)
    week_began = timezone.make_aware(datetime.combine(week, time.min))
    rounds = Round.objects.filter(opened_at__isnull=False).filter(
        Q(certification_closed_at__isnull=True) | Q(certification_closed_at__gte=week_began)
    ).select_related("fiscal_year")
    table = EntrySnapshot._meta.db_table
    taken_at = EntrySnapshot._meta.get_field("taken_at").get_db_prep_value(now, connection)
    week_param = EntrySnapshot._meta.get_field("week").get_db_prep_value(week, connection)
    changes = []
    for round_ in rounds:
        if EntrySnapshot.objects.filter(entry__round=round_, week=week).exists():
            continue
        select, params = (
            Entry.objects.filter(round=round_).order_by().annotate(counted=counted_score_expression())
            .values_list("pk", "status", "counted").query.sql_with_params()
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (entry_id, status, score, week, taken_at) "
                f"SELECT q.*, %s, %s FROM ({select}) q WHERE 1 = 1 "
                "ON CONFLICT (entry_id, week) DO NOTHING",
                [week_param, taken_at, *params],
            )
            count = max(cursor.rowcount, 0)
        changes.append(Change("snapshot", round_.pk, round_.label, count))
    return changes


STEPS = (
    ("open", open_rounds),
    ("penalty", apply_late_penalties),
    ("close", close_rounds),
    ("central", close_central),
    ("fix", end_fix_windows),
    ("certification", certification_overdue),
    ("reminders", send_reminders),
    ("snapshot", take_snapshots),
)
