"""The deadlines page (administrators): the rounds' deadlines and what the sweep did, a button to run it now,
and the entries still awaiting certification after a round's certification deadline."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certification.selectors import central_data_owed
from indicators.models import Round
from krs import permissions
from reporting.deadlines import STEP_LABELS, sweep
from reporting.models import SYSTEM_GIVEN, Entry, ReportLateness, SweepRun

RUNS_PAGE = 25


def _administrator(request: HttpRequest) -> None:
    if not permissions.is_administrator(request.user):
        raise PermissionDenied(_("เฉพาะผู้ดูแลระบบ (กพร.สพฐ.)"))


@login_required
@require_GET
def deadlines(request: HttpRequest) -> HttpResponse:
    """Each round's deadlines and markers with its entry counts (2 queries), the bureaus still owing central data
    in rounds whose central window is open (1 query), then the sweep's runs, newest first."""
    _administrator(request)
    rounds = (
        Round.objects.select_related("fiscal_year").order_by("-fiscal_year__year", "-months")
        .annotate(
            entries_total=Count("entries"),
            not_reported=Count("entries", filter=Q(entries__status=Entry.Status.NOT_REPORTED)),
            system_scored=Count("entries", filter=Q(entries__status__in=SYSTEM_GIVEN)),
            awaiting=Count("entries", filter=Q(entries__status=Entry.Status.AWAITING)),
            late=Count("entries", filter=Q(entries__late_days__isnull=False)),
            # Report scope (seed 002's default): the districts' reports recorded late, not entries.
            late_reports=Coalesce(Subquery(
                ReportLateness.objects.filter(round=OuterRef("pk"), late_days__gt=0).order_by()
                .values("round").annotate(n=Count("pk")).values("n")), 0),
        )
    )
    rounds = Round.with_due_at(rounds)  # the deadlines moved off holidays (1 query)
    now = timezone.now()
    owed = central_data_owed(r.pk for r in rounds if r.opened_at and not r.central_closed_at and now <= r.central_closes_at)
    for round_ in rounds:
        round_.central_owed = owed.get(round_.pk, [])
    page = Paginator(SweepRun.objects.select_related("by"), RUNS_PAGE).get_page(request.GET.get("page"))
    for run in page:
        run.lines = [(STEP_LABELS.get(change["step"], change["step"]), change["round"], change["count"]) for change in run.steps]
    return render(request, "certification/deadlines.html", {
        "rounds": rounds, "page": page, "now": now, "sweep_seconds": settings.KRS_SWEEP_SECONDS,
    })


@login_required
@require_POST
def deadlines_run(request: HttpRequest) -> HttpResponse:
    """Run the sweep now, in this request (a few statements per round), and say what it did."""
    _administrator(request)
    run = sweep(trigger=SweepRun.Trigger.BUTTON, by=request.user)
    if run.outcome == SweepRun.Outcome.SKIPPED:
        messages.warning(request, _("มีการทำงานตามกำหนดเวลากำลังทำอยู่ จึงไม่ได้ทำซ้ำ ลองใหม่อีกครั้งเมื่อเสร็จแล้ว"))
    elif run.outcome == SweepRun.Outcome.FAILED:
        messages.error(request, _("ทำงานเสร็จแต่มีข้อผิดพลาด: %(errors)s") % {"errors": run.errors})
    elif run.changed:
        messages.success(request, _("ทำงานตามกำหนดเวลาแล้ว: เปลี่ยน %(n)d รายการ") % {"n": run.changed})
    else:
        messages.info(request, _("ทำงานตามกำหนดเวลาแล้ว: ไม่มีสิ่งใดถึงกำหนด"))
    return redirect("certification:deadlines")


@login_required
@require_GET
def overdue(request: HttpRequest, round_id: int) -> HttpResponse:
    """The round's entries still awaiting certification (seed 000: the performance group decides what next)."""
    _administrator(request)
    round_ = get_object_or_404(Round.objects.select_related("fiscal_year"), pk=round_id)
    entries = (
        Entry.objects.filter(round=round_, status=Entry.Status.AWAITING)
        .select_related("office", "indicator__owner").order_by("reported_at", "office__code", "indicator__code")
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "certification/overdue.html", {
        "round": round_, "page": page, "past_deadline": timezone.now() > round_.certification_deadline,
    })
