"""The project's URLs plus a view that does nothing but answer with a page-sized body.

``/bench/floor/`` reaches it through Django's two basic middlewares only (the floor,
``tests.benchmarks.floor``); ``/bench/bare/`` through the project's whole stack.
"""

import os

from django.http import HttpResponse
from django.urls import path

from liveblog.urls import urlpatterns as project_urlpatterns

BODY = b"x" * int(os.environ.get("BENCH_BARE_SIZE", "50000"))


def bare(request):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/floor/", bare), path("bench/bare/", bare), *project_urlpatterns]
