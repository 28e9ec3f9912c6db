"""Reader pages."""

from django.db.models import Max, Q
from django.shortcuts import get_object_or_404, redirect, render

from .models import Author, Story, Update


def story_list(request):
    """The front page: live stories first, then the newest.

    Template ``coverage/story_list.html``; context ``stories``.
    """
    stories = (
        Story.objects.public()
        .select_related("lead_author")
        .annotate(
            last_update_at=Max("updates__published_at", filter=Q(updates__in=Update.objects.published()))
        )
        .order_by("-status", "-last_update_at", "-created_at")
    )
    return render(request, "coverage/story_list.html", {"stories": stories})


def _public_story(slug):
    return get_object_or_404(Story.objects.public().select_related("lead_author"), slug=slug)


def story_detail(request, slug):
    """A story with its updates, newest first.

    Template ``coverage/story_detail.html``; context ``story``, ``updates``.
    A story's old source slug redirects (301) to its canonical address.
    """
    story = Story.objects.public().select_related("lead_author").filter(slug=slug).first()
    if story is None:
        moved = Story.objects.public().filter(source_slug=slug).first()
        if moved is not None:
            return redirect(moved, permanent=True)
        story = _public_story(slug)
    updates = story.updates.published().with_byline()
    return render(request, "coverage/story_detail.html", {"story": story, "updates": updates})


def update_detail(request, slug, pk):
    """One update on its own page. Template ``coverage/update_detail.html``."""
    story = _public_story(slug)
    update = get_object_or_404(story.updates.published().with_byline(), pk=pk)
    return render(request, "coverage/update_detail.html", {"story": story, "update": update})


def author_detail(request, slug):
    """An author's updates across stories. Template ``coverage/author_detail.html``."""
    author = get_object_or_404(Author, slug=slug)
    updates = Update.objects.published().filter(authors=author).with_byline()[:50]
    return render(request, "coverage/author_detail.html", {"author": author, "updates": updates})
