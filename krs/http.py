"""Small request helpers every app's views share."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def posted_next(request: HttpRequest, default: str) -> str:
    """The page a form came from (its ``next`` field) if it is on this site, else ``default``.

    An outside address is never followed: a crafted ``next`` cannot send a user off-site.
    """
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default
