"""Video and audio clips: uploads judged by ffprobe, refusals that store nothing, metadata removed,
poster frames, the players on the reader pages, JSON-LD and feed, and media served with ranges."""

import io
import json
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import feedparser
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage

from coverage import clips, images, live, markup, services
from coverage.models import Clip, Update
from tests.factories import make_picture, make_story, make_update, make_user
from tests.htmlforms import form_data

pytestmark = pytest.mark.django_db


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def upload(clip_files, name, as_name=None):
    return SimpleUploadedFile(as_name or name, clip_files[name].read_bytes())


def errors_of(response):
    return " ".join(
        re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    )


@pytest.fixture
def editor_client(client):
    client.force_login(make_user(username="edith", role="Editors"))
    return client


def post_update_with_clip(client, story, file, *, body="With a clip.", **fields):
    """Fill in the add form of an update for ``story`` with one clip, and save it."""
    link = f"{reverse('admin:coverage_update_add')}?story={story.pk}"
    data = form_data(client.get(link).content, "update_form", body=body, _save="Save")
    data |= {
        "clips-0-file": file,
        "clips-0-caption": fields.get("caption", "The crowd at the square."),
        "clips-0-credit": fields.get("credit", "Olena Video/Agency"),
        "clips-0-position": fields.get("position", "0"),
        "clips-0-captions_language": fields.get("captions_language", "en"),
        "clips-0-captions_label": fields.get("captions_label", ""),
    }
    if "captions" in fields:
        data["clips-0-captions"] = fields["captions"]
    return client.post(link, data)


def probe(path_or_bytes):
    if isinstance(path_or_bytes, bytes):
        done = subprocess.run(
            ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", "-"],
            input=path_or_bytes, capture_output=True, check=True,
        )  # fmt: skip
    else:
        done = subprocess.run(
            ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path_or_bytes)],
            capture_output=True, check=True,
        )  # fmt: skip
    return json.loads(done.stdout)


def stored_clip(clip):
    with default_storage.open(clip.file.name) as handle:
        return handle.read()


def save_clip(update, clip_files, name, position=0, **fields):
    """A clip saved as the admin saves it: cleaned, then through the service."""
    clip = Clip(story=update.story, update=update, position=position, **fields)
    clips.clean_upload(upload(clip_files, name)).apply_to(clip, name)
    return services.save_clip(clip=clip)


# --- accepted uploads ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "mime", "extension"),
    [
        ("video.mp4", "video", "video/mp4", "mp4"),
        ("video.webm", "video", "video/webm", "webm"),
        ("vp8.webm", "video", "video/webm", "webm"),
        ("audio.mp3", "audio", "audio/mpeg", "mp3"),
        ("audio.m4a", "audio", "audio/mp4", "m4a"),
        ("audio.ogg", "audio", "audio/ogg", "ogg"),
    ],
)
def test_each_accepted_kind_is_judged_by_its_content(clip_files, name, kind, mime, extension):
    clean = clips.clean_upload(upload(clip_files, name, as_name="no-extension"))
    assert (clean.kind, clean.mime_type, clean.container.extension) == (kind, mime, extension)
    assert clean.duration == pytest.approx(2.0, abs=0.1)
    assert (clean.width, clean.height) == ((320, 180) if kind == "video" else (None, None))
    assert (clean.poster is not None) == (kind == "video")


