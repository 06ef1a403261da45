"""The pages every user shares: notifications and the error pages (the home page is ``certification.home_views``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import cache_control

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


@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico on every page that names no icon (the admin's, a PDF): send them to the static one.

    Not a permanent redirect: the static file's name carries its hash in production, and changes with it.
    """
    return HttpResponseRedirect(static("img/favicon.ico"))


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the error may be the database itself.

    return HttpResponse(loader.get_template("500.html").render(), status=500)
