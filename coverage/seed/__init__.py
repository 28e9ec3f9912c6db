"""The seed format: plain-text snapshots of live pages, read in and written back.

The pipeline, one module a step::

    text ──parse──▶ Document ──load──▶ Story, Updates, Authors, Images
      ▲                                          │
      └──────────────────export──────────────────┘

- ``names``: who a byline line names (one name or several run together, in any
  script). Pure text rules.
- ``parse``: the document's text to a ``Document`` (``document``: plain
  dataclasses), or a ``SeedError`` naming ``file:line``. No database, no models.
- ``load``: a ``Document`` to the database, in one transaction, writing only
  through ``coverage.services`` (revisions record the seed as the writer); the
  newsroom's changes since the last load win unless ``force``.
- ``export``: a story back to the format; a freshly loaded story exports as
  its document.

``manage.py seed`` and ``manage.py export_story`` are the thin commands over
``parse.parse_file`` + ``load.load`` and ``export.export_story``. This package
imports nothing itself, so ``parse`` can be used without Django's models.
"""
