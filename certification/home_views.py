"""The home page (หน้าหลัก): where each role stands in its round(s), what needs action now, and one next step.

It lives here, in the highest page app below the API, because it composes the reads of every app it shows:
the district's counts, rejections and flags (``reporting.selectors``), the files waiting for a bureau's receipt
(``attachments.selectors``), the overall score as it counts today and the national results (``reports``), the
bureau's queue (``certification.selectors``). Each role's page costs a constant number of queries, whatever
the number of entries and districts (tests/certification/test_home.py counts them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from attachments.selectors import bureau_inbox_head
from certification.selectors import bureau_new_data, bureau_queue, central_data_owed
from indicators.models import Round
from indicators.selectors import current_round
from krs import permissions
from reporting.models import Entry, SweepRun
from reporting.rules import entry_edit_block
from reporting.selectors import (
    bureau_rounds,
    last_sweep_run,
    new_data_entries,
    rejected_to_fix,
    rounds_for_office,
    rounds_status_counts,
    status_counts,
)
from reports.common import report_filters, report_rounds
from reports.national import national_summary
from reports.scorecard import office_standing

# How many entries or files each "needs action now" list shows; the rest are a link away.
HOME_LIST = 10
# The sweep runs every KRS_SWEEP_SECONDS; no run for this many intervals means beat or the worker is down.
SWEEP_LATE_INTERVALS = 5


@dataclass
class RoundClock:
    """A round as the home shows it: its deadlines and the time left to each, at ``now``."""

    round: Round
    now: datetime

    @property
    def report_until(self) -> datetime:
        """The end of reporting: the deadline (moved off a holiday), or the late window's end while in it."""
        return self.round.closes_at if self.round.is_late(self.now) else self.round.due_at

    @property
    def report_left(self) -> timedelta | None:
        """Time left to report; None before the round opens and once reporting has closed."""
        if not self.round.is_open(self.now):
            return None
        return self.report_until - self.now

    @property
    def is_late(self) -> bool:
        return self.round.is_late(self.now)

    @property
    def has_opened(self) -> bool:
        return self.round.opens_at <= self.now

    @property
    def certification_left(self) -> timedelta | None:
        deadline = self.round.certification_deadline
        return deadline - self.now if self.has_opened and self.now <= deadline else None


@dataclass
class NextStep:
    label: str
    url: str
    icon: str = "arrow-right-circle"


def _in_progress(rounds: list[Round], current: Round | None, now: datetime) -> list[RoundClock]:
    """The current round first, then the others still being reported or certified (no query)."""
    found = [r for r in rounds if r != current and r.opens_at <= now <= r.certification_deadline]
    found.sort(key=lambda r: (r.certification_deadline, r.pk))
    return [RoundClock(r, now) for r in ([current] if current else []) + found]


def _count_rows(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(value, label, counts.get(value, 0)) for value, label in Entry.Status.choices]


def _district(user, now: datetime) -> dict:
    """Queries: the office's rounds and their calendar (2), the counts (1), the rejected entries and their
    rejections (2, 1 when none is rejected), the new-data entries (1), the overall score (11)."""
    office = user.office
    rounds = rounds_for_office(office)
    round_ = current_round(rounds, now)
    if round_ is None:
        return {"rounds": []}
    counts = status_counts(office, round_)
    rejected = rejected_to_fix(office, round_)
    for entry in rejected:
        entry.round = round_  # one Round, its holiday-adjusted deadline already computed
        entry.fixable = entry_edit_block(entry, now) is None
        entry.fix_left = entry.fix_deadline - now if entry.fixable and entry.fix_deadline else None
    new_data = new_data_entries(office, round_)
    standing = office_standing(office=office, round_=round_)
    page = reverse("reporting:entry_page", args=[round_.pk])
    fixable = [entry for entry in rejected if entry.fixable]
    if fixable:
        step = NextStep(ngettext("แก้ไขตัวชี้วัดที่สำนักไม่รับรอง %(n)d ตัวชี้วัด", "แก้ไขตัวชี้วัดที่สำนักไม่รับรอง %(n)d ตัวชี้วัด",
                                 len(fixable)) % {"n": len(fixable)},
                        f"{page}?status={Entry.Status.REJECTED}#entry-{fixable[0].pk}", "pencil-square")
    elif new_data:
        step = NextStep(_("เปิดดูข้อมูลใหม่จากสำนัก: ตัวชี้วัด %(code)s") % {"code": new_data[0].indicator.code},
                        f"{page}#entry-{new_data[0].pk}", "envelope-open")
    elif counts[Entry.Status.NOT_REPORTED] and round_.is_open(now):
        n = counts[Entry.Status.NOT_REPORTED]
        step = NextStep(ngettext("บันทึกข้อมูลตัวชี้วัดที่ยังไม่รายงาน %(n)d ตัวชี้วัด",
                                 "บันทึกข้อมูลตัวชี้วัดที่ยังไม่รายงาน %(n)d ตัวชี้วัด", n) % {"n": n},
                        f"{page}?status={Entry.Status.NOT_REPORTED}", "pencil-square")
    else:
        step = NextStep(_("ดูคะแนนของ สพท. ในรอบนี้"), reverse("reports:scorecard", args=[office.pk, round_.pk]),
                        "bar-chart")
    return {
        "round": round_, "rounds": _in_progress(rounds, round_, now), "counts": counts,
        "count_rows": _count_rows(counts), "total": sum(counts.values()), "rejected": rejected,
        "new_data": new_data, "standing": standing, "next_step": step, "entry_page": page,
    }


