from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "coverage"
    verbose_name = "Live coverage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import site  # noqa: F401  (registers the checks)
