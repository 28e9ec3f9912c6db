"""The HTTP API, version 1 (``/api/v1/``): read live coverage anywhere, post it from anywhere.

Built with django-ninja: the OpenAPI schema (``/api/v1/schema/``) is made from the same
types that check every request and shape every answer (``schemas``), and the
interactive documentation (``/api/v1/docs/``) is served from the site's own static
files. ``reading`` answers anyone, as readers' pages do; ``writing`` answers the
newsroom (``auth``) through the services, with versioned writes. Errors are
``application/problem+json`` (``problems``).
"""

from ninja import NinjaAPI

from . import problems, reading, writing  # noqa: F401 (writing adds its operations to the router)

DESCRIPTION = """\
Live coverage as data: stories, their updates (newest first, by cursor pages) and authors,
for anyone; writes for the newsroom, with an API token made in the admin
(`Authorization: Bearer <token>`) or the admin's signed-in session (with its CSRF token).

A change to a story or an update sends `If-Match` with the ETag its read gave
(`"update-12-v3"`); a write without it is refused with 428, one based on an older version
with 412, and both carry the current version in `current`. Errors are
`application/problem+json`, with a message per field in `errors`.
"""


class Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for path in schema["paths"].values():
            for operation in path.values():
                _describe_versioning(operation)
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        answer["content"] = {problems.MEDIA_TYPE: content.pop("application/json")}
        return schema


def _describe_versioning(operation):
    if "412" not in {str(status) for status in operation.get("responses", {})}:
        return
    operation.setdefault("parameters", []).append(
        {
            "name": "If-Match",
            "in": "header",
            "required": False,
            "description": "The ETag of the version this write is based on (required: 428 without it).",
            "schema": {"type": "string"},
        }
    )


api = Api(
    title="liveblog API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
)
problems.install(api)
api.add_router("", reading.router)  # with the operations of writing on it


def urls():
    """The API's URL patterns, with its shareable reads marked for the page cache."""
    patterns, app_name, namespace = api.urls
    return reading.mark_shared(patterns), app_name, namespace
