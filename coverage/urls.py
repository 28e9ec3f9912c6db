from django.urls import path, register_converter

from . import views
from .feeds import StoryFeed
from .slugs import UnicodeSlugConverter

register_converter(UnicodeSlugConverter, "unicode_slug")

app_name = "coverage"

urlpatterns = [
    path("", views.story_list, name="story_list"),
    # The busiest page first. <str:slug> (anything but "/") rather than <unicode_slug:slug>: a story's
    # old source slug (capitals, punctuation, any script) must reach the view to be redirected.
    # It takes no "/", so it cannot catch the longer paths below.
    path("live/<str:slug>/", views.story_detail, name="story_detail"),
    path("live/<unicode_slug:slug>/feed/", StoryFeed(), name="story_feed"),
    path("live/<unicode_slug:slug>/embed/", views.story_embed, name="story_embed"),
    path("live/<unicode_slug:slug>/changes.json", views.story_changes, name="story_changes"),
    path("live/<unicode_slug:slug>/stream", views.story_stream, name="story_stream"),
    path("live/<unicode_slug:slug>/search/", views.story_search, name="story_search"),
    path("live/<unicode_slug:slug>/comments/", views.story_comment, name="story_comment"),
    path("comments/token", views.comment_token, name="comment_token"),
    path("live/<unicode_slug:slug>/updates/<int:pk>/", views.update_detail, name="update_detail"),
    path("live/<unicode_slug:slug>/updates/<int:pk>/changes/", views.update_changes, name="update_changes"),
    path("desk/<unicode_slug:slug>/", views.desk, name="desk"),
    path("desk/<unicode_slug:slug>/updates/", views.desk_updates, name="desk_updates"),
    path("desk/<unicode_slug:slug>/preview", views.desk_preview, name="desk_preview"),
    path("desk/<unicode_slug:slug>/presence", views.desk_presence, name="desk_presence"),
    path("authors/<unicode_slug:slug>/", views.author_detail, name="author_detail"),
]
