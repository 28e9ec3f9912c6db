"""WSGI config for liveblog: exposes the module-level ``application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liveblog.settings")

application = get_wsgi_application()