def test_an_uploaded_video_is_stored_without_metadata_with_a_poster_and_its_renditions(
    editor_client, clip_files
):
    story = make_story()
    response = post_update_with_clip(editor_client, story, upload(clip_files, "video.mp4", "Ма́йдан 2024.mp4"))
    assert response.status_code == 302, errors_of(response)
    clip = Clip.objects.get()
    assert (clip.kind, clip.mime_type, clip.width, clip.height) == ("video", "video/mp4", 320, 180)
    assert clip.duration == pytest.approx(2.0, abs=0.1)
    assert clip.update == Update.objects.get() and clip.story == story
    assert clip.file.name.startswith("clips/") and clip.file.name.endswith(".mp4")
    original = probe(clip_files["video.mp4"])
    assert original["format"]["tags"]["location"] == "+48.8577+002.2950/"  # the fixture has what phones write
    stored = probe(Path(settings.MEDIA_ROOT) / clip.file.name)
    tags = [stored["format"].get("tags", {}), *(stream.get("tags", {}) for stream in stored["streams"])]
    assert not any("location" in group or "title" in group for group in tags)
    assert "Secret title" not in json.dumps(stored) and "48.8577" not in json.dumps(stored)
    assert set(stored["format"].get("tags", {})) <= {"major_brand", "minor_version", "compatible_brands"}
    assert [s["codec_name"] for s in stored["streams"]] == ["h264", "aac"]
    # The index is at the front (faststart): a browser can start playing from the first bytes.
    head = stored_clip(clip)[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))
    # The poster: a 320 × 180 JPEG of a frame, with picture renditions; the player shows the JPEG one.
    with default_storage.open(clip.poster.name) as handle, PILImage.open(handle) as poster:
        assert (poster.format, poster.size) == ("JPEG", (320, 180))
    assert [(item["width"], item["type"]) for item in clip.poster_renditions] == [
        (320, "image/webp"),
        (320, "image/jpeg"),
    ]
    assert clip.poster_url == default_storage.url(clip.poster_renditions[1]["name"])
    assert len(stored_files()) == 4  # the clip, its poster and two renditions


def test_an_mp3s_owner_tags_are_removed(clip_files):
    clean = clips.clean_upload(upload(clip_files, "audio.mp3"))
    stored = json.dumps(probe(clean.path))
    assert "Owner Name" not in stored and "Secret title" not in stored and "48.8577" not in stored
    assert "Owner Name" in json.dumps(probe(clip_files["audio.mp3"]))


# --- refusals ----------------------------------------------------------------------------


def text_renamed_mp4(clip_files):
    return SimpleUploadedFile("interview.mp4", "Не відео: a plain text file.\n".encode(), "video/mp4")


def picture_renamed_webm(clip_files):
    return upload(clip_files, "picture.png", as_name="scene.webm")


def jpeg_renamed_mp4(clip_files):
    return SimpleUploadedFile("scene.mp4", make_picture(size=(64, 48)), "video/mp4")


def sound_only_renamed_mp4(clip_files):
    return upload(clip_files, "audio.m4a", as_name="video.mp4")


def video_renamed_mp3(clip_files):
    return upload(clip_files, "video.mp4", as_name="sound.mp3")


def mpeg4_part2_video(clip_files):
    return upload(clip_files, "mpeg4-part2.mp4")


def cut_off_mp4(clip_files):
    return SimpleUploadedFile("cut.mp4", clip_files["video.mp4"].read_bytes()[:3000], "video/mp4")


@pytest.mark.parametrize(
    ("make_upload", "message"),
    [
        (text_renamed_mp4, f"This file is not a video or audio file. Upload {clips.ACCEPTED_NAMES}."),
        (picture_renamed_webm, "This file is a picture, not a clip"),
        (jpeg_renamed_mp4, "This file is a picture, not a clip"),
        (sound_only_renamed_mp4, "This file has sound only, no pictures: it is not a video."),
        (video_renamed_mp3, "This file is a video, not audio."),
        (mpeg4_part2_video, "This video is encoded as MPEG-4 part 2, which not every browser plays."),
        (cut_off_mp4, "This file is not a video or audio file."),
    ],
)  # fmt: skip
def test_a_file_that_is_not_what_it_claims_is_refused_and_leaves_no_row_and_no_file(
    editor_client, clip_files, make_upload, message
):
    story = make_story()
    response = post_update_with_clip(editor_client, story, make_upload(clip_files), body="Не зберігати.")
    assert response.status_code == 200
    assert message in errors_of(response)
    html = response.content.decode()
    assert "Не зберігати." in html and "The crowd at the square." in html  # the other fields are kept
    assert not Clip.objects.exists() and not Update.objects.exists()
    assert stored_files() == []


