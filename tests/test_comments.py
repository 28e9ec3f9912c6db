"""Reader comments: held for moderation, protected against abuse, emails never public."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.utils import timezone

from coverage import services
from coverage.models import Comment, Story
from tests.factories import make_story, make_update, make_user

pytestmark = pytest.mark.django_db

EMAIL = "reader.private@example.org"


def form(**overrides):
    return {
        "name": "Olena Reader",
        "email": EMAIL,
        "body": "Thank you for this coverage.",
        "website": "",
    } | overrides


def post(client, story, data, address="203.0.113.7"):
    return client.post(f"/live/{story.slug}/comments/", data, REMOTE_ADDR=address)


@pytest.fixture
def story():
    story = make_story(title="Storm coverage")
    make_update(story=story, body="The storm made landfall.")
    return story


def approve_in_admin(client, comment):
    editor = make_user(username="editor", role="Editors")
    client.force_login(editor)
    response = client.post(
        "/admin/coverage/comment/", {"action": "approve", ACTION_CHECKBOX_NAME: [comment.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "1 comment approved" in response.content.decode()
    client.logout()


def test_comment_is_held_then_shown_after_approval(client, story):
    response = post(client, story, form())
    assert response.status_code == 302
    assert response["Location"] == f"/live/{story.slug}/?comment=received#comments"
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.client_hash and "203.0.113.7" not in comment.client_hash
    thanks = client.get(response["Location"]).content.decode()
    assert "awaiting moderation" in thanks
    assert "Thank you for this coverage." not in thanks

    approve_in_admin(client, comment)
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Thank you for this coverage." in page and "Olena Reader" in page


def test_email_never_appears_in_public_responses(client, story, settings):
    post(client, story, form())
    Comment.objects.update(status=Comment.Status.APPROVED)
    update = story.updates.get()
    urls = [
        story.get_absolute_url(),
        f"/live/{story.slug}/feed/",
        f"/live/{story.slug}/changes.json",
        f"/live/{story.slug}/changes.json?since=1",
        f"/live/{story.slug}/updates/{update.pk}/",
        "/",
        "/sitemap.xml",
        f"/authors/{update.byline_authors()[0].slug}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert EMAIL not in response.content.decode(), url
        assert "reader.private" not in response.content.decode(), url


def test_honeypot_refuses_and_stores_nothing(client, story):
    response = post(client, story, form(website="http://spam.example"))
    assert response.status_code == 400
    assert "Your comment was not sent" in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("missing", ["name", "email", "body"])
def test_missing_required_field_keeps_the_readers_text(client, story, missing):
    data = form(body="My carefully written thoughts.") | {missing: ""}
    response = post(client, story, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert {"name": "Please give your name.", "email": "Please give your email address.",
            "body": "Please write a comment."}[missing] in html  # fmt: skip
    if missing != "body":
        assert "My carefully written thoughts." in html
    assert not Comment.objects.exists()


def test_over_long_body_is_refused(client, story):
    response = post(client, story, form(body="x" * 5001))
    assert response.status_code == 400
    assert "Please keep your comment under 5,000 characters." in response.content.decode()
    assert not Comment.objects.exists()


def test_sixth_comment_in_ten_minutes_from_one_address_is_refused(client, story):
    for number in range(5):
        assert post(client, story, form(body=f"Comment {number}.")).status_code == 302
    response = post(client, story, form(body="The sixth one."))
    assert response.status_code == 429
    html = response.content.decode()
    assert "Please wait a little and try again." in html and "The sixth one." in html
    assert Comment.objects.count() == 5
    assert post(client, story, form(body="From elsewhere."), address="198.51.100.2").status_code == 302


def test_script_and_img_in_name_or_body_are_shown_as_text(client, story):
    post(client, story, form(name="<script>alert(1)</script>", body='<img src=x onerror="alert(2)"> hi'))
    Comment.objects.update(status=Comment.Status.APPROVED)
    html = client.get(story.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html


def test_links_in_comments_are_marked_as_user_content(client, story):
    post(client, story, form(body="See https://example.org/report for more."))
    Comment.objects.update(status=Comment.Status.APPROVED)
    html = client.get(story.get_absolute_url()).content.decode()
    assert '<a href="https://example.org/report" rel="nofollow ugc">' in html


def approved_comments(story, count):
    now = timezone.now()
    for number in range(count):
        services.create_comment(comment=Comment(
            story=story, name=f"Reader {number}", email="r@example.org", body=f"Body {number:03d}.",
            status=Comment.Status.APPROVED, created_at=now - timedelta(minutes=200 - number),
        ))  # fmt: skip


def test_comments_shown_oldest_first_and_paginated(client, story):
    approved_comments(story, 55)
    html = client.get(story.get_absolute_url()).content.decode()
    assert html.index("Body 000.") < html.index("Body 001.") and "Body 050." not in html
    assert "Comments (55)" in html
    second = client.get(story.get_absolute_url() + "?comments=2").content.decode()
    assert "Body 050." in second and "Body 049." not in second


def test_later_comment_pages_are_read_from_the_newest_end_alike(client, story):
    approved_comments(story, 120)  # pages of 50, 50 and 20
    for number, first, last in ((1, 0, 49), (2, 50, 99), (3, 100, 119)):
        html = client.get(story.get_absolute_url(), {"comments": number}).content.decode()
        bodies = [int(found) for found in re.findall(r"Body (\d{3})\.", html)]
        assert bodies == list(range(first, last + 1)), number
    assert "Comments (120)" in html


def test_the_comment_count_follows_moderation_and_deletion(client, story):
    approved_comments(story, 3)
    held = services.create_comment(comment=Comment(story=story, name="N", email="n@example.org", body="?"))

    def counted():
        return Story.objects.get(pk=story.pk).comments_shown

    assert counted() == 3
    services.moderate_comments(comments=Comment.objects.filter(pk=held.pk), status=Comment.Status.APPROVED)
    assert counted() == 4
    services.moderate_comments(comments=Comment.objects.filter(body="Body 000."), status=Comment.Status.SPAM)
    assert counted() == 3
    services.delete_comment(comment=Comment.objects.get(body="Body 001."))
    assert counted() == 2
    held.status = Comment.Status.PENDING
    services.save_comment(comment=held)
    assert counted() == 1
    assert "Comments (1)" in client.get(story.get_absolute_url()).content.decode()


def test_closed_switch_hides_the_form_and_refuses_posts(client, story):
    Story.objects.filter(pk=story.pk).update(comments_open=False)
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Leave a Reply" not in html and "Comments are closed on this story." in html
    response = post(client, story, form())
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_comments_close_some_days_after_coverage_ends(client, story, settings):
    settings.LIVEBLOG_COMMENTS_CLOSE_DAYS = 7
    Story.objects.filter(pk=story.pk).update(
        status=Story.Status.ENDED, coverage_end=timezone.now() - timedelta(days=2)
    )
    assert post(client, story, form()).status_code == 302
    Story.objects.filter(pk=story.pk).update(coverage_end=timezone.now() - timedelta(days=8))
    assert post(client, story, form(body="Too late.")).status_code == 403
    assert Comment.objects.count() == 1


def test_form_has_csrf_and_required_marks(client, story):
    html = client.get(story.get_absolute_url()).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Your email address will not be published. Required fields are marked" in html
    assert html.count('<span class="required" aria-hidden="true">*</span>') == 3


def test_post_without_csrf_token_comes_back_to_be_confirmed(story):
    from django.test import Client

    reader = Client(enforce_csrf_checks=True)
    response = reader.post(f"/live/{story.slug}/comments/", form(body="Posted with scripts off."))
    html = response.content.decode()
    assert response.status_code == 403
    assert not Comment.objects.exists()
    assert "press “Post comment” again" in html and "Posted with scripts off." in html
    # It carries this reader's token and text: no cache may keep it, and it has no validator.
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert "ETag" not in response
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert token
    again = reader.post(f"/live/{story.slug}/comments/", form(body="Posted with scripts off.") | {
        "csrfmiddlewaretoken": token})  # fmt: skip
    assert again.status_code == 302
    assert Comment.objects.get().body == "Posted with scripts off."


def test_forged_post_from_another_site_stores_nothing(story):
    from django.test import Client

    victim = Client(enforce_csrf_checks=True)
    victim.get("/comments/token")  # the victim has a CSRF cookie from an earlier visit
    response = victim.post(f"/live/{story.slug}/comments/", form() | {"csrfmiddlewaretoken": "forged" * 6})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_shared_story_page_carries_no_reader_state(story, settings):
    from django.test import Client

    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 60
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    one, two = first.get(story.get_absolute_url()), second.get(story.get_absolute_url())
    assert one.content == two.content  # the second came from the cache
    assert "Set-Cookie" not in two.headers and "Cookie" not in two.get("Vary", "")
    token = second.get("/comments/token")
    assert token["Cache-Control"] == "no-store"
    response = second.post(
        f"/live/{story.slug}/comments/", form() | {"csrfmiddlewaretoken": token.json()["token"]}
    )
    assert response.status_code == 302


def test_editors_moderate_reporters_cannot(client, story):
    comment = Comment.objects.create(story=story, name="A", email="a@example.org", body="Hello.")
    reporter = make_user(username="reporter", role="Reporters")
    client.force_login(reporter)
    assert client.get("/admin/coverage/comment/").status_code == 403
    response = client.post(
        "/admin/coverage/comment/", {"action": "approve", ACTION_CHECKBOX_NAME: [comment.pk]}
    )
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING

    client.force_login(make_user(username="editor", role="Editors"))
    queue = client.get("/admin/coverage/comment/")
    assert queue.status_code == 200 and "Hello." in queue.content.decode()
    client.post("/admin/coverage/comment/", {"action": "mark_spam", ACTION_CHECKBOX_NAME: [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM


def test_story_list_in_admin_counts_pending_comments(client, story):
    Comment.objects.create(story=story, name="A", email="a@example.org", body="One.")
    Comment.objects.create(story=story, name="B", email="b@example.org", body="Two.")
    Comment.objects.create(story=story, name="C", email="c@example.org", body="Three.", status="approved")
    client.force_login(make_user(username="editor", role="Editors"))
    html = client.get("/admin/coverage/story/").content.decode()
    assert f'?story__id__exact={story.pk}&amp;status__exact=pending">2</a>' in html
