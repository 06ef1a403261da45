"""Writes of the API app: issuing and revoking tokens, finding the token of a request, counting its calls.

A token is ``krs_`` + 43 characters of ``secrets.token_urlsafe(32)`` (256 random bits). Only its
SHA-256 digest is stored, unique and indexed: a request's token is found by the digest of what it
sent, so no stored secret is ever compared character by character (nothing to time), and a leaked
database holds no usable token. With this much entropy a plain hash is enough; a slow password hash
would only make every API call slow.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from api.models import ApiCall, ApiToken

TOKEN_PREFIX = "krs_"
SHOWN_PREFIX = 12  # "krs_" and 8 characters of the secret
# last_used_at is written at most this often per token (seconds): one UPDATE a minute, not one a call.
LAST_USED_RESOLUTION = 60


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    secret: str  # shown once, never stored


def token_issue(*, name: str, user, scope: str, office=None, expires_at: datetime | None = None,
                created_by=None) -> Issued:
    """A new token for ``user``: the model row (digest only) and the secret to hand over once."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, user=user, scope=scope, office=office, expires_at=expires_at, created_by=created_by,
                     prefix=secret[:SHOWN_PREFIX], digest=digest_of(secret))
    token.full_clean()
    token.save()
    return Issued(token, secret)


def token_set_secret(token: ApiToken) -> str:
    """Give an unsaved token (the admin's add form) a fresh secret; the secret is returned, its digest kept."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token.prefix, token.digest = secret[:SHOWN_PREFIX], digest_of(secret)
    return secret


def tokens_revoke(*, ids, by, now: datetime | None = None) -> int:
    """Revoke tokens at once: the next call with any of them is refused (no cache stands in between)."""
    now = now or timezone.now()
    return ApiToken.objects.filter(pk__in=list(ids), revoked_at__isnull=True).update(revoked_at=now, revoked_by=by)


def token_for_secret(secret: str, now: datetime) -> ApiToken | None:
    """The usable token whose secret this is (1 query), or None: unknown, revoked, expired or its user inactive."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (ApiToken.objects.select_related("user__office", "office")
             .filter(digest=digest_of(secret)).first())
    if token is None or not token.is_usable(now):
        return None
    return token


def token_touch(token: ApiToken, now: datetime) -> None:
    """Record that the token was used (at most once a minute per token)."""
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def rate_limit_check(token: ApiToken, now: datetime) -> None:
    """Count the call in the token's fixed window; RateLimited (with the seconds left) past the limit.

    The counter lives in Django's cache (Redis in production: ``cache.incr`` is atomic there, and every
    web worker shares it). ``cache.add`` starts a window once; a window's key expires with it.
    """
    window = settings.KRS_API_RATE_WINDOW_SECONDS
    started = int(now.timestamp()) // window * window
    key = f"krs:api-rate:{token.pk}:{started}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        count = 1
    if count > settings.KRS_API_RATE_LIMIT:
        raise RateLimited(max(1, started + window - int(now.timestamp())))


def call_record(*, token: ApiToken, method: str, path: str, status: int, address: str | None,
                now: datetime | None = None) -> ApiCall:
    """The audit row of one call, written after the call's own transaction (a refused batch is logged too)."""
    return ApiCall.objects.create(token=token, user_id=token.user_id, at=now or timezone.now(), method=method[:10],
                                  path=path[:500], status=status, address=address or None)
