"""The report pages: a district's scorecard (with its print and PDF), the national results, the progress page.

Who sees what (checked here, on the server; docs/reports.md):
- a scorecard (``krs.permissions.may_view_scorecard``): the district's own reporters, administrators and
  executives; for anyone else the district's scorecard does not exist (404);
- the national results and the progress page: administrators and executives (403 for everyone else),
  except that a bureau certifier sees the progress of its own bureau's indicators;
- the handbook of a published framework (``krs.permissions.may_read_handbook``): every district and bureau,
  administrators and executives; a draft framework has no handbook (404).
"""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from indicators.models import Indicator
from indicators.selectors import current_round
from krs.models import Office
from krs.permissions import (
    is_bureau_certifier,
    is_district_reporter,
    may_configure,
    may_read_handbook,
    may_view_national_results,
    may_view_scorecard,
)
from reporting.selectors import rounds_for_office
from reports import charts, common, exports, handbook, national, progress, scorecard
from reports.pdf import pdf_response

RANKING_PAGE_SIZE = 250  # every district (about 245) on one page; 30,000 schools take pages


def _scorecard_for(request: HttpRequest, office_id: int, round_id: int) -> scorecard.Scorecard:
    """The scorecard, or 404 for anyone who may not see the district, or a round it has no entries in."""
    office = get_object_or_404(Office, pk=office_id, kind__in=Office.DISTRICT_KINDS)
    if not may_view_scorecard(request.user, office):
        raise Http404
    rounds = scorecard.office_rounds(office)
    round_ = next((r for r in rounds if r.pk == round_id), None)
    if round_ is None:
        raise Http404(_("ไม่มีรายการรายงานผลของหน่วยงานนี้ในรอบนี้"))
    return scorecard.scorecard(office=office, round_=round_, framework_id=request.GET.get("framework"), rounds=rounds)


def _national(request: HttpRequest) -> common.Filters:
    if not may_view_national_results(request.user):
        raise PermissionDenied(_("หน้านี้สำหรับผู้ดูแลระบบและผู้บริหาร"))
    return common.report_filters(round_id=request.GET.get("round"), framework_id=request.GET.get("framework"),
                                  kind=request.GET.get("kind", ""))


def _format(fmt: str) -> str:
    if fmt not in exports.FORMATS:
        raise Http404
    return fmt


# --- The scorecard -----------------------------------------------------------------------------------


@login_required
@require_GET
def scorecard_home(request: HttpRequest) -> HttpResponse:
    """A district's reporter goes to its own scorecard in its current round; administrators to the ranking."""
    user = request.user
    if is_district_reporter(user):
        round_ = current_round(rounds_for_office(user.office))
        if round_ is None:
            return render(request, "reporting/no_round.html", {"office": user.office})
        return redirect("reports:scorecard", office_id=user.office_id, round_id=round_.pk)
    if may_view_national_results(user):
        return redirect("reports:national")
    raise PermissionDenied(_("หน้านี้สำหรับ สพท. ผู้ดูแลระบบ และผู้บริหาร"))


def _scorecard_charts(card: scorecard.Scorecard) -> dict:
    rounds = charts.line([(_("คะแนนรวมถ่วงน้ำหนัก"), [(str(r.label), score) for r, score in
                                                       zip(card.year_rounds, card.year_overall, strict=True)])],
                         label=_("คะแนนรวมถ่วงน้ำหนักรายรอบ"))
    weeks = charts.line([(_("คะแนนรวมถ่วงน้ำหนัก"), [(w.week.strftime("%d/%m"), w.overall) for w in card.weeks])],
                        label=_("คะแนนรวมถ่วงน้ำหนักรายสัปดาห์")) if card.weeks else ""
    return {"rounds_chart": rounds, "weeks_chart": weeks}


@login_required
@require_GET
def scorecard_view(request: HttpRequest, office_id: int, round_id: int) -> HttpResponse:
    card = _scorecard_for(request, office_id, round_id)
    return render(request, "reports/scorecard.html", {
        "card": card, "statuses": common.statuses(), "framework_query": _framework_query(card),
        **_scorecard_charts(card),
    })


