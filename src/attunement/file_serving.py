"""Serving private media files (session videos, voice notes, clips) to a browser that seeks: answers HTTP range
requests (a player asks for the part it needs, "bytes=START-END") with 206 Partial Content, reading the file in chunks.
Used by the videos (reflection) and by the photos and recordings of a session (practice)."""

import os
import re

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

CHUNK = 256 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _chunks(path: str, start: int, length: int):
    with open(path, "rb") as source:
        source.seek(start)
        while length > 0:
            data = source.read(min(CHUNK, length))
            if not data:
                return
            length -= len(data)
            yield data


def _private(response, content_type: str):
    response["Content-Type"] = content_type
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def ranged_file_response(request, path: str, content_type: str, *, download_name: str = ""):
    """The whole file, or the one byte range the request asks for. Several ranges are answered whole."""
    size = os.path.getsize(path)
    header = request.headers.get("Range", "").strip()
    match = RANGE.match(header) if header else None
    if match and (match.group(1) or match.group(2)):
        first, last = match.group(1), match.group(2)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # the last N bytes
            start = max(size - int(last), 0)
            end = size - 1
        if start >= size or end < start:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return _private(response, content_type)
        response = StreamingHttpResponse(_chunks(path, start, end - start + 1), status=206)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
        return _private(response, content_type)
    response = FileResponse(open(path, "rb"), as_attachment=bool(download_name), filename=download_name or None)
    return _private(response, content_type)
