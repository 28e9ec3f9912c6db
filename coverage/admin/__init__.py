"""The newsroom admin, a module per subject.

- ``stories``, ``updates``, ``images``, ``clips``, ``authors``: the newsroom's work;
  ``comments``: the moderation queue; ``deleted``: seeded stories the seed
  leaves deleted; ``tokens``: API tokens, made and revoked by their owners; ``webhooks``: partners'
  endpoints and the log of what was sent to them.
- ``forms``: the admin's forms; ``versioned``: versioned editing, end to end
  (a save never silently replaces a colleague's); ``zones``: times in the
  story's zone; ``display``: what the pages share.

Who may do what is decided in ``coverage.permissions``, called from the
``has_*_permission`` methods, not by hiding buttons. Every write goes through
``coverage.services``.

Django's ``admin.autodiscover`` imports this package; importing the subject
modules here registers their ``ModelAdmin`` classes with ``admin.site``.
"""

from . import (  # noqa: F401  (registers the admins)
    authors,
    clips,
    comments,
    deleted,
    images,
    stories,
    tokens,
    updates,
    webhooks,
)
