"""Video and audio clips: uploads checked with ffprobe, stripped of metadata, with a poster frame.

``clean_upload()`` turns an uploaded file into a clip readers' browsers can play,
or refuses it with a message an editor can act on. What a file is is judged by
its content (ffprobe reads it from a temporary file with no name to go by),
never by its name; the name only says what the editor meant (a ``.mp4`` is
meant as video), and a file that is not what it claims is refused. Accepted:
MP4 (H.264 or AV1, with AAC or MP3 sound) and WebM (VP8, VP9 or AV1, with
Vorbis or Opus) video; MP3, M4A (AAC) and Ogg (Vorbis or Opus) audio. The
size and length limits are app settings (``LIVEBLOG_CLIP_MAX_MB``,
``LIVEBLOG_CLIP_MAX_MINUTES``).

The accepted file is copied (``-c copy``: no re-encoding, seconds for a long
clip) into a new file without its metadata (GPS position, device, owner tags,
chapters, cover art) and, for MP4, with its index at the front so playing can
start before the whole file has arrived. A video's poster is a JPEG of its frame
at one second (the first frame for shorter clips); the service stores it with
the picture renditions.

``clean_captions()`` checks a WebVTT captions file: UTF-8 text that starts with
``WEBVTT``, at most ``MAX_CAPTIONS_BYTES``.
"""

import json
import math
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.base import ContentFile
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .conf import app_settings
from .images import UploadRefused

FFPROBE = shutil.which("ffprobe") or "/usr/bin/ffprobe"
FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
PROBE_SECONDS = 30
COPY_SECONDS = 120
POSTER_AT_SECONDS = 1.0
MAX_SIDE = 4096
MAX_CAPTIONS_BYTES = 512 * 1024

VIDEO, AUDIO = "video", "audio"


@dataclass(frozen=True)
class Container:
    """A kind of file readers' browsers play, with the codecs they play in it."""

    label: str  # what the editor calls it
    muxer: str  # ffmpeg's name for writing it
    extension: str
    mime: str
    video_codecs: frozenset = frozenset()
    audio_codecs: frozenset = frozenset()


MP4 = Container("MP4", "mp4", "mp4", "video/mp4", frozenset({"h264", "av1"}), frozenset({"aac", "mp3"}))
WEBM = Container(
    "WebM", "webm", "webm", "video/webm", frozenset({"vp8", "vp9", "av1"}), frozenset({"vorbis", "opus"})
)
MP3 = Container("MP3", "mp3", "mp3", "audio/mpeg", audio_codecs=frozenset({"mp3"}))
M4A = Container("M4A", "ipod", "m4a", "audio/mp4", audio_codecs=frozenset({"aac"}))
OGG = Container("Ogg", "ogg", "ogg", "audio/ogg", audio_codecs=frozenset({"vorbis", "opus"}))

# ffprobe's format name -> (the container as video, as audio, ffmpeg's demuxer to read it with).
FORMATS = {
    "mov,mp4,m4a,3gp,3g2,mj2": (MP4, M4A, "mov"),
    "matroska,webm": (WEBM, None, "matroska"),
    "mp3": (None, MP3, "mp3"),
    "ogg": (None, OGG, "ogg"),
}
# What an editor's file name says it is meant as.
MEANT_AS = {
    "mp4": VIDEO, "m4v": VIDEO, "mov": VIDEO, "webm": VIDEO,
    "mp3": AUDIO, "m4a": AUDIO, "aac": AUDIO, "ogg": AUDIO, "oga": AUDIO, "opus": AUDIO,
}  # fmt: skip
PICTURE_FORMATS = ("_pipe", "image2", "gif", "webp", "apng")
ACCEPTED_NAMES = gettext_lazy("MP4 or WebM video, MP3, M4A or Ogg audio")
ACCEPT_ATTRIBUTE = "video/mp4,video/webm,audio/mpeg,audio/mp4,audio/ogg,.mp4,.webm,.mp3,.m4a,.ogg,.oga,.opus"


