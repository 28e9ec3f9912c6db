"""Reader comments: the form, the anti-abuse rules, and posting (stored by ``services.create_comment``)."""

from datetime import timedelta

from django import forms
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import services
from .conf import app_settings
from .models import Comment

# At most RATE_LIMIT comments per address in RATE_WINDOW seconds, counted in the comments
# table itself: every stored comment has its sender's hash and time, so one indexed count
# is exact for every worker and server, with or without Redis, and needs nothing to expire.
# (django-ratelimit counts in a cache instead; its own system check refuses the local-memory
# and database caches, the only ones there are without Redis.)
RATE_LIMIT = 5
RATE_WINDOW = 10 * 60


class ShownComments(Paginator):
    """A story's approved comments by page, oldest first, as Django's ``Paginator`` gives them,
    counted by the story (``comments_shown``) instead of a COUNT over its comments.

    A page in the later half is read from the newest end: the first and the last pages,
    those readers open, each cost one short read of an index however many comments
    there are (an OFFSET reads every comment it skips).
    """

    def __init__(self, story, per_page):
        super().__init__(story.comments.approved(), per_page)
        self.story = story

    @cached_property
    def count(self):
        return self.story.comments_shown

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if 2 * bottom <= self.count:
            return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)
        top = min(bottom + self.per_page, self.count)
        newest_first = self.object_list.reverse()[self.count - top : self.count - bottom]
        return self._get_page(list(newest_first)[::-1], number, self)


class CommentForm(forms.ModelForm):
    # A field people never see; bots fill every field they find.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    class Meta:
        model = Comment
        fields = ["name", "email", "body"]
        labels = {"name": _("Name"), "email": _("Email"), "body": _("Comment")}
        help_texts = {"email": ""}  # the form says it once, above the fields
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name", "maxlength": 100, "dir": "auto"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "body": forms.Textarea(attrs={"rows": 6, "maxlength": 5000, "dir": "auto"}),
        }
        error_messages = {
            "name": {"required": _("Please give your name.")},
            "email": {
                "required": _("Please give your email address."),
                "invalid": _("Please check your email address."),
            },
            "body": {
                "required": _("Please write a comment."),
                "max_length": _("Please keep your comment under 5,000 characters."),
            },
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(
                _("Your comment was not sent: the field “Leave this field empty” must stay empty.")
            )
        return cleaned


def client_hash(address):
    """A keyed hash of the sender's address: enough to rate-limit, useless to anyone else."""
    return salted_hmac("comment-client", address or "unknown").hexdigest()


def comments_open(story, now=None):
    """Whether ``story`` takes comments: its switch is on and it has not been over for too long."""
    if not story.comments_open or story.status == story.Status.DRAFT:
        return False
    if story.status == story.Status.ENDED:
        ended = story.coverage_end or story.updated_at
        days = app_settings.COMMENTS_CLOSE_DAYS
        return (now or timezone.now()) < ended + timedelta(days=days)
    return True


class RateLimited(Exception):
    pass


def post_comment(*, story, form, address):
    """Store a valid ``form`` as a pending comment, or raise ``RateLimited``."""
    sender = client_hash(address)
    since = timezone.now() - timedelta(seconds=RATE_WINDOW)
    if Comment.objects.filter(client_hash=sender, created_at__gte=since).count() >= RATE_LIMIT:
        raise RateLimited
    comment = form.save(commit=False)  # unsaved: the service stores it
    comment.story = story
    comment.client_hash = sender
    comment.status = Comment.Status.PENDING
    return services.create_comment(comment=comment)