def test_a_clip_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.LIVEBLOG_CLIP_MAX_MB = 1
    big = SimpleUploadedFile("big.mp4", b"\0" * (1024 * 1024 + 200_000), "video/mp4")
    with pytest.raises(images.UploadRefused, match=r"^This file is 1\.2 MB; clips can be at most 1 MB\."):
        clips.clean_upload(big)


def test_a_clip_over_the_length_limit_is_refused(editor_client, clip_files, settings):
    settings.LIVEBLOG_CLIP_MAX_MINUTES = 1
    story = make_story()
    response = post_update_with_clip(editor_client, story, upload(clip_files, "long.mp3"))
    assert "This clip lasts 2 minutes; clips can last at most 1 minutes." in errors_of(response)
    assert not Clip.objects.exists() and stored_files() == []


def test_ffprobe_is_given_a_temporary_file_and_a_timeout(clip_files, monkeypatch):
    calls = []
    real_run = subprocess.run

    def run(command, **kwargs):
        calls.append((command, kwargs))
        return real_run(command, **kwargs)

    monkeypatch.setattr(clips.subprocess, "run", run)
    clips.clean_upload(upload(clip_files, "audio.ogg", as_name="../../etc/passwd.ogg"))
    probe_command, options = calls[0]
    assert probe_command[:2] == [clips.FFPROBE, "-v"] and options["timeout"] == clips.PROBE_SECONDS
    assert Path(probe_command[-1]).name == "upload"  # never the editor's file name
    assert all(kwargs.get("timeout") for _, kwargs in calls)


# --- captions ----------------------------------------------------------------------------

VTT = "WEBVTT\n\n00:00.000 --> 00:01.500\nМи тут. نحن هنا. 我们在这里。\n"


def test_captions_are_stored_and_shown_as_a_track(editor_client, clip_files):
    story = make_story()
    captions = SimpleUploadedFile("subs.vtt", VTT.encode())
    response = post_update_with_clip(
        editor_client, story, upload(clip_files, "video.webm"), captions=captions,
        captions_language="uk", captions_label="Українська",
    )  # fmt: skip
    assert response.status_code == 302, errors_of(response)
    clip = Clip.objects.get()
    with default_storage.open(clip.captions.name) as handle:
        assert handle.read().decode() == VTT
    html = editor_client.get(story.get_absolute_url()).content.decode()
    assert html.count("<track ") == 1
    assert f'<track kind="captions" src="{clip.captions.url}" srclang="uk" label="Українська">' in html


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"1\n00:00:00,000 --> 00:00:01,000\nAn SRT file\n", "This is not a WebVTT captions file"),
        ("WEBVTT\n\nкирилиця".encode("cp1251"), "This captions file is not UTF-8 text."),
        (b"WEBVTT\n" + b"a" * clips.MAX_CAPTIONS_BYTES, "at most 512 KB are accepted"),
    ],
)
def test_bad_captions_are_refused_and_nothing_is_stored(editor_client, clip_files, content, message):
    story = make_story()
    captions = SimpleUploadedFile("subs.vtt", content)
    response = post_update_with_clip(editor_client, story, upload(clip_files, "video.mp4"), captions=captions)
    assert response.status_code == 200 and message in errors_of(response)
    assert not Clip.objects.exists() and stored_files() == []


# --- the write path ----------------------------------------------------------------------


def test_a_save_that_fails_after_writing_the_clip_leaves_no_file_and_no_row(clip_files):
    update = make_update()
    with pytest.raises(RuntimeError), images.discard_files_on_error(), transaction.atomic():
        save_clip(update, clip_files, "video.mp4")
        assert len(stored_files()) == 4
        raise RuntimeError("a later step of the same save fails")
    assert not Clip.objects.exists()
    assert stored_files() == []


