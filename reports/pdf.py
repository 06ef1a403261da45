"""Printable pages as PDF: a template extending reports/print_base.html, through WeasyPrint.

WeasyPrint lays out HTML and CSS with Pango and HarfBuzz, so Thai vowels and tone marks stack as they
should (reportlab does not shape Thai). It needs the system Pango library; where it is missing,
``pdf_response`` answers a Thai page with status 503 instead of a traceback. Fonts and stylesheets are
read from the static files on disk by ``StaticFilesFetcher``; every other URL is refused, so making a
PDF never touches the network. See docs/printing.md.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import posixpath
import re
import unicodedata
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.template.loader import render_to_string
from django.utils._os import safe_join

from reports import pdf_text

logger = logging.getLogger(__name__)

_CONTENT_TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf", ".svg": "image/svg+xml"}

_UNAVAILABLE = """{% extends "base.html" %}{% load i18n %}
{% block title %}{% translate "ยังสร้างไฟล์ PDF ไม่ได้" %}{% endblock %}
{% block content %}
<h1 class="h3">{% translate "ยังสร้างไฟล์ PDF ไม่ได้" %}</h1>
<p>{% translate "เครื่องแม่ข่ายยังไม่ได้ติดตั้งโปรแกรมที่ใช้สร้างไฟล์ PDF กรุณาแจ้งผู้ดูแลระบบ" %}</p>
<p>{% translate "ระหว่างนี้ เปิดหน้ารายงานแล้วใช้คำสั่งพิมพ์ของเบราว์เซอร์ (Ctrl+P) เพื่อพิมพ์หรือบันทึกเป็น PDF ได้" %}</p>
{% endblock %}"""


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (Pango) cannot be loaded on this machine."""


class RefusedURL(ValueError):
    """A URL a PDF may not load: anything but this site's static files."""


def load_weasyprint():
    """The weasyprint module, or PdfUnavailable when it or the Pango library it loads at import is missing."""
    try:  # Lazy: WeasyPrint loads the system Pango library at import, which a server without it lacks.
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: cffi could not open libpango / libgobject
        raise PdfUnavailable(str(exc)) from exc
    return weasyprint


def static_file_for_url(url: str, *, origin: str) -> str:
    """The file on disk that a static URL of this site names; RefusedURL for every other URL.

    ``origin`` is the page's own ``scheme://host/``; a STATIC_URL with its own host is accepted too.
    """
    parts = urlsplit(url)
    static = urlsplit(settings.STATIC_URL)
    allowed_origins = {_origin(origin)}
    if static.netloc:
        allowed_origins.add((static.scheme.lower(), static.netloc.lower()))
    if (parts.scheme.lower(), parts.netloc.lower()) not in allowed_origins:
        raise RefusedURL(f"not this site's static files: {url}")
    prefix = static.path if static.path.endswith("/") else static.path + "/"
    path = unquote(parts.path)
    if not path.startswith(prefix):
        raise RefusedURL(f"not under {prefix}: {url}")
    name = path[len(prefix):]
    if not name or "\x00" in name or ".." in name.split("/") or posixpath.isabs(name):
        raise RefusedURL(f"not a static file name: {url}")
    found = finders.find(name)  # development: app and project static folders
    if not found and settings.STATIC_ROOT:  # production: collectstatic's (hashed) copies
        try:
            candidate = safe_join(str(settings.STATIC_ROOT), name)
        except SuspiciousFileOperation as exc:
            raise RefusedURL(f"outside STATIC_ROOT: {url}") from exc
        if os.path.isfile(candidate):
            found = candidate
    if not found:
        raise RefusedURL(f"no such static file: {url}")
    return found


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def static_files_fetcher(*, origin: str):
    """A WeasyPrint URL fetcher that serves this site's static files from disk and refuses the rest."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # lazy, as load_weasyprint

    class StaticFilesFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):  # inline data carries no request
                return super().fetch(url, headers)
            path = static_file_for_url(url, origin=origin)
            content_type = _CONTENT_TYPES.get(posixpath.splitext(path)[1].lower())
            content_type = content_type or mimetypes.guess_type(path)[0] or "application/octet-stream"
            with open(path, "rb") as file:
                body = file.read()
            if content_type.startswith("font/"):  # the Thai face with a glyph of its own for sara am's sara aa
                fixed = pdf_text.pdf_font(body)
                if fixed is not body:
                    body, content_type = fixed, "font/ttf"
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return StaticFilesFetcher(allowed_protocols=("http", "https", "data"))


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the real (Thai) name per RFC 5987/6266."""
    filename = re.sub(r"[\x00-\x1f\x7f/\\]+", "-", filename).strip() or "report.pdf"
    ext_match = re.search(r"\.[A-Za-z0-9]{1,8}$", filename)
    ext = ext_match.group() if ext_match else ""
    stem = unicodedata.normalize("NFKD", filename[: len(filename) - len(ext)]).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._") or "report"
    return f"attachment; filename=\"{stem}{ext}\"; filename*=UTF-8''{quote(filename, safe='')}"


def render_pdf(html: str, *, base_url: str) -> bytes:
    """PDF bytes from HTML whose static files are resolved against ``base_url`` (this site's root)."""
    weasyprint = load_weasyprint()
    pdf_text.install(weasyprint.pdf)  # each glyph's text from the font (reports/pdf_text.py)
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=static_files_fetcher(origin=base_url))
    return document.write_pdf()


def pdf_response(request: HttpRequest, template_name: str, context: dict, *, filename: str) -> HttpResponse:
    """The template rendered with the request as a PDF download; a Thai 503 page when PDFs cannot be made."""
    html = render_to_string(template_name, context, request=request)
    try:
        pdf = render_pdf(html, base_url=request.build_absolute_uri("/"))
    except PdfUnavailable as exc:
        logger.error("PDF unavailable (install Pango, docs/printing.md): %s", exc)
        page = engines["django"].from_string(_UNAVAILABLE).render({}, request)
        return HttpResponse(page, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "no-store"  # scores of named offices: never left in a shared cache
    return response
