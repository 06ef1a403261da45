"""Version 1 of the HTTP API, at /api/v1/: the endpoints, their authentication and their errors.

Every endpoint needs a token (``Authorization: Bearer krs_…``) and is recorded in ``ApiCall``. Reads
are open to read and write tokens alike, within what the token's user may see; writes need a write
token. docs/api.md explains each with curl; /api/v1/docs is the browsable reference.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import wraps

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from api import selectors, writes
from api.errors import MESSAGES, ApiError, ItemError
from api.pagination import DEFAULT_LIMIT, MAX_LIMIT, cursor_decode, cursor_encode, page_by_id, page_of_list
from api.schemas import (
    CentralBatch,
    DistrictBatch,
    EntryOut,
    EntryPage,
    EntryStatus,
    ErrorOut,
    FiscalYearPage,
    FrameworkDetailOut,
    FrameworkPage,
    IndicatorPage,
    NationalPage,
    OfficeKind,
    RoundPage,
    SavedOut,
    TokenOut,
)
from api.services import RateLimited, call_record, rate_limit_check, token_for_secret, token_touch
from indicators.models import FiscalYear, Group, Indicator, Round, Variable
from krs import permissions
from reports.common import report_filters
from reports.national import national_ranking

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """The token of the Authorization header: usable (not revoked, not expired, its user active), within its rate."""

    def authenticate(self, request, token: str):
        now = timezone.now()
        found = token_for_secret(token, now)
        if found is None:
            return None
        request.api_token = found
        rate_limit_check(found, now)
        token_touch(found, now)
        return found


api = NinjaAPI(
    title="KRS API",
    version="1",
    description=(
        "ระบบรายงานผลตัวชี้วัด (KRS) สำหรับระบบที่เชื่อมต่อและผู้เขียนสคริปต์ — "
        "the KPI Report System's API for linked systems and scripts. "
        "Every call needs `Authorization: Bearer <token>`; administrators issue tokens. "
        "Errors are JSON: `code`, `message_th`, `message_en`, `errors`. Guide with curl examples: docs/api.md."
    ),
    auth=TokenAuth(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _record(run):
    """Every call made with a token leaves an ApiCall row: token, user, method, path, status (after commit)."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        response = run(request, *args, **kwargs)
        token = getattr(request, "api_token", None)
        if token is not None:
            call_record(token=token, method=request.method, path=request.get_full_path(), status=response.status_code,
                        address=request.META.get("REMOTE_ADDR"))
        return response

    return wrapper


api.add_decorator(_record, mode="view")


def _error(request, error: ApiError):
    response = api.create_response(request, error.body(), status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return _error(request, exc)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return _error(request, ApiError("unauthorized", headers={"WWW-Authenticate": 'Bearer realm="krs"'}))


@api.exception_handler(RateLimited)
def _rate_limited(request, exc: RateLimited):
    return _error(request, ApiError("rate_limited", headers={"Retry-After": str(exc.retry_after)}))


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    errors = []
    for problem in exc.errors:
        where = ".".join(str(part) for part in problem.get("loc", ()))
        message = str(problem.get("msg", ""))
        errors.append(ItemError("invalid", f"{where}: รูปแบบไม่ถูกต้อง ({message})", f"{where}: {message}", None, where))
    return _error(request, ApiError("invalid_request", errors))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, ApiError("not_found"))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 429: "rate_limited"}.get(exc.status_code)
    if code is None:
        return api.create_response(request, {"code": "http_error", "message_th": str(exc), "message_en": str(exc),
                                             "errors": []}, status=exc.status_code)
    return _error(request, ApiError(code))


@api.exception_handler(Exception)
def _server_error(request, exc: Exception):
    logger.exception("API call failed: %s %s", request.method, request.path)
    return _error(request, ApiError("server_error"))


ERRORS = {status: ErrorOut for status in sorted({status for status, _th, _en in MESSAGES.values()} - {500})}
READ_ERRORS = {k: v for k, v in ERRORS.items() if k in (401, 403, 404, 422, 429)}


def _page(rows, next_cursor, convert) -> dict:
    return {"items": [convert(row) for row in rows], "next_cursor": next_cursor}


Limit = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page (1–{MAX_LIMIT}).")
Cursor = Query(None, max_length=200, description="`next_cursor` of the previous page.")


# --- Who am I ---------------------------------------------------------------------------------------------


@api.get("/me", response={200: TokenOut, **READ_ERRORS}, tags=["token"],
         summary="โทเคนนี้คือใคร / This token: its user, scope and office")
def me(request):
    token = request.auth
    user = token.user
    return {"name": token.name, "prefix": token.prefix, "scope": token.scope, "username": user.username,
            "role": user.role, "user_office": selectors.office_out(user.office), "office": selectors.office_out(token.office),
            "expires_at": token.expires_at}