def test_deleting_a_clip_or_its_update_deletes_its_files(clip_files, django_capture_on_commit_callbacks):
    update = make_update()
    with django_capture_on_commit_callbacks(execute=True):
        clip = save_clip(update, clip_files, "video.mp4")
        save_clip(update, clip_files, "audio.mp3", position=1)
    assert len(stored_files()) == 5
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_clip(clip=clip)
    assert stored_files() == [Clip.objects.get().file.name]
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_update(update=update)
    assert stored_files() == [] and not Clip.objects.exists()


def test_a_clip_saved_moves_its_storys_page_version(client, clip_files):
    update = make_update(body="Before the clip.")
    first = client.get(update.story.get_absolute_url())
    save_clip(update, clip_files, "audio.ogg", position=1)
    second = client.get(update.story.get_absolute_url())
    assert first["ETag"] != second["ETag"]
    assert second.content.decode().count("<audio ") == 1


# --- reader pages ----------------------------------------------------------------------


@pytest.fixture
def story_with_clips(clip_files):
    story = make_story(title="Протест у Києві")
    update = make_update(story=story, body="Перший абзац.\n\nالفقرة الثانية.\n\n第三段。")
    video = save_clip(
        update, clip_files, "video.mp4", position=1, caption="Натовп на майдані.", credit="Олена/Агенція"
    )
    audio = save_clip(update, clip_files, "audio.mp3", position=2, caption="صوت الحشد", credit="")
    return story, update, video, audio


def test_the_story_page_shows_a_video_and_an_audio_clip_at_their_places(client, story_with_clips):
    story, _, video, audio = story_with_clips
    html = client.get(story.get_absolute_url()).content.decode()
    start = html.index('<div class="update-body">')
    body = html[start : html.index("</div>", start)]
    order = [text or tag for text, tag in re.findall(r"<p dir=\"auto\">([^<]+)</p>|<(video|audio) ", body)]
    assert order == ["Перший абзац.", "video", "الفقرة الثانية.", "audio", "第三段。"]
    assert html.count("<video ") == 1 and html.count("<audio ") == 1
    assert (
        f'<video controls preload="none" playsinline poster="{video.poster_url}" width="320" height="180">\n'
        f'    <source src="{video.file.url}" type="video/mp4">' in html
    )
    assert f'<audio controls preload="none">\n    <source src="{audio.file.url}" type="audio/mpeg">' in html
    assert "<track" not in html  # no captions uploaded
    credit = '<span class="credit">Credit: <span dir="auto">Олена/Агенція</span></span>'
    assert f'<figcaption dir="auto">Натовп на майдані. {credit}</figcaption>' in html
    assert '<figcaption dir="auto">صوت الحشد</figcaption>' in html


def test_the_permalink_and_the_change_feed_show_the_clips(client, story_with_clips):
    story, update, _, _ = story_with_clips
    html = client.get(update.get_absolute_url()).content.decode()
    assert html.count("<video ") == 1 and html.count("<audio ") == 1
    since = live.current_cursor(timezone.now() - timedelta(minutes=10))
    changes = client.get(f"/live/{story.slug}/changes.json?since={since}").json()
    (shown,) = [item["html"] for item in changes["updates"] if item["id"] == update.pk]
    assert shown.count("<video ") == 1 and shown.count("<audio ") == 1
    assert shown.index("<video ") < shown.index("الفقرة الثانية.") < shown.index("<audio ")


