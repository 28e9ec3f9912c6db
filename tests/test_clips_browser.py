"""Clips uploaded in the admin play on the story page, in a real browser (Playwright + Chromium)."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from playwright.sync_api import expect

from coverage.desk import HINT_COOKIE
from coverage.models import Clip, Update
from tests.browser import LAYOUT_SHIFTS, layout_shifts
from tests.factories import make_story, make_update, make_user, migration
from tests.test_admin_browser import log_in
from tests.test_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAYER_BOXES = """() => [...document.querySelectorAll("video, audio")].map(el => {
  const rect = el.getBoundingClientRect();
  return [rect.left + scrollX, rect.top + scrollY, rect.right + scrollX, rect.bottom + scrollY];
})"""


def shifts_outside_players(page):
    """Layout shifts readers would see: not caused by their own clicks, and not only inside a player
    (Chromium redraws its players' controls, in their own box, as a clip gets ready)."""
    players = page.evaluate(PLAYER_BOXES)

    def inside(rect):
        left, top, right, bottom = rect
        return any(p[0] <= left and p[1] <= top and right <= p[2] and bottom <= p[3] for p in players)

    shifts = layout_shifts(page)
    return [shift for shift in shifts if not shift["input"] and not all(map(inside, shift["rects"]))]


SCREENSHOTS = Path(__file__).parent / "screenshots"
H264 = 'video/mp4; codecs="avc1.42E01E, mp4a.40.2"'


@pytest.fixture(autouse=True)
def newsroom_roles():
    """The roles, made again by their migrations (transactional tests flush them)."""
    schema_editor = SimpleNamespace(connection=connection)
    migration("newsroom_roles").create_roles(django_apps, schema_editor)
    migration("clips").grant_clips(django_apps, schema_editor)


def choose(page, field, path, mime):
    page.set_input_files(field, files=[{"name": path.name, "mimeType": mime, "buffer": path.read_bytes()}])


def play(page, player):
    """Click the player's play button as a reader does; returns how far it played."""
    player.scroll_into_view_if_needed()
    box = player.bounding_box()
    # Chromium's play button: left in the control bar, which is the whole audio player and the
    # lower band of a video (above its timeline).
    if player.evaluate("el => el.tagName") == "VIDEO":
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # shows the controls
        page.mouse.click(box["x"] + 24, box["y"] + box["height"] - 48)
    else:
        page.mouse.click(box["x"] + 24, box["y"] + box["height"] / 2)
    playing = "el => !el.paused && el.currentTime > 0.5"
    try:
        page.wait_for_function(playing, arg=player.element_handle(), timeout=10_000)
    except Exception as error:
        state = player.evaluate(
            "el => ({paused: el.paused, time: el.currentTime, ready: el.readyState, network: el.networkState,"
            " error: el.error && el.error.message, src: el.currentSrc})"
        )
        raise AssertionError(f"the clip did not play: {state}") from error
    return player.evaluate("el => el.currentTime")


def test_a_video_and_an_audio_clip_uploaded_in_the_admin_play_on_the_story_page(page, clip_files):
    """The video is H.264/AAC MP4 when this Chromium plays it (builds with proprietary codecs),
    else VP8/Vorbis WebM; the audio is Ogg/Opus, which every Chromium plays."""
    story = make_story(title="Повінь у місті")
    make_update(story=story, body="Вода піднялася вночі.")
    reporter = make_user(username="remy", role="Reporters")
    log_in(page, reporter)
    plays_h264 = page.evaluate(f"() => document.createElement('video').canPlayType('{H264}')") == "probably"
    video_file, video_mime = (
        (clip_files["video.mp4"], "video/mp4") if plays_h264 else (clip_files["vp8.webm"], "video/webm")
    )

    page.goto(f"/admin/coverage/update/add/?story={story.pk}")
    page.fill("#id_body", "Перший абзац.\n\nالفقرة الثانية.\n\n第三段。")
    choose(page, "#id_clips-0-file", video_file, video_mime)
    page.fill("#id_clips-0-caption", "Вулиця під водою.")
    page.fill("#id_clips-0-credit", "Олена Відео/Агенція")
    page.fill("#id_clips-0-position", "1")
    captions = "WEBVTT\n\n00:00.000 --> 00:01.500\nВода вже по коліна.\n".encode()
    page.set_input_files(
        "#id_clips-0-captions", files=[{"name": "uk.vtt", "mimeType": "text/vtt", "buffer": captions}]
    )
    page.fill("#id_clips-0-captions_language", "uk")
    page.fill("#id_clips-0-captions_label", "Українська")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    update = Update.objects.get(body__startswith="Перший")

    choose(page, "#id_clips-1-file", clip_files["audio.ogg"], "audio/ogg")
    page.fill("#id_clips-1-caption", "صوت المطر")
    page.fill("#id_clips-1-position", "2")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    video, audio = Clip.objects.filter(update=update).order_by("position")
    assert (video.kind, audio.kind) == ("video", "audio")

    # The page as readers get it: for the newsroom login the live desk puts its composer
    # above the stream once the page has loaded, which is not what this measures.
    page.context.clear_cookies(name=HINT_COOKIE)
    page.add_init_script(LAYOUT_SHIFTS)
    page.goto(f"/live/{story.slug}/")
    body = page.locator(f"#update-{update.pk} .update-body")
    expect(body.locator("video")).to_have_count(1)
    expect(body.locator("audio")).to_have_count(1)
    order = body.evaluate("el => [...el.children].map(child => child.querySelector('video, audio')?.tagName"
                          " || child.textContent.trim())")  # fmt: skip
    assert order == ["Перший абзац.", "VIDEO", "الفقرة الثانية.", "AUDIO", "第三段。"]
    player = body.locator("video")
    expect(player).to_have_attribute("poster", re.compile(r"/media/renditions/clips/posters/.+\.jpg$"))
    # Nothing loaded yet (preload="none"), and the box already has the video's shape.
    width, height = player.evaluate("el => [el.clientWidth, el.clientHeight]")
    assert height == pytest.approx(width * 180 / 320, abs=1)
    assert player.evaluate("el => el.readyState") == 0

    expect(player.locator("track")).to_have_attribute("srclang", "uk")
    assert serious_violations(page) == []

    assert play(page, player) > 0.5
    assert player.evaluate("el => el.textTracks[0].language") == "uk"
    assert player.evaluate("el => [el.videoWidth, el.videoHeight]") == [320, 180]
    assert player.evaluate("el => el.clientHeight") == height
    assert play(page, body.locator("audio")) > 0.5
    assert shifts_outside_players(page) == []  # nothing moved while the page and the clips loaded
    SCREENSHOTS.mkdir(exist_ok=True)
    body.screenshot(path=SCREENSHOTS / "story-clips-1280.png")  # for a person to look at
