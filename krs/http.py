"""Small request helpers every app's views share."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def posted_next(request: HttpRequest, default: str) -> str:
    """The page a form came from (its ``next`` field) if it is a path on this site, else ``default``.

    An outside address is never followed: a crafted ``next`` cannot send a user off-site.
    """
    target = request.POST.get("next", "")
    # A path on this site only: "0" or "queue" would be taken by redirect() for a view's name (a server error).
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                                  require_https=request.is_secure()):
        return target
    return default


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for login throttling (django-axes' AXES_CLIENT_IP_CALLABLE).

    Behind the TLS proxy every connection comes from the proxy, so REMOTE_ADDR would make every user one
    address; the client's is the last X-Forwarded-For entry, the one the proxy appended. Entries before it
    are whatever the client sent, so they are never used: a forged header cannot dodge the lockout.
    """
    if settings.KRS_BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")


MAX_ID = 2**63 - 1  # the largest 64-bit primary key (BigAutoField), on PostgreSQL and SQLite alike


def parse_id(text) -> int | None:
    """A database id typed into a form field or a query parameter, or None when it cannot be one.

    ASCII digits only, from 1 up to ``MAX_ID``: a longer number is no id, and passed to a query it was a
    server error on SQLite ("Python int too large to convert to SQLite INTEGER").
    """
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
