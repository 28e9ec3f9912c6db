"""Settings for benchmark servers: the project's own, plus a bare view to compare against."""

from liveblog.settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.urls"