def _framework_query(card: scorecard.Scorecard) -> str:
    return f"?framework={card.framework.pk}" if card.framework else ""


@login_required
@require_GET
def scorecard_export(request: HttpRequest, office_id: int, round_id: int, table: str, fmt: str) -> HttpResponse:
    fmt = _format(fmt)
    build = exports.SCORECARD_TABLES.get(table)
    if build is None:
        raise Http404
    card = _scorecard_for(request, office_id, round_id)
    data, filename = build(card)
    return exports.response(data, fmt, filename)


def _print_context(card: scorecard.Scorecard) -> dict:
    return {"card": card, "printed_at": timezone.now(), "statuses": common.statuses(),
            "rounds_chart": _scorecard_charts(card)["rounds_chart"]}


@login_required
@require_GET
def scorecard_print(request: HttpRequest, office_id: int, round_id: int) -> HttpResponse:
    """The scorecard as an official Thai report, for the browser's print (static/css/print.css)."""
    card = _scorecard_for(request, office_id, round_id)
    return render(request, "reports/scorecard_print.html", _print_context(card))


@login_required
@require_GET
def scorecard_pdf(request: HttpRequest, office_id: int, round_id: int) -> HttpResponse:
    """The same printable scorecard as a PDF file (reports/pdf.py), named by office, round and framework."""
    card = _scorecard_for(request, office_id, round_id)
    filename = f"scorecard-{card.office.code}-{card.round.fiscal_year.year}-{card.round.months}m"
    if card.framework:  # the agreement and PMQA of one round are two files
        filename += "-" + (re.sub(r"[^A-Za-z0-9._-]", "", card.framework.code) or str(card.framework.pk))
    filename += ".pdf"
    return pdf_response(request, "reports/scorecard_print.html", _print_context(card), filename=filename)


# --- The handbook of a framework ---------------------------------------------------------------------


def _handbook_reader(request: HttpRequest) -> None:
    if not may_read_handbook(request.user):
        raise PermissionDenied(_("หน้านี้สำหรับ สพท. สำนัก ผู้ดูแลระบบ และผู้บริหาร"))


@login_required
@require_GET
def handbook_list(request: HttpRequest) -> HttpResponse:
    """The published frameworks, newest fiscal year first, each with its handbook page and PDF."""
    _handbook_reader(request)
    return render(request, "reports/handbook_list.html", {"frameworks": list(handbook.handbook_frameworks())})


@login_required
@require_GET
def handbook_view(request: HttpRequest, framework_id: int) -> HttpResponse:
    """A published framework read-only: groups, weights and every indicator's KPI template."""
    _handbook_reader(request)
    book = handbook.handbook(handbook.published_framework(framework_id))
    return render(request, "reports/handbook.html", {
        "book": book, "Method": Indicator.Method, "may_configure": may_configure(request.user)})


@login_required
@require_GET
def handbook_pdf(request: HttpRequest, framework_id: int) -> HttpResponse:
    """The same handbook as a PDF file named by the framework's code and fiscal year (reports/pdf.py)."""
    _handbook_reader(request)
    book = handbook.handbook(handbook.published_framework(framework_id))
    context = {"book": book, "Method": Indicator.Method, "printed_at": timezone.now()}
    return pdf_response(request, "reports/handbook_print.html", context, filename=book.filename)


# --- National results ----------------------------------------------------------------------------------


def _national_context(request, filters: common.Filters, tab: str) -> dict:
    return {"filters": filters, "tab": tab, "statuses": common.statuses(),
            "kinds": [(k, label) for k, label in Office.Kind.choices if k in Office.DISTRICT_KINDS]}


