from django.urls import path

from . import views
from .feeds import StoryFeed

app_name = "coverage"

urlpatterns = [
    path("", views.story_list, name="story_list"),
    # The busiest page first: <str:slug> takes no "/", so it cannot catch the longer paths below.
    path("live/<str:slug>/", views.story_detail, name="story_detail"),
    path("live/<slug:slug>/feed/", StoryFeed(), name="story_feed"),
    path("live/<slug:slug>/changes.json", views.story_changes, name="story_changes"),
    path("live/<slug:slug>/comments/", views.story_comment, name="story_comment"),
    path("comments/token", views.comment_token, name="comment_token"),
    path("live/<slug:slug>/updates/<int:pk>/", views.update_detail, name="update_detail"),
    path("authors/<slug:slug>/", views.author_detail, name="author_detail"),
]
