"""Pictures in the live desk, in a real browser: pasted, dropped or added with the button,
described inline, published with the update; what is not a picture is refused and nothing of
it is stored, whether the browser or the site finds it out."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from playwright.sync_api import expect

from coverage.models import Image, Update
from tests.factories import make_story, make_stream, make_user
from tests.test_admin_browser import log_in
from tests.test_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).parent / "screenshots"
ALT = "Міст через Дніпро на світанку"
CAPTION = "الجسر بعد إعادة فتحه"
CREDIT = "摄影：李娜"
BODY = "Міст **відкрито** о 6:00."
NOT_A_PICTURE_PROBLEM = (
    "This file is not a readable picture (damaged, or not a picture at all). "
    "Upload a JPEG, PNG, WebP or GIF picture."
)

# A file on the clipboard, pasted into the composer's text (or dropped on it) as a browser does.
HAND_OVER = """([kind, name, type, bytes]) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([new Uint8Array(bytes)], name, {type}));
  const body = document.getElementById("desk-body");
  const event = kind === "paste"
    ? new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true, cancelable: true})
    : new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true});
  body.dispatchEvent(event);
  return event.defaultPrevented;
}"""


def png():
    picture = PILImage.new("RGB", (800, 450), (40, 90, 150))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 300, 800, 450), fill=(30, 60, 40))
    draw.ellipse((520, 60, 640, 180), fill=(240, 200, 80))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def hand_over(page, kind, name, mime, content):
    assert page.evaluate(HAND_OVER, [kind, name, mime, list(content)]) is True  # the desk took it


def files_under(folder):
    return sorted(str(path.relative_to(folder)) for path in Path(folder).rglob("*") if path.is_file())


@pytest.fixture
def story():
    story = make_story(title="Нічна зміна")
    make_stream(story=story, count=2, start=timezone.now() - timedelta(hours=1))
    return story


def open_desk(page, story, width=1280):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, make_user(username="olena", role="Reporters"))
    page.goto(story.get_absolute_url())
    body = page.get_by_label("Update (Markdown)")
    expect(page.get_by_role("button", name="Add a picture")).to_be_visible()
    return body


def test_a_pasted_picture_is_published_with_its_alt_caption_and_credit(
    page, browser, live_server, story, settings
):
    body = open_desk(page, story)
    body.fill(BODY)
    hand_over(page, "paste", "bridge.png", "image/png", png())
    pictures = page.locator("#desk .desk-picture")
    expect(pictures).to_have_count(1)
    expect(pictures.locator("legend")).to_have_text("Picture 1: bridge.png")
    expect(pictures.locator(".desk-picture-thumb img")).to_have_attribute(
        "src", re.compile(r"^data:image/jpeg;base64,")
    )
    alt = page.get_by_label("Alt text (required): what the picture shows")
    expect(alt).to_be_focused()

    page.keyboard.press("Control+Enter")  # no alt text yet: stopped before anything is sent
    expect(page.get_by_role("alert").locator(".desk-problem-text")).to_have_text(
        "Describe picture 1 (bridge.png) in its alt text before publishing."
    )
    expect(alt).to_be_focused()
    expect(alt).to_have_attribute("aria-invalid", "true")
    assert (story.updates.count(), Image.objects.count()) == (2, 0)

    alt.fill(ALT)
    page.get_by_label("Caption").fill(CAPTION)
    page.get_by_label("Credit").fill(CREDIT)
    page.reload()  # what was typed, and the picture itself, come back
    expect(page.get_by_label("Update (Markdown)")).to_have_value(BODY)
    expect(pictures).to_have_count(1)
    expect(pictures.locator("legend")).to_have_text("Picture 1: bridge.png")
    expect(alt).to_have_value(ALT)
    expect(page.get_by_label("Caption")).to_have_value(CAPTION)
    expect(page.get_by_label("Credit")).to_have_value(CREDIT)
    expect(page.locator(".desk-pictures-status")).to_have_text("Your unsent pictures were restored.")
    expect(pictures.locator(".desk-picture-thumb img")).to_have_count(1)
    assert serious_violations(page) == []
    SCREENSHOTS.mkdir(exist_ok=True)
    page.locator("#desk").screenshot(path=SCREENSHOTS / "desk-pictures-1280.png")

    page.get_by_label("Credit").press("Control+Enter")
    expect(page.locator("#desk .desk-status")).to_have_text("Published.")
    expect(pictures).to_have_count(0)
    expect(page.get_by_label("Update (Markdown)")).to_be_focused()
    update = story.updates.get(body=BODY)
    assert update.status == Update.Status.PUBLISHED
    assert list(update.images.values_list("alt_text", "caption", "credit")) == [(ALT, CAPTION, CREDIT)]
    stored = update.images.get()
    assert (stored.width, stored.height) == (800, 450)
    assert files_under(settings.MEDIA_ROOT)[0].startswith("images/")

    reader = browser.new_context(base_url=live_server.url).new_page()
    reader.goto(story.get_absolute_url())
    figures = reader.locator(f"#update-{update.pk} figure")
    expect(figures).to_have_count(1)
    expect(figures.locator("img")).to_have_attribute("alt", ALT)
    expect(figures.locator("figcaption")).to_have_text(f"{CAPTION} Credit: {CREDIT}")
    assert reader.locator("#desk").count() == 0
    reader.context.close()

    page.reload()  # the pictures went with the publish
    expect(page.get_by_role("button", name="Add a picture")).to_be_visible()
    expect(pictures).to_have_count(0)
    expect(page.locator(".desk-pictures-status")).to_have_text("")


def test_a_text_file_pasted_or_dropped_as_a_picture_is_refused_and_nothing_is_stored(page, story, settings):
    sent = []
    page.on("request", lambda request: "/images/" in request.url and sent.append(request.url))
    body = open_desk(page, story)
    body.fill("Новини · أخبار · 新闻")
    problem = page.locator(".desk-pictures-problem")

    hand_over(page, "paste", "notes.txt", "text/plain", "Це текст, а не фото.".encode())
    expect(problem).to_have_text(
        "“notes.txt” is not a picture: add a JPEG, PNG, WebP or GIF file. Nothing was sent."
    )
    expect(problem).to_have_attribute("role", "alert")
    # Named and typed as a PNG, but its first bytes are text's.
    hand_over(page, "drop", "photo.png", "image/png", "هذا نص وليس صورة".encode())
    expect(problem).to_have_text(
        "“photo.png” is not a picture: add a JPEG, PNG, WebP or GIF file. Nothing was sent."
    )
    expect(page.locator("#desk .desk-picture")).to_have_count(0)
    expect(body).to_have_value("Новини · أخبار · 新闻")
    assert (Update.objects.count(), Image.objects.count()) == (2, 0)
    assert files_under(settings.MEDIA_ROOT) == [] and sent == []


def test_a_fake_png_is_refused_by_the_site_the_draft_goes_and_the_composer_keeps_it_all(
    page, story, settings
):
    body = open_desk(page, story, width=390)
    body.fill("الجسر مفتوح من جديد")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Add a picture").click()
    fake = b"\x89PNG\r\n\x1a\n" + "Це нотатка, а не фото.".encode()  # a PNG's first bytes, then text
    chooser.value.set_files(
        [
            {"name": "bridge.png", "mimeType": "image/png", "buffer": png()},
            {"name": "note.png", "mimeType": "image/png", "buffer": fake},
        ]
    )
    pictures = page.locator("#desk .desk-picture")
    expect(pictures.locator("legend")).to_have_text(["Picture 1: bridge.png", "Picture 2: note.png"])
    expect(pictures.nth(1).locator(".desk-picture-thumb")).to_have_text("No preview")
    alts = page.get_by_label("Alt text (required): what the picture shows")
    alts.nth(0).fill("Міст уранці")
    alts.nth(1).fill("桥的第二张照片")
    alts.nth(1).press("Control+Enter")

    refused = f"Not published: Picture 2 (note.png) was refused: {NOT_A_PICTURE_PROBLEM} Your text is kept."
    alert = page.locator("#desk .desk-problem")
    expect(alert.locator("p")).to_have_text(refused)
    expect(alert.get_by_role("button", name="Retry")).to_be_hidden()
    expect(pictures.nth(1).locator(".desk-picture-refusal")).to_have_text(
        f"Picture 2 (note.png) was refused: {NOT_A_PICTURE_PROBLEM}"
    )
    expect(pictures.nth(1).get_by_role("button", name="Remove picture 2 (note.png)")).to_be_focused()
    expect(body).to_have_value("الجسر مفتوح من جديد")
    expect(alts).to_have_count(2)
    expect(alts.nth(0)).to_have_value("Міст уранці")
    assert (Update.objects.count(), Image.objects.count()) == (2, 0)
    assert files_under(settings.MEDIA_ROOT) == []  # the first picture went with the draft
    assert serious_violations(page) == []
    SCREENSHOTS.mkdir(exist_ok=True)
    page.locator("#desk").screenshot(path=SCREENSHOTS / "desk-pictures-390.png")

    page.keyboard.press("Enter")  # on the refused picture's Remove button
    expect(pictures).to_have_count(1)
    expect(pictures.get_by_role("button", name="Remove picture 1 (bridge.png)")).to_be_focused()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#desk .desk-status")).to_have_text("Published.")
    update = story.updates.get(body="الجسر مفتوح من جديد")
    assert list(update.images.values_list("alt_text", flat=True)) == ["Міст уранці"]
    assert Image.objects.count() == 1


def test_without_indexeddb_the_composer_says_pictures_must_be_added_again_after_a_reload(page, story):
    page.add_init_script("Object.defineProperty(window, 'indexedDB', {value: undefined})")
    body = open_desk(page, story)
    note = page.locator(".desk-pictures-not-kept")
    expect(note).to_have_text("Pictures are not kept in this browser: after a reload, add them again.")
    body.fill("Без збереження · 不保存")
    hand_over(page, "paste", "bridge.png", "image/png", png())
    page.get_by_label("Alt text (required): what the picture shows").fill("Міст")
    expect(page.locator("#desk .desk-picture")).to_have_count(1)
    page.reload()
    expect(page.get_by_label("Update (Markdown)")).to_have_value("Без збереження · 不保存")
    expect(note).to_have_count(1)
    expect(page.locator("#desk .desk-picture")).to_have_count(0)
    expect(page.locator(".desk-pictures-problem")).to_have_text(
        "Some pictures could not be restored: add them again."
    )


def test_a_picture_lost_on_the_way_fails_the_publish_and_the_draft_goes(page, story, settings):
    body = open_desk(page, story)
    body.fill("Світло повернулося · 电力恢复")
    hand_over(page, "paste", "bridge.png", "image/png", png())
    page.get_by_label("Alt text (required): what the picture shows").fill("Міст")
    page.route("**/images/", lambda route: route.abort("internetdisconnected"))
    page.keyboard.press("Control+Enter")
    expect(page.locator("#desk .desk-problem p")).to_have_text(
        "Not published: Picture 1 (bridge.png) could not be sent: the site could not be reached. "
        "Your text is kept."
    )
    expect(page.locator("#desk .desk-picture")).to_have_count(1)
    expect(body).to_have_value("Світло повернулося · 电力恢复")
    assert (Update.objects.count(), Image.objects.count()) == (2, 0)

    page.unroute("**/images/")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#desk .desk-status")).to_have_text("Published.")
    update = story.updates.get(body="Світло повернулося · 电力恢复")
    assert list(update.images.values_list("alt_text", flat=True)) == ["Міст"]
    assert files_under(settings.MEDIA_ROOT)[0].startswith("images/")
