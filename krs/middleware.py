"""Request checks every page and the API share."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

NUL = "\x00"
MESSAGE_EN = "The request contains a NUL character (0x00), which no field accepts. Nothing was saved."


def _texts(request: HttpRequest):
    yield request.path
    for key, values in request.GET.lists():
        yield key
        yield from values
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = request.content_type or ""
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for key, values in request.POST.lists():
            yield key
            yield from values
        for key, files in request.FILES.lists():
            yield key
            yield from (f.name or "" for f in files)
    elif content_type.endswith("json"):
        # "\u0000" in a JSON string decodes to NUL; a raw NUL byte is no valid JSON text anyway.
        body = request.body
        if b"\x00" in body or b"\\u0000" in body.lower():
            yield NUL


class RefuseNulCharacters:
    """Refuse (400) a request with a NUL character in its path, a parameter, a form field or a JSON body.

    PostgreSQL cannot store NUL in text, and psycopg2 refuses even to send it in a query, so a NUL that
    reached a view reading ``request.POST`` directly (or an API field) was a server error there and a
    stored NUL on SQLite. Django's form fields already refuse it; this refuses it for everything, the same
    way on both databases, before any view runs. File contents are not checked: files are bytes.

    After ``CsrfViewMiddleware``, which has parsed the body of a POST by then.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        if not any(NUL in text for text in _texts(request)):
            return None
        message = _("คำขอมีอักขระ NUL (0x00) ซึ่งไม่มีช่องใดรับได้ ระบบไม่ได้บันทึกสิ่งใด")
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "invalid_characters", "message_th": str(message), "message_en": MESSAGE_EN,
                                 "errors": []}, status=400, json_dumps_params={"ensure_ascii": False})
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


class NoStoreHtml:
    """``Cache-Control: no-store`` (Django's ``add_never_cache_headers``) on every HTML page and fragment.

    The pages show editable state — the entry page's values and versions, the central grid, the review
    page, every form with its CSRF token — so Back must fetch them again, never show a copy from before
    a save (whose old version would then read as "someone saved before you"). A response that set its
    own ``Cache-Control`` (a download, a health check) keeps it. Static files never reach this: WhiteNoise,
    earlier in the chain, answers them first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and response.get("Content-Type", "").startswith("text/html"):
            add_never_cache_headers(response)
        return response
