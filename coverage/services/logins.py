"""Writes of newsroom logins (``manage.py ensure_admin``)."""

from django.contrib.auth import get_user_model
from django.db import transaction

from . import readers


def ensure_admin_login(*, username, password):
    """Create, or reset, the superuser ``username`` with ``password``; returns (user, created)."""
    with transaction.atomic():
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_superuser": True}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        readers.after_write(user)
    return user, created