def _sort_headers(filters: common.Filters, sort: str) -> list[dict]:
    """The ranking's column headers, each a link that sorts by it (again: the other way round)."""
    columns = [("rank", _("อันดับ"), True), ("code", _("รหัส"), False), ("name", _("หน่วยงาน"), False),
               ("overall", _("คะแนนรวมถ่วงน้ำหนัก"), True),
               *((value, str(label), True) for value, label in common.statuses()), ("total", _("รวม"), True)]
    key, descending = sort.lstrip("-"), sort.startswith("-")
    headers = []
    for column, label, numeric in columns:
        current = column == key
        if current:
            target = column if descending else f"-{column}"
        else:
            # Scores and counts read best from the top down; rank, codes and names from the top up.
            target = f"-{column}" if numeric and column != "rank" else column
        aria = ("descending" if descending else "ascending") if current else None
        headers.append({"key": column, "label": label, "numeric": numeric, "current": current,
                        "descending": descending, "aria": aria,
                        "href": f"?{filters.query}&sort={target}" if filters.query else f"?sort={target}"})
    return headers


@login_required
@require_GET
def national_view(request: HttpRequest) -> HttpResponse:
    """Every district ranked by its overall score, sortable, with its counts by status."""
    filters = _national(request)
    sort = request.GET.get("sort", "rank")
    if sort.lstrip("-") not in national.SORTS:
        sort = "rank"
    ranking = national.national_ranking(filters, sort=sort)
    page = Paginator(ranking.rows, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    query = filters.query + (f"&sort={sort}" if sort != "rank" else "")
    return render(request, "reports/national.html", {
        **_national_context(request, filters, "ranking"), "ranking": ranking, "page": page, "sort": sort,
        "query": query, "headers": _sort_headers(filters, sort),
        "chart": charts.histogram(ranking.scores, label=_("การกระจายของคะแนนรวมถ่วงน้ำหนักของ สพท.")),
    })


@login_required
@require_GET
def national_indicators_view(request: HttpRequest) -> HttpResponse:
    """Per indicator: districts in each status, the average counted score and its distribution."""
    filters = _national(request)
    results = national.national_indicators(filters)
    return render(request, "reports/national_indicators.html", {
        **_national_context(request, filters, "indicators"), "results": results,
    })


@login_required
@require_GET
def national_bureaus_view(request: HttpRequest) -> HttpResponse:
    """Per bureau: its entries in each status and the age of the oldest awaiting certification."""
    filters = _national(request)
    results = national.national_bureaus(filters)
    rows = [(row.bureau.name_th if row.bureau else _("ไม่ระบุสำนัก"), row.counts) for row in results.rows]
    return render(request, "reports/national_bureaus.html", {
        **_national_context(request, filters, "bureaus"), "results": results,
        "chart": charts.stacked_bars(rows, series=[(k, str(v)) for k, v in common.statuses()],
                                     label=_("สถานะของรายการรายงานผลจำแนกตามสำนัก")),
    })


@login_required
@require_GET
def national_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    fmt = _format(fmt)
    if table not in exports.NATIONAL_TABLES:
        raise Http404
    filters = _national(request)
    if table == "ranking":
        data = national.national_ranking(filters, sort=request.GET.get("sort", "rank"))
    elif table == "indicators":
        data = national.national_indicators(filters)
    else:
        data = national.national_bureaus(filters)
    content, filename = exports.NATIONAL_TABLES[table](data)
    return exports.response(content, fmt, filename)


# --- Progress ------------------------------------------------------------------------------------------


def _progress(request: HttpRequest) -> progress.Progress:
    user = request.user
    if may_view_national_results(user):
        bureau = None
    elif is_bureau_certifier(user):
        bureau = user.office
    else:
        raise PermissionDenied(_("หน้านี้สำหรับผู้ดูแลระบบ ผู้บริหาร และสำนัก"))
    return progress.progress(round_id=request.GET.get("round"), days=request.GET.get("days"), bureau=bureau)


@login_required
@require_GET
def progress_view(request: HttpRequest) -> HttpResponse:
    """Who still has to act: districts with unreported entries, bureaus waiting longest, fix deadlines near."""
    data = _progress(request)
    return render(request, "reports/progress.html", {
        "progress": data, "own_bureau": None if may_view_national_results(request.user) else request.user.office,
    })


@login_required
@require_GET
def progress_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    fmt = _format(fmt)
    build = exports.PROGRESS_TABLES.get(table)
    if build is None:
        raise Http404
    data = _progress(request)
    if table == "unreported" and not may_view_national_results(request.user):
        raise PermissionDenied
    content, filename = build(data)
    return exports.response(content, fmt, filename)