def test_json_ld_describes_the_video_and_the_audio(client, story_with_clips):
    story, update, video, audio = story_with_clips
    html = client.get(story.get_absolute_url()).content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])
    (posting,) = [item for item in data["liveBlogUpdate"] if item["url"].endswith(update.anchor)]
    site = settings.SITE_URL
    assert posting["video"] == [
        {
            "@type": "VideoObject",
            "name": "Натовп на майдані.",
            "contentUrl": f"{site}{video.file.url}",
            "encodingFormat": "video/mp4",
            "duration": video.iso_duration,
            "uploadDate": update.published_at.isoformat(),
            "description": "Натовп на майдані.",
            "width": 320,
            "height": 180,
            "thumbnailUrl": f"{site}{video.poster_url}",
            "creditText": "Олена/Агенція",
        }
    ]
    assert re.fullmatch(r"PT[12](\.\d)?S", video.iso_duration)
    (sound,) = posting["audio"]
    assert (sound["@type"], sound["contentUrl"], sound["encodingFormat"]) == (
        "AudioObject",
        f"{site}{audio.file.url}",
        "audio/mpeg",
    )


def test_iso_durations():
    assert Clip(duration=2.04).iso_duration == "PT2S"
    assert Clip(duration=62.5).iso_duration == "PT1M2.5S"
    assert Clip(duration=3725).iso_duration == "PT1H2M5S"


def test_the_feed_links_to_the_clips(client, story_with_clips):
    story, _, video, audio = story_with_clips
    feed = feedparser.parse(client.get(reverse("coverage:story_feed", args=[story.slug])).content)
    (entry,) = feed.entries
    links = re.findall(r'<a href="([^"]+)">([^<]*(?:<span[^>]*>[^<]*</span>)?)</a>', entry.summary)
    assert links == [
        (f"{settings.SITE_URL}{video.file.url}", 'Video: <span dir="auto">Натовп на майдані.</span>'),
        (f"{settings.SITE_URL}{audio.file.url}", 'Audio: <span dir="auto">صوت الحشد</span>'),
    ]


# --- media served with ranges ------------------------------------------------------------


@pytest.fixture
def served_clip(settings, clip_files):
    settings.SERVE_MEDIA = True
    clip = save_clip(make_update(), clip_files, "video.webm")
    return clip, stored_clip(clip)


def test_media_answer_a_range_with_206_and_exactly_those_bytes(client, served_clip):
    clip, content = served_clip
    response = client.get(clip.file.url, HTTP_RANGE="bytes=100-1099")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-1099/{len(content)}"
    assert response["Content-Length"] == "1000" and response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/webm"
    assert b"".join(response.streaming_content) == content[100:1100]


@pytest.mark.parametrize(
    ("header", "span"),
    [("bytes=0-", (0, None)), ("bytes=-500", (-500, None)), ("bytes=1000-99999999", (1000, None))],
)
def test_open_and_suffix_ranges(client, served_clip, header, span):
    clip, content = served_clip
    response = client.get(clip.file.url, HTTP_RANGE=header)
    assert response.status_code == 206
    expected = content[span[0] :]
    assert b"".join(response.streaming_content) == expected
    start = len(content) - len(expected)
    assert response["Content-Range"] == f"bytes {start}-{len(content) - 1}/{len(content)}"