def _bureau(user, now: datetime) -> dict:
    """Queries: the bureau's rounds (1) and their calendar (1), the queue's counts and indicators (2), the
    oldest awaiting entries (1), the new data (2), the files to register (2), the central data owed (1)."""
    bureau = user.office
    rounds = bureau_rounds(bureau)
    round_ = current_round(rounds, now)
    if round_ is None:
        return {"rounds": []}
    queue = bureau_queue(bureau=bureau, round_=round_, rounds=rounds, status=Entry.Status.AWAITING)
    awaiting = list(queue.entries[:HOME_LIST])
    new_data = bureau_new_data(bureau=bureau, round_=round_, limit=HOME_LIST)
    inbox = bureau_inbox_head(bureau, round_=round_, limit=HOME_LIST)
    owed = next((line for line in central_data_owed([round_.pk]).get(round_.pk, []) if line.bureau_id == bureau.pk),
                None)
    if owed is not None and now > round_.central_closes_at:
        owed = None  # the window has closed: nothing more can be entered
    queue_url = reverse("certification:queue")
    if awaiting:
        first = awaiting[0]
        step = NextStep(_("ตรวจรายการที่รอนานที่สุด: %(office)s ตัวชี้วัด %(code)s") % {
            "office": first.office.localized_name, "code": first.indicator.code},
            reverse("certification:review", args=[first.pk]), "patch-check")
    elif new_data.entries:
        first = new_data.entries[0]
        step = NextStep(_("เปิดดูข้อมูลใหม่: %(office)s ตัวชี้วัด %(code)s") % {
            "office": first.office.localized_name, "code": first.indicator.code},
            reverse("certification:review", args=[first.pk]), "envelope-open")
    elif inbox.total:
        step = NextStep(ngettext("ลงทะเบียนรับเอกสาร %(n)d ไฟล์", "ลงทะเบียนรับเอกสาร %(n)d ไฟล์", inbox.total)
                        % {"n": inbox.total}, reverse("attachments:inbox"), "inbox")
    elif owed is not None:
        step = NextStep(ngettext("บันทึกข้อมูลส่วนกลางให้ %(n)d สพท.", "บันทึกข้อมูลส่วนกลางให้ %(n)d สพท.", owed.districts)
                        % {"n": owed.districts}, reverse("reporting:central_list"), "table")
    else:
        step = NextStep(_("ดูรายการรับรองผลทั้งหมด"), f"{queue_url}?round={round_.pk}", "list-check")
    return {
        "round": round_, "rounds": _in_progress(rounds, round_, now), "counts": queue.counts,
        "count_rows": _count_rows(queue.counts), "total": queue.total, "awaiting": awaiting,
        "new_data": new_data, "inbox": inbox, "owed": owed, "next_step": step, "queue_url": queue_url,
    }


def _administrator(now: datetime) -> dict:
    """Queries: the rounds with entries (1) and their calendar (1), their counts (1), the sweep's latest run (1),
    the central data owed (1)."""
    rounds = Round.with_due_at(report_rounds())
    round_ = current_round(rounds, now)
    clocks = _in_progress(rounds, round_, now)
    counts = rounds_status_counts(clock.round.pk for clock in clocks)
    for clock in clocks:
        clock.counts = counts[clock.round.pk]
        clock.count_rows = _count_rows(clock.counts)
        clock.overdue = clock.certification_left is None and clock.counts[Entry.Status.AWAITING] > 0
    owed = central_data_owed(clock.round.pk for clock in clocks if clock.has_opened
                             and now <= clock.round.central_closes_at)
    for clock in clocks:
        clock.owed = owed.get(clock.round.pk, [])
    run = last_sweep_run()
    late_after = timedelta(seconds=settings.KRS_SWEEP_SECONDS * SWEEP_LATE_INTERVALS)
    sweep_late = run is None or now - run.started_at > late_after
    sweep_failed = run is not None and run.outcome == SweepRun.Outcome.FAILED
    overdue = next((clock for clock in clocks if clock.overdue), None)
    if sweep_failed or sweep_late:
        step = NextStep(_("ตรวจสอบการทำงานตามกำหนดเวลา"), reverse("certification:deadlines"), "exclamation-triangle")
    elif overdue is not None:
        step = NextStep(_("ดูรายการที่ยังไม่รับรองเมื่อพ้นกำหนดรับรองผล"),
                        reverse("certification:overdue", args=[overdue.round.pk]), "hourglass-bottom")
    else:
        step = NextStep(_("ดูผลการประเมินระดับประเทศ"), reverse("reports:national"), "bar-chart")
    return {"round": round_, "rounds": clocks, "sweep": run, "sweep_late": sweep_late, "sweep_failed": sweep_failed,
            "next_step": step}


def _executive(now: datetime) -> dict:
    """Queries: the filters of the national results (2), the ranking (12)."""
    filters = report_filters(now=now)
    summary = national_summary(filters) if filters.round else None
    return {"round": filters.round, "filters": filters, "summary": summary,
            "count_rows": _count_rows(summary.counts) if summary else [],
            "next_step": NextStep(_("ดูผลการประเมินระดับประเทศ"), reverse("reports:national"), "bar-chart")}


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role's home: its round(s) with the time left, counts by status, what needs action, one next step."""
    user = request.user
    now = timezone.now()
    context = {"today": timezone.localdate(), "now": now}
    if permissions.is_district_reporter(user):
        context.update(role="district", home=_district(user, now))
    elif permissions.is_bureau_certifier(user):
        context.update(role="bureau", home=_bureau(user, now))
    elif permissions.is_administrator(user):
        context.update(role="administrator", home=_administrator(now))
    elif permissions.is_executive(user):
        context.update(role="executive", home=_executive(now))
    else:
        context.update(role="", home={})
    context["is_administrator"] = permissions.is_administrator(user)
    return render(request, "krs/home.html", context)