# --- Configuration ------------------------------------------------------------------------------------------


@api.get("/fiscal-years", response={200: FiscalYearPage, **READ_ERRORS}, tags=["configuration"],
         summary="ปีงบประมาณ / Fiscal years")
def fiscal_years(request, limit: int = Limit, cursor: str | None = Cursor):
    rows, following = page_by_id(FiscalYear.objects.all(), cursor=cursor, limit=limit)
    return _page(rows, following, lambda fy: {"id": fy.pk, "year": fy.year})


@api.get("/rounds", response={200: RoundPage, **READ_ERRORS}, tags=["configuration"],
         summary="รอบการรายงาน / Reporting rounds")
def rounds(request, fiscal_year: int | None = Query(None, description="พ.ศ., e.g. 2569"),
           limit: int = Limit, cursor: str | None = Cursor):
    found = Round.objects.select_related("fiscal_year")
    if fiscal_year is not None:
        found = found.filter(fiscal_year__year=fiscal_year)
    rows, following = page_by_id(found, cursor=cursor, limit=limit)
    return _page(rows, following, selectors.round_out)


@api.get("/frameworks", response={200: FrameworkPage, **READ_ERRORS}, tags=["configuration"],
         summary="กรอบการประเมิน / Frameworks")
def frameworks(request, fiscal_year: int | None = Query(None, description="พ.ศ., e.g. 2569"),
               limit: int = Limit, cursor: str | None = Cursor):
    found = selectors.visible_frameworks(request.auth)
    if fiscal_year is not None:
        found = found.filter(fiscal_year__year=fiscal_year)
    rows, following = page_by_id(found, cursor=cursor, limit=limit)
    return _page(rows, following, selectors.framework_out)


@api.get("/frameworks/{framework_id}", response={200: FrameworkDetailOut, **READ_ERRORS}, tags=["configuration"],
         summary="กรอบการประเมินพร้อมมิติ ตัวชี้วัด และตัวแปร / A framework with its groups, indicators and variables")
def framework(request, framework_id: int):
    found = selectors.visible_frameworks(request.auth).filter(pk=framework_id).first()
    if found is None:
        raise ApiError("not_found")
    groups = [
        {"id": g.pk, "parent_id": g.parent_id, "code": g.code, "name": g.name, "level_name": g.level_name,
         "weight": selectors.text(g.weight), "order": g.order}
        for g in Group.objects.filter(framework=found).order_by("order", "code", "pk")
    ]
    indicators = selectors.indicators_out(found.indicators.order_by("order", "code", "pk"))
    return {**selectors.framework_out(found), "groups": groups, "indicators": indicators}


@api.get("/indicators", response={200: IndicatorPage, **READ_ERRORS}, tags=["configuration"],
         summary="ตัวชี้วัดพร้อมตัวแปรและเกณฑ์ / Indicators with variables and criteria")
