"""The floor for throughput figures: Django itself, with only SecurityMiddleware and CommonMiddleware.

``application`` is what the throughput benchmark's gunicorn serves: paths under
``/bench/floor/`` go to a Django handler whose middleware is those two alone (the
view returns bytes as large as the story page, ``tests.benchmarks.urls``); every
other path goes to the project as deployed. Same processes, same workers, same
settings otherwise, so each round compares our pages with what Django costs at least.
"""

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

FLOOR_PREFIX = "/bench/floor/"
FLOOR_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]


class FloorHandler(WSGIHandler):
    """Django's WSGI handler with the floor's middleware instead of the project's."""

    def load_middleware(self, is_async=False):
        project_middleware = settings.MIDDLEWARE
        settings.MIDDLEWARE = FLOOR_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = project_middleware


project = get_wsgi_application()
floor = FloorHandler()


def application(environ, start_response):
    handler = floor if environ.get("PATH_INFO", "").startswith(FLOOR_PREFIX) else project
    return handler(environ, start_response)
