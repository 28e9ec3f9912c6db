"""Pillow work: uploads, placeholder pictures for seeded images, responsive renditions.

``clean_upload()`` turns an uploaded file into a safe picture or refuses it with
a message an editor can act on: only real JPEG, PNG, WebP and GIF (judged by
content, never by name), at most 20 MB and 40 megapixels (the size is read
from the header, before anything is decoded), turned upright by its EXIF
orientation and re-encoded without any metadata (EXIF with GPS, XMP, comments,
colour profiles: pixels are converted to sRGB first).

Files written while a request saves are tracked by ``discard_files_on_error()``
so that a save that fails afterwards leaves no orphan file behind.
"""

import colorsys
import contextlib
import contextvars
import hashlib
import io
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image as PILImage
from PIL import ImageCms, ImageDraw, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Pillow warns above this many pixels and refuses twice as many: protect every
# use of Pillow in the process, not only uploads.
PILImage.MAX_IMAGE_PIXELS = MAX_PIXELS
# Pillow format name -> (format to store, file extension). MPO is what phones
# write: a JPEG with extra frames; the first frame is the photo.
ACCEPTED_FORMATS = {
    "JPEG": ("JPEG", "jpg"),
    "MPO": ("JPEG", "jpg"),
    "PNG": ("PNG", "png"),
    "WEBP": ("WEBP", "webp"),
    "GIF": ("GIF", "gif"),
}
ACCEPTED_NAMES = gettext_lazy("JPEG, PNG, WebP or GIF")

PLACEHOLDER_SIZE = (1600, 900)
RENDITION_WIDTHS = (480, 960, 1600)
RENDITION_FORMATS = {"webp": ("WEBP", "image/webp"), "jpg": ("JPEG", "image/jpeg")}


def _palette(seed):
    digest = hashlib.sha256(seed.encode()).digest()
    hue = digest[0] / 255
    return [
        tuple(int(c) for c in _hsv(hue + shift, 0.35 + digest[i] / 1000, 0.35 + i * 0.12))
        for i, shift in enumerate((0, 0.04, 0.08, 0.5))
    ]


def _hsv(h, s, v):
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, min(s, 1.0), min(v, 1.0))
    return (r * 255, g * 255, b * 255)


def placeholder(seed, size=PLACEHOLDER_SIZE):
    """A deterministic, caption-free 16:9 JPEG for ``seed``: soft bands and a sun."""
    buffer = io.BytesIO()
    _draw_placeholder(seed, size).save(buffer, "JPEG", quality=82, optimize=True)
    return buffer.getvalue()


def _draw_placeholder(seed, size):
    width, height = size
    background, middle, front, accent = _palette(seed)
    picture = PILImage.new("RGB", size, background)
    draw = ImageDraw.Draw(picture)
    digest = hashlib.sha256(seed.encode()).digest()
    sun_x = width * (0.2 + digest[5] / 255 * 0.6)
    radius = height * 0.12
    draw.ellipse((sun_x - radius, height * 0.18, sun_x + radius, height * 0.18 + 2 * radius), fill=accent)
    for layer, colour in ((0, middle), (1, front)):
        base = height * (0.55 + 0.18 * layer)
        points = [(0, height)]
        steps = 8
        for step in range(steps + 1):
            wobble = (digest[10 + step + layer * 9] / 255 - 0.5) * height * 0.18
            points.append((width * step / steps, base + wobble))
        points.append((width, height))
        draw.polygon(points, fill=colour)
    return picture


def _rendition_name(name, width, extension):
    path = PurePosixPath(name)
    return str(PurePosixPath("renditions") / path.parent / f"{path.stem}-{width}w.{extension}")


def _planned(name, source_width, source_height):
    widths = [w for w in RENDITION_WIDTHS if w < source_width] + [min(source_width, RENDITION_WIDTHS[-1])]
    for width in sorted(set(widths)):
        height = round(source_height * width / source_width)
        for extension, (_encoder, mime) in RENDITION_FORMATS.items():
            yield {
                "name": _rendition_name(name, width, extension),
                "width": width,
                "height": height,
                "type": mime,
            }


def store(name, content, max_length=None):
    """Save ``content`` as ``name`` (or a free name like it); returns the name used.

    A write that fails part-way (a full disk) deletes what it wrote before the
    error goes on: storages leave the partial file otherwise.
    """
    name = default_storage.get_available_name(name, max_length=max_length)
    try:
        return default_storage.save(name, content, max_length=max_length)
    except BaseException:
        if default_storage.exists(name):
            default_storage.delete(name)
        raise


def _write_renditions(name, planned, draw):
    """Store ``draw(item)``'s bytes for each planned rendition: all of them, or none if one fails."""
    made = []
    try:
        for item in planned:
            if default_storage.exists(item["name"]):
                default_storage.delete(item["name"])
            item["name"] = store(item["name"], ContentFile(draw(item)))
            made.append(item)
    except BaseException:
        delete_files([item["name"] for item in made])
        raise
    return made