@dataclass
class CleanClip:
    """An accepted clip: a new file without metadata (removed with the object), and what it holds."""

    path: Path
    kind: str
    container: Container
    duration: float
    width: int | None
    height: int | None
    poster: bytes | None
    _folder: tempfile.TemporaryDirectory

    @property
    def mime_type(self):
        return self.container.mime

    def as_file(self, original_name):
        stem = slugify(PurePosixPath(original_name or "").stem)[:80] or self.kind
        return File(self.path.open("rb"), name=f"{stem}.{self.container.extension}")

    def poster_file(self, original_name):
        if self.poster is None:
            return None
        stem = slugify(PurePosixPath(original_name or "").stem)[:80] or "poster"
        return ContentFile(self.poster, name=f"{stem}-poster.jpg")

    def apply_to(self, clip, original_name):
        """Give ``clip`` (a ``Clip`` row, unsaved) this file and what ffprobe found in it."""
        clip.file = self.as_file(original_name)
        clip.kind = self.kind
        clip.mime_type = self.mime_type
        clip.duration = self.duration
        clip.width, clip.height = self.width, self.height
        clip.poster = self.poster_file(original_name)
        clip.poster_renditions = []
        clip._clean = self  # the temporary folder lives as long as the clip that uses its file


def max_bytes():
    return app_settings.CLIP_MAX_MB * 1024 * 1024


def describe_limits():
    return _(
        "%(formats)s; up to %(megabytes)s MB and %(minutes)s minutes. Location and device data are removed."
    ) % {
        "formats": ACCEPTED_NAMES,
        "megabytes": app_settings.CLIP_MAX_MB,
        "minutes": app_settings.CLIP_MAX_MINUTES,
    }


def clean_upload(uploaded, name=None):
    """Check an uploaded clip and copy it without metadata; raises ``UploadRefused``.

    ``uploaded`` is an ``UploadedFile`` or any readable binary file; ``name`` (default:
    its name) says what the editor meant it as (``.mp4``: video, ``.mp3``: audio).
    """
    name = name if name is not None else getattr(uploaded, "name", "") or ""
    size = getattr(uploaded, "size", None)
    if size is None:
        size = uploaded.seek(0, 2)
    if size > max_bytes():
        megabytes = math.ceil(size / 1024 / 1024 * 10) / 10
        raise UploadRefused(
            _(
                "This file is %(megabytes)s MB; clips can be at most %(limit)s MB. "
                "Export a shorter or smaller version (e.g. 720p) and upload that."
            )
            % {"megabytes": megabytes, "limit": app_settings.CLIP_MAX_MB}
        )
    if size == 0:
        raise UploadRefused(_("This file is empty. Upload %(formats)s.") % {"formats": ACCEPTED_NAMES})
    folder = tempfile.TemporaryDirectory(prefix="clip-")
    try:
        source = Path(folder.name) / "upload"  # no extension: ffmpeg judges by content only
        uploaded.seek(0)
        with source.open("wb") as handle:
            shutil.copyfileobj(uploaded, handle, 1024 * 1024)
        uploaded.seek(0)
        probed = _probe(source)
        meant_as = MEANT_AS.get(PurePosixPath(name).suffix[1:].lower())
        kind, container, demuxer, streams = _judge(probed, meant_as)
        duration = _duration(probed)
        video = streams.get(VIDEO)
        width, height = (int(video["width"]), int(video["height"])) if video else (None, None)
        target = Path(folder.name) / f"clean.{container.extension}"
        _copy_without_metadata(source, demuxer, streams, container, target)
        source.unlink()
        poster = _poster(target, demuxer, duration) if kind == VIDEO else None
    except BaseException:
        folder.cleanup()
        raise
    return CleanClip(target, kind, container, duration, width, height, poster, folder)


def _run(command, seconds):
    try:
        return subprocess.run(command, capture_output=True, timeout=seconds, check=False)
    except subprocess.TimeoutExpired as error:
        raise UploadRefused(
            _("This file took too long to read; it may be damaged. Export it again and upload that copy.")
        ) from error
    except FileNotFoundError as error:  # ffmpeg is not installed on this server
        raise UploadRefused(
            _(
                "Clips cannot be checked on this server: ffmpeg is not installed. "
                "Ask the site's operator to install it (apt-get install ffmpeg); pictures still work."
            )
        ) from error


