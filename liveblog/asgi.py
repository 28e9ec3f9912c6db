"""ASGI config for liveblog: exposes the module-level ``application``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liveblog.settings")

application = get_asgi_application()
