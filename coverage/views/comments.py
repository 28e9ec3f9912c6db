"""Readers' comments: the CSRF token the page script asks for, and posting a comment.

The story page is shared by every reader, so it carries no CSRF token: the page
script fetches one (``comment_token``). A post without a valid token is refused
by Django's CSRF middleware as usual, and its failure view (``CSRF_FAILURE_VIEW``,
``csrf_failure`` here) shows the story again with the reader's text and a token,
to be confirmed: nothing typed is lost.
"""

from django.http import JsonResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import csrf
from django.views.decorators.http import require_GET, require_POST

from liveblog.security import client_address

from .. import comments
from .stories import public_story, render_story


@require_GET
def comment_token(request):
    """The reader's CSRF token for the comment form (sets the CSRF cookie); never cached."""
    response = JsonResponse({"token": get_token(request)})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def story_comment(request, slug):
    """Take a reader's comment: stored as pending, then back to the story (Post/Redirect/Get).

    On a mistake the story page comes back with the form, its errors and the reader's text.
    A post without a valid CSRF token never gets here: see ``csrf_failure``.
    """
    story = public_story(slug)
    form = comments.CommentForm(request.POST)
    if not comments.comments_open(story):
        form.add_error(None, _("Comments are closed on this story."))
        return _comment_again(request, slug, form, status=403)
    if not form.is_valid():
        return _comment_again(request, slug, form, status=400)
    try:
        comments.post_comment(story=story, form=form, address=client_address(request))
    except comments.RateLimited:
        form.add_error(
            None,
            _("You have sent several comments in the last few minutes. Please wait a little and try again."),
        )
        return _comment_again(request, slug, form, status=429)
    return redirect(f"{story.get_absolute_url()}?comment=received#comments")


def _comment_again(request, slug, form, *, status):
    """The story page with the reader's comment form, its errors and a CSRF token."""
    response = render_story(
        request, slug, QueryDict(), comment_form=form, status=status, csrf_token=get_token(request)
    ).response
    add_never_cache_headers(response)  # it carries this reader's CSRF token and text
    return response


def csrf_failure(request, reason=""):
    """Django's CSRF failure view (the ``CSRF_FAILURE_VIEW`` setting).

    A reader's comment posted without a valid token (no script ran, or the token
    expired) comes back on the story page with the reader's text, any mistakes and
    a fresh token, to be sent again. Every other refused request gets Django's page.
    """
    match = request.resolver_match
    if request.method != "POST" or match is None or match.view_name != "coverage:story_comment":
        return csrf.csrf_failure(request, reason)
    slug = match.kwargs["slug"]
    public_story(slug)  # no such story: 404, as the view answers
    form = comments.CommentForm(request.POST)
    form.is_valid()  # show the reader any mistakes along with the confirmation
    form.add_error(None, _("Please check your comment and press “Post comment” again to send it."))
    return _comment_again(request, slug, form, status=403)
