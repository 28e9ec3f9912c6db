"""Pillow work: placeholder pictures for seeded images and responsive renditions."""

import colorsys
import hashlib
import io
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import ImageDraw

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
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=82, optimize=True)
    return buffer.getvalue()


def _rendition_name(name, width, extension):
    path = PurePosixPath(name)
    return str(PurePosixPath("renditions") / path.parent / f"{path.stem}-{width}w.{extension}")


def _planned(name, source_width, source_height):
    widths = [w for w in RENDITION_WIDTHS if w < source_width] + [min(source_width, RENDITION_WIDTHS[-1])]
    for width in sorted(set(widths)):
        height = round(source_height * width / source_width)
        for extension, (_, mime) in RENDITION_FORMATS.items():
            yield {
                "name": _rendition_name(name, width, extension),
                "width": width,
                "height": height,
                "type": mime,
            }


def renditions_for(name):
    """The renditions of stored image ``name`` if they all exist already, else None."""
    with default_storage.open(name) as handle, PILImage.open(handle) as picture:
        size = picture.size
    planned = list(_planned(name, *size))
    if all(default_storage.exists(item["name"]) for item in planned):
        return planned
    return None


def make_renditions(name):
    """Write resized WebP and JPEG copies of stored image ``name``; returns their list."""
    with default_storage.open(name) as handle, PILImage.open(handle) as picture:
        picture.load()
        source = picture.convert("RGB")
    made = []
    for item in _planned(name, *source.size):
        resized = (
            source
            if item["width"] == source.width
            else source.resize((item["width"], item["height"]), PILImage.LANCZOS)
        )
        pillow_format = "WEBP" if item["type"] == "image/webp" else "JPEG"
        buffer = io.BytesIO()
        resized.save(buffer, pillow_format, quality=80)
        if default_storage.exists(item["name"]):
            default_storage.delete(item["name"])
        item["name"] = default_storage.save(item["name"], ContentFile(buffer.getvalue()))
        made.append(item)
    return made