def make_renditions(name):
    """Write resized WebP and JPEG copies of stored image ``name``; returns their list."""
    with default_storage.open(name) as handle, PILImage.open(handle) as picture:
        picture.load()
        source = picture.convert("RGB")

    def draw(item):
        resized = (
            source
            if item["width"] == source.width
            else source.resize((item["width"], item["height"]), PILImage.LANCZOS)
        )
        buffer = io.BytesIO()
        resized.save(buffer, "WEBP" if item["type"] == "image/webp" else "JPEG", quality=80)
        return buffer.getvalue()

    return _write_renditions(name, _planned(name, *source.size), draw)


# --- seeded pictures ------------------------------------------------------------

# Seeded pictures share this many drawings, chosen by their caption and credit:
# a document with thousands of pictures costs at most this many drawings, once
# per storage, and each story still shows varied pictures.
PLACEHOLDER_VARIANTS = 32


def placeholder_names(keys):
    """The stored placeholder for each seeded picture of a document, by ``keys`` (caption and
    credit, in document order): ``{key: name}``.

    A picture's own variant comes from its key; one already taken by an earlier
    picture gives way to the next free one, so up to ``PLACEHOLDER_VARIANTS``
    pictures of a document (a gallery, a story's lead and its updates) all differ.
    """
    names, taken = {}, set()
    for key in keys:
        if key in names:
            continue
        if len(taken) == PLACEHOLDER_VARIANTS:
            taken.clear()
        variant = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % PLACEHOLDER_VARIANTS
        while variant in taken:
            variant = (variant + 1) % PLACEHOLDER_VARIANTS
        taken.add(variant)
        names[key] = f"placeholders/variant-{variant:02d}.jpg"
    return names


def placeholder_renditions(name):
    """The renditions listed for placeholder ``name``: those ``make_renditions`` would write."""
    return list(_planned(name, *PLACEHOLDER_SIZE))


def planned_renditions(name, width, height):
    """The renditions ``make_renditions`` writes for stored picture ``name`` of that size."""
    return list(_planned(name, width, height))


def stored_placeholders():
    """Names of the placeholder files and renditions in storage, read in two listings."""
    stored = set()
    for folder in ("placeholders", "renditions/placeholders"):  # see _rendition_name
        try:
            _, names = default_storage.listdir(folder)
        except FileNotFoundError:  # nothing drawn yet (the file system storage)
            continue
        stored |= {f"{folder}/{name}" for name in names}
    return stored


def draw_placeholder(name):
    """The files of placeholder ``name``: ``[(file name, bytes)]``, itself then its renditions.

    Each size is drawn once, from shapes (exact at any size, no resampling), and
    encoded as JPEG and WebP (at WebP's fastest setting). Pure Pillow work that
    releases the GIL while encoding: the seed command runs it on worker threads.
    """
    seed = PurePosixPath(name).stem
    drawn = {}

    def picture(width, height):
        if (width, height) not in drawn:
            drawn[(width, height)] = _draw_placeholder(seed, (width, height))
        return drawn[(width, height)]

    buffer = io.BytesIO()
    picture(*PLACEHOLDER_SIZE).save(buffer, "JPEG", quality=82, optimize=True)
    files = [(name, buffer.getvalue())]
    for item in placeholder_renditions(name):
        buffer = io.BytesIO()
        if item["type"] == "image/webp":
            picture(item["width"], item["height"]).save(buffer, "WEBP", quality=80, method=0)
        else:
            picture(item["width"], item["height"]).save(buffer, "JPEG", quality=80)
        files.append((item["name"], buffer.getvalue()))
    return files


PORTRAIT_SIZES = (96, 192)  # square: bylines show 40 px, the author page 96 px (and twice that)


def make_portraits(name):
    """Square JPEG crops of stored photo ``name`` (centred, a little above the middle,
    where faces are), for bylines and the author page; returns their list."""
    with default_storage.open(name) as handle, PILImage.open(handle) as picture:
        picture.load()
        source = picture.convert("RGB")

    def draw(item):
        side = item["width"]
        square = ImageOps.fit(source, (side, side), PILImage.LANCZOS, centering=(0.5, 0.4))
        buffer = io.BytesIO()
        square.save(buffer, "JPEG", quality=85, optimize=True)
        return buffer.getvalue()

    planned = [
        {"name": _rendition_name(name, side, "jpg"), "width": side, "height": side, "type": "image/jpeg"}
        for side in PORTRAIT_SIZES
    ]
    return _write_renditions(name, planned, draw)


# --- uploads ------------------------------------------------------------------


class UploadRefused(ValueError):
    """An upload that is not stored; ``str()`` tells the editor why and what to do."""


@dataclass
class CleanPicture:
    """An upload made safe: re-encoded pixels, no metadata."""

    content: bytes
    width: int
    height: int
    format: str
    extension: str

    def as_file(self, original_name):
        stem = slugify(PurePosixPath(original_name or "").stem)[:80] or "image"
        return ContentFile(self.content, name=f"{stem}.{self.extension}")


