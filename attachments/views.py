"""Evidence files: attach, list, download, register receipt, delete, and a bureau's inbox of files to register.

Every action answers htmx with the entry's files fragment (``attachments/_files.html``, the same the
entry page and the review page include); without JavaScript it redirects back with a message.
A file or entry the user may not see is a 404; one they may see but not act on is a 403.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from attachments.models import Attachment
from attachments.rules import (
    attach_block,
    attachment_delete_block,
    may_register_attachment,
    may_view_attachment,
)
from attachments.selectors import bureau_inbox, entry_files
from attachments.services import (
    MAX_FILES_PER_ATTACH,
    AttachmentStateError,
    AttachRefused,
    attachment_delete,
    attachment_downloaded,
    attachment_register,
    attachments_add,
)
from krs import permissions
from krs.http import posted_next
from reporting.access import entry_for
from reporting.models import Entry
from reporting.selectors import bureau_rounds

logger = logging.getLogger(__name__)

# Room for the multipart framing and the other fields around the largest allowed files.
_REQUEST_SLACK = 1024 * 1024


def _attachment(request: HttpRequest, pk: int) -> Attachment:
    attachment = get_object_or_404(
        Attachment.objects.select_related("entry__indicator", "entry__round__fiscal_year", "entry__office"),
        pk=pk,
    )
    if not may_view_attachment(request.user, attachment):
        raise Http404
    return attachment


def _back(request: HttpRequest, entry: Entry, *, read_body: bool = True) -> str:
    if permissions.may_report_for(request.user, entry.office):
        default = reverse("reporting:entry_page", args=[entry.round_id]) + f"#files-{entry.pk}"
    else:
        default = reverse("certification:review", args=[entry.pk]) + f"#files-{entry.pk}"
    return posted_next(request, default) if read_body else default


def _answer(
    request: HttpRequest,
    entry: Entry,
    *,
    status: int = 200,
    notice: str = "",
    errors=(),
    description: str = "",
) -> HttpResponse:
    """The files fragment for htmx, with the answer's own status (a refusal is a 4xx that htmx swaps in, marked
    by X-KRS-Status: static/js/krs.js); else back to the page with its messages."""
    read_body = status != 413  # a body too large is never parsed
    if request.htmx:
        context = {
            "files": entry_files(entry, request.user),
            "notice": notice,
            "errors": list(errors),
            "description": description,
            "next": request.POST.get("next", "") if read_body else "",
        }
        response = render(request, "attachments/_files.html", context, status=status)
        response["X-KRS-Status"] = str(status)
        return response
    if notice:
        messages.success(request, notice)
    for error in errors:
        messages.error(request, error)
    return redirect(_back(request, entry, read_body=read_body))


def _refuse(request: HttpRequest, entry: Entry, reason: str) -> HttpResponse:
    """A 403 with the reason: in the fragment for htmx, as the error page otherwise."""
    if request.htmx:
        return _answer(request, entry, status=403, errors=[reason])
    raise PermissionDenied(reason)


def _act(request: HttpRequest, attachment: Attachment, service, notice: str) -> HttpResponse:
    """Run a file service; if someone changed the file first, say so (409) instead of acting."""
    try:
        service(attachment=attachment, user=request.user)
    except AttachmentStateError as exc:
        return _answer(request, attachment.entry, status=409, errors=[exc.message])
    return _answer(request, attachment.entry, notice=notice % {"name": attachment.original_name})


@login_required
@require_GET
def files_view(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The files fragment of one entry."""
    entry = entry_for(request.user, entry_id)
    return render(
        request,
        "attachments/_files.html",
        {"files": entry_files(entry, request.user), "next": request.GET.get("next", "")},
    )


@login_required
@require_POST
def attach(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = entry_for(request.user, entry_id)
    block = attach_block(request.user, entry, timezone.now())
    if block:
        return _refuse(request, entry, block)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.KRS_MAX_UPLOAD_BYTES * MAX_FILES_PER_ATTACH + _REQUEST_SLACK:
        # Refused before the body is read: nothing of it is written to disk.
        return _answer(request, entry, status=413, errors=[_("ไฟล์ที่เลือกรวมกันใหญ่เกินกว่าที่แนบได้ในครั้งเดียว")])
    description = request.POST.get("description", "")
    try:
        added = attachments_add(
            entry=entry, user=request.user, uploads=request.FILES.getlist("files"), description=description,
            slot=request.POST.get("slot", ""),
        )
    except AttachRefused as exc:
        return _answer(request, entry, status=422, errors=exc.errors, description=description)
    except OSError:
        logger.exception("storage failed while attaching to entry %s", entry.pk)
        return _answer(
            request,
            entry,
            status=503,
            description=description,
            errors=[_("บันทึกไฟล์ไม่สำเร็จเพราะที่เก็บไฟล์ขัดข้อง ไม่มีไฟล์ใดถูกแนบ: ลองใหม่อีกครั้ง หรือแจ้งผู้ดูแลระบบ")],
        )
    notice = ngettext("แนบไฟล์แล้ว %(n)d ไฟล์", "แนบไฟล์แล้ว %(n)d ไฟล์", len(added)) % {"n": len(added)}
    return _answer(request, entry, notice=notice)


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file, always as a download under its original name, never rendered as a page."""
    attachment = _attachment(request, pk)
    try:
        handle = storages["default"].open(attachment.key, "rb")
    except OSError:
        logger.error("evidence file %s (%s) is missing from storage", attachment.pk, attachment.key)
        return render(request, "attachments/missing.html", {"attachment": attachment}, status=410)
    attachment_downloaded(attachment=attachment, user=request.user)
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser still try to show it, it runs nothing and loads nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """The owning bureau registers receipt of a district's file (ลงทะเบียนรับ)."""
    attachment = _attachment(request, pk)
    if not may_register_attachment(request.user, attachment):
        if attachment.registered_at is not None and permissions.is_bureau_certifier(request.user):
            return _answer(request, attachment.entry, status=409, errors=[_("ไฟล์นี้ลงทะเบียนรับแล้ว")])
        raise PermissionDenied(_("ลงทะเบียนรับได้เฉพาะสำนักเจ้าของตัวชี้วัด"))
    return _act(request, attachment, attachment_register, _("ลงทะเบียนรับ “%(name)s” แล้ว"))


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """The uploader deletes a file (a mark: administrators still see it) until it is registered or certified."""
    attachment = _attachment(request, pk)
    block = attachment_delete_block(request.user, attachment)
    if block:
        return _refuse(request, attachment.entry, block)
    return _act(request, attachment, attachment_delete, _("ลบ “%(name)s” แล้ว"))


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """A bureau's files to register (เอกสารรอลงทะเบียนรับ), oldest first, or those it registered."""
    if not permissions.is_bureau_certifier(request.user):
        raise PermissionDenied(_("หน้านี้สำหรับสำนักเจ้าของตัวชี้วัด"))
    bureau = request.user.office
    rounds = bureau_rounds(bureau)
    round_ = next((r for r in rounds if str(r.pk) == request.GET.get("round")), None)
    registered = request.GET.get("state") == "registered"
    page = Paginator(bureau_inbox(bureau, round_=round_, registered=registered), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "attachments/inbox.html",
        {
            "page": page,
            "rounds": rounds,
            "round": round_,
            "registered": registered,
            "bureau": bureau,
            "query": query.urlencode(),
        },
    )