def indicators(request, framework: int | None = Query(None, description="Framework id"),
               fiscal_year: int | None = Query(None, description="พ.ศ."),
               round: int | None = Query(None, description="Round id: indicators of that round's year assessed in it"),
               owner: str | None = Query(None, max_length=20, description="Owning bureau's office code, e.g. B-FIN"),
               code: str | None = Query(None, max_length=20, description="Indicator code, e.g. 11.2"),
               central: bool | None = Query(None, description="true: only indicators with central variables"),
               limit: int = Limit, cursor: str | None = Cursor):
    found = selectors.visible_indicators(request.auth)
    if framework is not None:
        found = found.filter(framework_id=framework)
    if fiscal_year is not None:
        found = found.filter(framework__fiscal_year__year=fiscal_year)
    if round is not None:
        round_ = Round.objects.filter(pk=round).first()
        if round_ is None:
            raise ApiError("not_found")
        found = found.filter(pk__in=_assessed_in(round_))
    if owner:
        found = found.filter(owner__code=owner)
    if code:
        found = found.filter(code=code)
    if central is not None:
        with_central = Variable.objects.filter(source=Variable.Source.CENTRAL).values("indicator_id")
        found = found.filter(pk__in=with_central) if central else found.exclude(pk__in=with_central)
    rows, following = page_by_id(found, cursor=cursor, limit=limit)
    return {"items": selectors.indicators_out(Indicator.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk")),
            "next_cursor": following}


def _assessed_in(round_: Round):
    """Ids of the indicators of the round's year assessed in it: not limited to rounds, or limited to this one."""
    through = Indicator.rounds.through
    limited_elsewhere = through.objects.exclude(
        indicator_id__in=through.objects.filter(round_id=round_.pk).values("indicator_id")).values("indicator_id")
    return Indicator.objects.filter(framework__fiscal_year_id=round_.fiscal_year_id).exclude(
        pk__in=limited_elsewhere).values("pk")


# --- Entries ---------------------------------------------------------------------------------------------------


@api.get("/entries", response={200: EntryPage, **READ_ERRORS}, tags=["entries"],
         summary="รายการรายงานผลพร้อมค่า สถานะ และคะแนน / Entries with values, status and scores")
def entries(request, round: int | None = Query(None, description="Round id"),
            office: str | None = Query(None, max_length=20, description="District office code, e.g. 1001"),
            indicator: int | None = Query(None, description="Indicator id"),
            status: EntryStatus | None = Query(None, description="Entry status"),
            changed_since: datetime | None = Query(
                None, description="Only entries changed at or after this time (ISO 8601; no offset = Asia/Bangkok). "
                                  "Entries come oldest change first, so a linked system can sync incrementally."),
            limit: int = Limit, cursor: str | None = Cursor):
    found = selectors.visible_entries(request.auth)
    if round is not None:
        found = found.filter(round_id=round)
    if office:
        found = found.filter(office__code=office)
    if indicator is not None:
        found = found.filter(indicator_id=indicator)
    if status is not None:
        found = found.filter(status=status.value)
    if changed_since is not None:
        if timezone.is_naive(changed_since):
            changed_since = timezone.make_aware(changed_since)
        found = found.filter(updated_at__gte=changed_since)
    if cursor:
        at_text, last = cursor_decode(cursor, (str, int))
        try:
            at = datetime.fromisoformat(at_text)
        except ValueError:
            raise ApiError("invalid_cursor") from None
        found = found.filter(Q(updated_at__gt=at) | Q(updated_at=at, pk__gt=last))
    rows = list(selectors.entries_for_api(found).order_by("updated_at", "pk")[: limit + 1])
    following = cursor_encode(rows[limit - 1].updated_at.isoformat(), rows[limit - 1].pk) if len(rows) > limit else None
    return _page(rows[:limit], following, selectors.entry_out)


@api.get("/entries/{entry_id}", response={200: EntryOut, **READ_ERRORS}, tags=["entries"],
         summary="รายการรายงานผลหนึ่งรายการ / One entry")
def entry(request, entry_id: int):
    found = selectors.entries_for_api(selectors.visible_entries(request.auth).filter(pk=entry_id)).first()
    if found is None:
        raise ApiError("not_found")
    return selectors.entry_out(found)


@api.post("/district-values", response={200: SavedOut, **ERRORS}, tags=["writes"],
          summary="บันทึกค่าตัวแปรของ สพท. (ทั้งชุดหรือไม่บันทึกเลย) / A district's own values, all or nothing")
def district_values(request, batch: DistrictBatch):
    return writes.district_values_save(token=request.auth, batch=batch, now=timezone.now())


@api.post("/central-values", response={200: SavedOut, **ERRORS}, tags=["writes"],
          summary="บันทึกข้อมูลส่วนกลางหลายเขตในครั้งเดียว (ทั้งชุดหรือไม่บันทึกเลย) / "
                  "A bureau's central values for many districts, all or nothing")
def central_values(request, batch: CentralBatch):
    return writes.central_values_save(token=request.auth, batch=batch, now=timezone.now())


# --- National results ---------------------------------------------------------------------------------------


@api.get("/national-results", response={200: NationalPage, **READ_ERRORS}, tags=["results"],
         summary="ผลการประเมินระดับประเทศ (เรียงลำดับ) / National results, ranked")
def national_results(request, round: int | None = Query(None, description="Round id; default: the latest opened"),
                     framework: int | None = Query(None, description="Framework id; default: the agreement"),
                     kind: OfficeKind | None = Query(None, description="primary (สพป.) or secondary (สพม.); default both"),
                     limit: int = Limit, cursor: str | None = Cursor):
    token = request.auth
    if not permissions.may_view_national_results(token.user) or token.office is not None:
        raise ApiError("forbidden")
    filters = report_filters(round_id=round, framework_id=framework, kind=kind.value if kind else "")
    if (round is not None and (filters.round is None or filters.round.pk != round)) or (
            framework is not None and (filters.framework is None or filters.framework.pk != framework)):
        raise ApiError("not_found")
    ranking = national_ranking(filters)
    rows, following = page_of_list(ranking.rows, cursor=cursor, limit=limit)
    return {
        "round_id": filters.round.pk if filters.round else None,
        "framework_id": filters.framework.pk if filters.framework else None,
        "kind": filters.kind,
        "items": [{"rank": row.rank, "office": selectors.office_out(row.office), "overall": selectors.score(row.overall),
                   "total": row.total, "counts": row.counts} for row in rows],
        "next_cursor": following,
    }