def clean_upload(uploaded):
    """Check and re-encode an uploaded picture; raises ``UploadRefused``.

    ``uploaded`` is a file object with ``size`` (an ``UploadedFile``) or any
    seekable binary file.
    """
    size = getattr(uploaded, "size", None)
    if size is None:
        size = uploaded.seek(0, io.SEEK_END)
    if size > MAX_UPLOAD_BYTES:
        megabytes = math.ceil(size / 1024 / 1024 * 10) / 10
        raise UploadRefused(
            _(
                "This file is %(megabytes)s MB; pictures can be at most %(limit)s MB. "
                "Export a smaller JPEG and upload that."
            )
            % {"megabytes": megabytes, "limit": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    uploaded.seek(0)
    head = uploaded.read(512)
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            # Above MAX_PIXELS Pillow only warns; the check below refuses with a clear message.
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            picture = PILImage.open(uploaded)  # reads the header only
    except PILImage.DecompressionBombError as error:
        # Pillow refused it from the header; its message names the pixel count.
        counted = re.search(r"\((\d+) pixels\)", str(error))
        raise UploadRefused(_too_many_pixels_message(int(counted[1]) if counted else None)) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if b"<svg" in head.lower() or head.lstrip().startswith(b"<?xml"):
            raise UploadRefused(
                _(
                    "SVG drawings are not accepted (they can carry scripts). "
                    "Upload a %(formats)s picture instead."
                )
                % {"formats": ACCEPTED_NAMES}
            ) from error
        raise UploadRefused(
            _(
                "This file is not a readable picture (damaged, or not a picture at all). "
                "Upload a %(formats)s picture."
            )
            % {"formats": ACCEPTED_NAMES}
        ) from error
    with picture:
        if picture.format not in ACCEPTED_FORMATS:
            raise UploadRefused(
                _("%(format)s pictures are not accepted. Upload a %(formats)s picture.")
                % {"format": picture.format, "formats": ACCEPTED_NAMES}
            )
        width, height = picture.size
        if width * height > MAX_PIXELS:
            raise UploadRefused(_too_many_pixels_message(width * height))
        try:
            picture.load()
            upright = ImageOps.exif_transpose(picture)
        except (OSError, SyntaxError, ValueError, PILImage.DecompressionBombError) as error:
            raise UploadRefused(
                _(
                    "This picture is damaged or incomplete (the upload may have been cut off). "
                    "Open it on your computer, save it again and upload that copy."
                )
            ) from error
        store_format, extension = ACCEPTED_FORMATS[picture.format]
        content = _encode_without_metadata(upright, store_format, picture.info)
    return CleanPicture(content, upright.width, upright.height, store_format, extension)


def _too_many_pixels_message(pixels=None):
    limit = MAX_PIXELS // 1_000_000
    if not pixels:
        return _(
            "This picture is too large: at most %(limit)s megapixels are accepted. "
            "Resize it (e.g. to 4,000 pixels wide) and upload it again."
        ) % {"limit": limit}
    return _(
        "This picture is too large (%(megapixels)s megapixels): at most %(limit)s megapixels are accepted. "
        "Resize it (e.g. to 4,000 pixels wide) and upload it again."
    ) % {"megapixels": f"{math.ceil(pixels / 100_000) / 10:g}", "limit": limit}


_SRGB = ImageCms.createProfile("sRGB")


def _to_srgb(picture, icc_profile):
    """Pixels converted from their embedded colour profile to sRGB (or as they are)."""
    if not icc_profile or picture.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return picture
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        mode = "RGBA" if picture.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(picture, source, _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return picture


def _encode_without_metadata(picture, store_format, original_info):
    """``picture`` encoded as ``store_format`` carrying nothing but pixels."""
    picture = _to_srgb(picture, original_info.get("icc_profile"))
    bare = picture.copy()
    bare.info = {}
    options = {}
    if store_format == "JPEG":
        if bare.mode not in ("RGB", "L"):
            bare = bare.convert("RGB")
        options = {"quality": 90, "optimize": True}
    elif store_format == "WEBP":
        if bare.mode not in ("RGB", "RGBA"):
            bare = bare.convert("RGBA" if "A" in bare.mode or "transparency" in original_info else "RGB")
        options = {"quality": 90}
    elif "transparency" in original_info and bare.mode in ("P", "L", "RGB"):
        # Transparency is part of the picture, not metadata.
        options = {"transparency": original_info["transparency"]}
    buffer = io.BytesIO()
    # A GIF is stored as its first frame: the reader pages show still renditions.
    bare.save(buffer, store_format, exif=b"", **options)
    return buffer.getvalue()


# --- files written during a save -------------------------------------------------

_written = contextvars.ContextVar("coverage_images_written", default=None)


@contextlib.contextmanager
def discard_files_on_error():
    """Delete the files ``store()``d inside this block if the block raises.

    Wrap a whole save (the database transaction included) in it: a save that
    fails after its pictures were written leaves no orphan file.
    """
    names = []
    token = _written.set(names)
    try:
        yield names
    except BaseException:
        delete_files(names)
        raise
    finally:
        _written.reset(token)


def track(*names):
    """Record files just written, for ``discard_files_on_error()``."""
    names_written = _written.get()
    if names_written is not None:
        names_written.extend(name for name in names if name)


def delete_files(names):
    for name in names:
        if name and default_storage.exists(name):
            default_storage.delete(name)
