from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "coverage"
    verbose_name = _("Live coverage")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import desk, site  # noqa: F401  (the desk's login signals; the checks)
