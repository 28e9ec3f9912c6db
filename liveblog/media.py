"""Media files served by Django (development and tests) with byte ranges, as nginx serves them.

Browsers ask for a clip in parts (``Range: bytes=…``) to start playing at once and to
seek; Django's ``static.serve`` always sends the whole file. ``serve`` answers one
range with 206 and ``Content-Range``, a range past the end with 416, and anything
else (no range, several ranges, a malformed header, an ``If-Range`` that no longer
matches: RFC 9110 §14.2 lets a server ignore those) with the whole file, as
``static.serve`` does; every answer says ``Accept-Ranges: bytes``.
"""

import mimetypes
import re

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import http_date
from django.views import static

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
CHUNK = 64 * 1024

# The types of what coverage.clips stores, whatever the machine's /etc/mime.types says.
for _type, _extension in [("video/mp4", ".mp4"), ("video/webm", ".webm"), ("audio/mpeg", ".mp3"),
                          ("audio/mp4", ".m4a"), ("audio/ogg", ".ogg"), ("text/vtt", ".vtt")]:  # fmt: skip
    mimetypes.add_type(_type, _extension)


def serve(request, path, document_root):
    response = static.serve(request, path, document_root=document_root)
    response["Accept-Ranges"] = "bytes"
    if response.status_code != 200 or request.method not in ("GET", "HEAD"):
        return response
    wanted = _RANGE.fullmatch(request.headers.get("Range", "").strip())
    if wanted is None or not _if_range_holds(request, response):
        return response
    size = int(response["Content-Length"])
    span = _span(*wanted.groups(), size)
    if span is None:
        response.close()
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    start, end = span
    handle = response.file_to_stream
    response.file_to_stream = None  # the partial answer streams the open file from now on
    partial = StreamingHttpResponse(_read(handle, start, end), status=206)
    for header in ("Content-Type", "Last-Modified", "Content-Encoding"):
        if header in response:
            partial[header] = response[header]
    partial["Content-Range"] = f"bytes {start}-{end}/{size}"
    partial["Content-Length"] = str(end - start + 1)
    partial["Accept-Ranges"] = "bytes"
    return partial


def _span(first, last, size):
    """``(start, end)`` inclusive of ``bytes=first-last`` in a file of ``size`` bytes, or None."""
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = int(last)
        return (max(size - length, 0), size - 1) if length and size else None
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return None
    return start, end


def _if_range_holds(request, response):
    """No ``If-Range``, or one naming the file's current date: the range may be sent."""
    condition = request.headers.get("If-Range")
    return condition is None or condition == response.get("Last-Modified", http_date(0))


def _read(handle, start, end):
    try:
        handle.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()