def _probe(path):
    done = _run(
        [FFPROBE, "-v", "error", "-protocol_whitelist", "file", "-show_format", "-show_streams",
         "-of", "json", str(path)],
        PROBE_SECONDS,
    )  # fmt: skip
    try:
        probed = json.loads(done.stdout or b"{}")
    except ValueError:
        probed = {}
    if done.returncode != 0 or "format" not in probed:
        raise UploadRefused(
            _("This file is not a video or audio file. Upload %(formats)s.") % {"formats": ACCEPTED_NAMES}
        )
    return probed


def _judge(probed, meant_as):
    """``(kind, container, demuxer, {kind: stream})`` of a probed file, or ``UploadRefused``."""
    format_name = probed["format"].get("format_name", "")
    if format_name.endswith(PICTURE_FORMATS):
        raise UploadRefused(
            _("This file is a picture, not a clip: add it under “Pictures” instead, or upload %(formats)s.")
            % {"formats": ACCEPTED_NAMES}
        )
    if format_name not in FORMATS:
        raise UploadRefused(
            _("This kind of file (%(format)s) cannot be played by readers' browsers. Upload %(formats)s.")
            % {"format": format_name, "formats": ACCEPTED_NAMES}
        )
    as_video, as_audio, demuxer = FORMATS[format_name]
    streams = {}
    for stream in probed.get("streams", []):
        kind = stream.get("codec_type")
        if stream.get("disposition", {}).get("attached_pic"):
            continue  # an MP3's cover picture: not a video, and dropped with the metadata
        if kind in (VIDEO, AUDIO) and kind not in streams:
            streams[kind] = stream
    kind = VIDEO if VIDEO in streams else AUDIO if AUDIO in streams else None
    if kind is None:
        raise UploadRefused(
            _("This file holds neither pictures nor sound. Export the clip again, upload that.")
        )
    if meant_as == VIDEO and kind == AUDIO:
        raise UploadRefused(
            _(
                "This file has sound only, no pictures: it is not a video. Upload the video itself, "
                "or, if it is meant as audio, save it as .m4a, .mp3 or .ogg and upload that."
            )
        )
    if meant_as == AUDIO and kind == VIDEO:
        raise UploadRefused(
            _(
                "This file is a video, not audio. Give it a video name (.mp4 or .webm), "
                "or export the sound alone as MP3, M4A or Ogg."
            )
        )
    container = as_video if kind == VIDEO else as_audio
    if container is None:
        label = {"matroska,webm": "WebM", "mp3": "MP3", "ogg": "Ogg"}[format_name]
        if kind == VIDEO:
            refusal = _("%(format)s video is not accepted. Upload an MP4 or WebM video.")
        else:
            refusal = _("%(format)s audio is not accepted. Upload MP3, M4A or Ogg audio.")
        raise UploadRefused(refusal % {"format": label})
    video, audio = streams.get(VIDEO), streams.get(AUDIO)
    if container is WEBM and video.get("codec_name") in MP4.video_codecs - WEBM.video_codecs:
        raise UploadRefused(
            _(
                "This is a Matroska (MKV) file with %(codec)s video, which browsers play only in MP4. "
                "Export (or remux) it as MP4 and upload that."
            )
            % {"codec": _codec(video)}
        )
    if video is not None and video.get("codec_name") not in container.video_codecs:
        raise UploadRefused(
            _(
                "This video is encoded as %(codec)s, which not every browser plays. "
                "Export it as H.264 MP4 (or VP9 WebM) and upload that."
            )
            % {"codec": _codec(video)}
        )
    if audio is not None and audio.get("codec_name") not in container.audio_codecs:
        export = (
            "AAC" if container in (MP4, M4A) else _("Opus or Vorbis") if container in (WEBM, OGG) else "MP3"
        )
        raise UploadRefused(
            _(
                "The sound of this file is encoded as %(codec)s, which not every browser plays. "
                "Export it with %(export)s sound and upload that."
            )
            % {"codec": _codec(audio), "export": export}
        )
    if video is not None:
        width, height = int(video.get("width") or 0), int(video.get("height") or 0)
        if not width or not height:
            raise UploadRefused(_("This video's size cannot be read: it may be damaged. Export it again."))
        if max(width, height) > MAX_SIDE:
            raise UploadRefused(
                _(
                    "This video is %(width)s × %(height)s pixels; at most %(limit)s pixels a side are "
                    "accepted. Export it at 1080p and upload that."
                )
                % {"width": width, "height": height, "limit": MAX_SIDE}
            )
    return kind, container, demuxer, streams


