"""Errors as the API sends them: ``application/problem+json`` (RFC 9457), with field messages.

Endpoints raise ``Problem``; ``install(api)`` makes every other error the API meets
(a body that does not validate, a missing object, a refused permission, a login that
is not one) one of these, so a client reads every error the same way.
"""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, HttpError, ValidationError

MEDIA_TYPE = "application/problem+json"


class Problem(Exception):
    """An answer other than success: its status, what went wrong, and what to send instead."""

    def __init__(self, status, detail, *, errors=(), current=None, headers=None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)
        self.current = current
        self.headers = headers or {}


def respond(problem):
    body = {
        "type": "about:blank",
        "title": HTTPStatus(problem.status).phrase,
        "status": problem.status,
        "detail": problem.detail,
        "errors": [{"field": field, "message": message} for field, message in problem.errors],
    }
    if problem.current is not None:
        body["current"] = problem.current
    response = JsonResponse(body, status=problem.status, content_type=MEDIA_TYPE)
    for name, value in problem.headers.items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response


def _field(location):
    """``"authors.0"`` from pydantic's location ``("body", "payload", "authors", 0)``."""
    parts = [str(part) for part in location]
    while parts and parts[0] in ("body", "payload", "query", "path", "form", "file", "header"):
        parts.pop(0)
    return ".".join(parts) or "body"


def install(api):
    @api.exception_handler(Problem)
    def problem(request, exc):
        return respond(exc)

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        errors = [(_field(error.get("loc", ())), error.get("msg", "Invalid.")) for error in exc.errors]
        return respond(Problem(422, "Some fields are not valid: see errors.", errors=errors))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        detail = "Send a token (Authorization: Bearer <token>) or sign in to the newsroom."
        return respond(Problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="liveblog"'}))

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return respond(Problem(exc.status_code, str(exc.message)))

    @api.exception_handler(MultiPartParserError)
    def unreadable(request, exc):
        return respond(Problem(400, f"The form data cannot be read: {exc}"))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(Problem(404, str(exc) or "Not found."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return respond(Problem(403, str(exc) or "You may not do this."))
