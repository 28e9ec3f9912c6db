"""Versioned rows: a save that would overwrite someone else's newer save is refused.

Stories and updates carry a ``version``. ``write_versioned`` writes every column
of an instance only if its row still has the version the instance was loaded
with, and bumps it in the same UPDATE statement; otherwise ``StaleEdit`` is
raised and nothing is written. That makes "two people saved the same update"
impossible to slip through, whatever the database and however close the two
saves are.
"""

from ..models import Update

# Columns a versioned save never writes: set once, the seed's own bookkeeping, or kept by
# other services (a story's count of approved comments, the embeds' descriptions).
UNWRITTEN = ("created_at", "seed_positions", "comments_shown", "embeds")


class StaleEdit(Exception):
    """The row was saved by someone else since this instance was loaded."""

    def __init__(self, instance):
        self.instance = instance
        super().__init__(
            f"{instance._meta.verbose_name} {instance.pk} changed since version {instance.version}"
        )


def write_versioned(instance, now):
    """UPDATE every column of ``instance`` if its row still has ``instance.version``.

    The instance then holds what was written (its new version, its ``auto_now``
    times). Raises ``StaleEdit`` if the row has another version. What readers'
    caches drop is the caller's to say (``readers.after_write``).
    """
    model = type(instance)
    values = {
        field.attname: getattr(instance, field.attname)
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in UNWRITTEN
    }
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            values[field.attname] = now
    values["version"] = instance.version + 1
    written = model.objects.filter(pk=instance.pk, version=instance.version).update(**values)
    if written != 1:
        raise StaleEdit(instance)
    for name, value in values.items():
        setattr(instance, name, value)
    if isinstance(instance, Update):
        instance._remember_stored_state()