def test_a_range_past_the_end_gets_416_and_no_range_the_whole_file(client, served_clip):
    clip, content = served_clip
    refused = client.get(clip.file.url, HTTP_RANGE=f"bytes={len(content)}-")
    assert refused.status_code == 416 and refused["Content-Range"] == f"bytes */{len(content)}"
    whole = client.get(clip.file.url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == content
    several = client.get(clip.file.url, HTTP_RANGE="bytes=0-1,5-6")  # allowed to be ignored: the whole file
    assert several.status_code == 200 and b"".join(several.streaming_content) == content


def test_captions_are_served_as_text_vtt(client, settings, clip_files):
    settings.SERVE_MEDIA = True
    clip = Clip(story=(update := make_update()).story, update=update, captions_language="en")
    clips.clean_upload(upload(clip_files, "audio.ogg")).apply_to(clip, "audio.ogg")
    clip.captions = clips.clean_captions(io.BytesIO(VTT.encode()))
    services.save_clip(clip=clip)
    response = client.get(clip.captions.url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/vtt")


# --- the admin's own list ------------------------------------------------------------------


def test_the_clip_list_shows_each_clip_and_a_reporter_changes_only_clips_of_their_updates(client, clip_files):
    reporter = make_user(username="remy", role="Reporters")
    mine = save_clip(make_update(authors=[reporter.author]), clip_files, "audio.ogg", caption="Мій звук")
    theirs = save_clip(make_update(), clip_files, "audio.mp3", caption="صوت زميل")
    client.force_login(reporter)
    listed = client.get(reverse("admin:coverage_clip_changelist")).content.decode()
    assert listed.count('class="field-__str__"') == 2 and "Мій звук" in listed and "صوت زميل" in listed
    assert client.get(reverse("admin:coverage_clip_add")).status_code == 403  # added on the update form
    form = client.get(reverse("admin:coverage_clip_change", args=[mine.pk]))
    data = form_data(form.content, "clip_form", caption="Мій звук, виправлено", _save="Save")
    assert client.post(reverse("admin:coverage_clip_change", args=[mine.pk]), data).status_code == 302
    assert Clip.objects.get(pk=mine.pk).caption == "Мій звук, виправлено"
    other = client.get(reverse("admin:coverage_clip_change", args=[theirs.pk])).content.decode()
    assert 'name="_save"' not in other  # shown read-only
    assert (
        client.post(reverse("admin:coverage_clip_delete", args=[theirs.pk]), {"post": "yes"}).status_code
        == 403
    )


def test_replacing_a_clip_deletes_the_old_files_once_saved(clip_files, django_capture_on_commit_callbacks):
    update = make_update()
    with django_capture_on_commit_callbacks(execute=True):
        clip = save_clip(update, clip_files, "video.mp4")
    old = stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        clips.clean_upload(upload(clip_files, "audio.m4a")).apply_to(clip, "audio.m4a")
        services.save_clip(clip=clip)
    assert stored_files() == [clip.file.name] and clip.file.name not in old
    assert (clip.kind, clip.poster_url, clip.width) == ("audio", "", None)


@pytest.mark.server
def test_a_story_with_clips_and_captions_is_valid_html(client, story_with_clips, tmp_path):
    from tests.test_html import nu_errors

    story, update, video, _ = story_with_clips
    video.captions = clips.clean_captions(io.BytesIO(VTT.encode()))
    video.captions_language, video.captions_label = "uk", "Українська"
    services.save_clip(clip=video)
    pages = {"story": story.get_absolute_url(), "permalink": update.get_absolute_url()}
    assert nu_errors(client, pages, tmp_path) == []


def test_at_one_position_pictures_come_first_then_clips_in_order_and_galleries_hold_pictures_only():
    pictures = [SimpleNamespace(position=1, pk=pk) for pk in (7, 3)]
    sounds = [SimpleNamespace(position=1, pk=pk) for pk in (9, 2)] + [SimpleNamespace(position=0, pk=5)]
    parts = markup.galleries(markup.interleave("One.\n\nTwo.", pictures, sounds))
    assert [
        (kind, getattr(part, "pk", None) or [p.pk for p in part]) for kind, part in parts if kind != "block"
    ] == [("clip", 5), ("gallery", [3, 7]), ("clip", 2), ("clip", 9)]
    assert [kind for kind, _ in parts] == ["clip", "block", "gallery", "clip", "clip", "block"]


def test_a_server_without_ffmpeg_refuses_clips_with_a_message_and_stores_nothing(clip_files, monkeypatch):
    monkeypatch.setattr(clips, "FFPROBE", "/nonexistent/ffprobe")
    with pytest.raises(clips.UploadRefused, match="ffmpeg is not installed"):
        clips.clean_upload(upload(clip_files, "video.mp4"))
    assert not Clip.objects.exists()
