"""Small real clips made with ffmpeg once per test session (``clip_files`` fixture).

Each carries the tags a phone writes (a GPS position, the device) so tests can see
them removed. Two seconds each: a test-pattern picture and a sine tone.
"""

import shutil
import subprocess

import pytest

from tests.browser import missing_tool

VIDEO = ["-f", "lavfi", "-i", "testsrc=size=320x180:rate=25"]
TONE = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
PHONE_TAGS = ["-metadata", "location=+48.8577+002.2950/", "-metadata", "com.apple.quicktime.make=Phone Maker",
              "-metadata", "title=Secret title", "-metadata", "artist=Owner Name"]  # fmt: skip
FAST_H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
FAST_VPX = ["-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k"]

RECIPES = {
    # name: ffmpeg arguments between the inputs and the output
    "video.mp4": [*VIDEO, *TONE, "-t", "2", *FAST_H264, "-c:a", "aac", *PHONE_TAGS],
    "video.webm": [*VIDEO, *TONE, "-t", "2", "-c:v", "libvpx-vp9", *FAST_VPX, "-c:a", "libopus"],
    "vp8.webm": [*VIDEO, *TONE, "-t", "2", "-c:v", "libvpx", *FAST_VPX, "-c:a", "libvorbis"],
    "audio.mp3": [*TONE, "-t", "2", "-c:a", "libmp3lame", "-b:a", "64k", *PHONE_TAGS],
    "audio.m4a": [*TONE, "-t", "2", "-c:a", "aac", "-b:a", "64k", *PHONE_TAGS],
    "audio.ogg": [*TONE, "-t", "2", "-c:a", "libopus", "-b:a", "48k"],
    "mpeg4-part2.mp4": [*VIDEO, "-t", "1", "-c:v", "mpeg4"],
    "long.mp3": ["-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "61", "-c:a", "libmp3lame"],
    "picture.png": ["-f", "lavfi", "-i", "testsrc=size=64x36", "-frames:v", "1"],
}


@pytest.fixture(scope="session")
def clip_files(tmp_path_factory):
    """``{name: path}`` of the clips in ``RECIPES``."""
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        missing_tool("ffmpeg not found (apt-get install ffmpeg)")
    folder = tmp_path_factory.mktemp("clips")
    made = {}
    for name, arguments in RECIPES.items():
        path = folder / name
        subprocess.run(
            ["ffmpeg", "-v", "error", "-nostdin", *arguments, "-y", str(path)], check=True, timeout=60
        )
        made[name] = path
    return made
