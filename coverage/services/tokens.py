"""Writes of API tokens: make one (its key returned once), revoke it, note its use."""

import secrets
from datetime import timedelta

from django.utils import timezone

from ..models import ApiToken
from ..models.tokens import KEY_PREFIX, SHOWN_CHARS, digest

# A token's last use is written at most this often: not one write per API request.
USE_NOTED_EVERY = timedelta(minutes=1)


def create_token(*, user, name):
    """Make a token for ``user``: ``(token, key)``. The key is never stored nor shown again."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, shown=key[:SHOWN_CHARS], key_digest=digest(key))
    return token, key


def revoke_token(*, token, now=None):
    """Stop ``token`` working, at once and for good (it stays listed, dated)."""
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=token.revoked_at)
    return token


def revoke_tokens(*, tokens, now=None):
    """Revoke each of ``tokens`` (a queryset: the admin's action)."""
    for token in tokens:
        revoke_token(token=token, now=now)


def note_token_use(*, token, now=None):
    """Date ``token``'s last use, at most once a minute."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= USE_NOTED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
