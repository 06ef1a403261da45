"""The pages every user shares: notifications and the error pages (the home page is ``certification.home_views``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone

from krs.models import Notification


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; unread ones stand out. POST marks them all read."""


    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("notifications")
    page = Paginator(mine.order_by("-created_at", "-pk"), 30).get_page(request.GET.get("page"))
    return render(request, "krs/notifications.html", {"page": page})


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the error may be the database itself.

    return HttpResponse(loader.get_template("500.html").render(), status=500)