def _codec(stream):
    return (stream.get("codec_long_name") or stream.get("codec_name") or _("an unknown codec")).split(" / ")[
        0
    ]


def _duration(probed):
    try:
        seconds = float(probed["format"].get("duration", "nan"))
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise UploadRefused(_("This clip's length cannot be read; it may be damaged. Export it again."))
    limit = app_settings.CLIP_MAX_MINUTES
    if seconds > limit * 60:
        raise UploadRefused(
            ngettext(
                "This clip lasts %(minutes)s minute; clips can last at most %(limit)s minutes. "
                "Cut it shorter and upload that.",
                "This clip lasts %(minutes)s minutes; clips can last at most %(limit)s minutes. "
                "Cut it shorter and upload that.",
                math.ceil(seconds / 60),
            )
            % {"minutes": math.ceil(seconds / 60), "limit": limit}
        )
    return round(seconds, 3)


def _copy_without_metadata(source, demuxer, streams, container, target):
    """Copy the kept streams of ``source`` into ``target`` as they are, without any metadata."""
    maps = []
    for kind in (VIDEO, AUDIO):
        if kind in streams:
            maps += ["-map", f"0:{streams[kind]['index']}"]
    faststart = ["-movflags", "+faststart"] if container.muxer in ("mp4", "ipod") else []
    done = _run(
        [FFMPEG, "-v", "error", "-nostdin", "-protocol_whitelist", "file", "-f", demuxer, "-i", str(source),
         *maps, "-c", "copy", "-map_metadata", "-1", "-map_chapters", "-1",
         "-fflags", "+bitexact", *faststart, "-f", container.muxer, "-y", str(target)],
        COPY_SECONDS,
    )  # fmt: skip
    if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        raise UploadRefused(
            _(
                "This clip is damaged or incomplete (the upload may have been cut off). "
                "Export it again and upload that copy."
            )
        )


def _poster(path, demuxer, duration):
    """A JPEG of the frame at ``POSTER_AT_SECONDS`` (the first frame of a shorter clip), or None."""
    for at in (POSTER_AT_SECONDS, 0.0) if duration > POSTER_AT_SECONDS else (0.0,):
        frame = path.with_name(f"poster-{at:g}.jpg")
        done = _run(
            [FFMPEG, "-v", "error", "-nostdin", "-ss", f"{at:g}", "-f", demuxer,
             "-i", str(path), "-frames:v", "1", "-q:v", "3", "-f", "image2", "-y", str(frame)],
            PROBE_SECONDS,
        )  # fmt: skip
        if done.returncode == 0 and frame.exists() and frame.stat().st_size:
            return frame.read_bytes()
    return None


# --- captions -----------------------------------------------------------------


def clean_captions(uploaded):
    """WebVTT captions as a file to store; raises ``UploadRefused`` for anything else."""
    size = getattr(uploaded, "size", None)
    if size is None:
        size = uploaded.seek(0, 2)
    if size > MAX_CAPTIONS_BYTES:
        raise UploadRefused(
            _(
                "This captions file is %(kilobytes)s KB; at most %(limit)s KB are accepted. "
                "Captions for a short clip are far smaller: check it is the right file."
            )
            % {"kilobytes": math.ceil(size / 1024), "limit": MAX_CAPTIONS_BYTES // 1024}
        )
    uploaded.seek(0)
    content = uploaded.read()
    uploaded.seek(0)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UploadRefused(
            _("This captions file is not UTF-8 text. Save it as UTF-8 WebVTT (.vtt) and upload that.")
        ) from error
    text = text.removeprefix("\ufeff")
    if not (text.startswith("WEBVTT") and (len(text) == 6 or text[6] in " \t\r\n")):
        raise UploadRefused(
            _(
                "This is not a WebVTT captions file: its first line must be “WEBVTT”. "
                "Convert it (e.g. from .srt) to .vtt and upload that."
            )
        )
    stem = slugify(PurePosixPath(getattr(uploaded, "name", "") or "").stem)[:80] or "captions"
    return ContentFile(text.encode("utf-8"), name=f"{stem}.vtt")
