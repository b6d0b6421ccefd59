"""Receiving large video files: streamed to a temporary file on disk in chunks, never held whole in memory,
and stopped as soon as they pass the size limit (settings.VIDEO_MAX_BYTES)."""

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, StopUpload, TemporaryFileUploadHandler


def video_max_bytes() -> int:
    return settings.VIDEO_MAX_BYTES


def size_in_words(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.1f} {unit}".replace(".0 ", " ")
    return f"{size} bytes"


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Writes every uploaded file straight to a temporary file, and gives up on a file (and the rest of the
    request) once it passes the limit. `too_big` tells the view why the file is missing."""

    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = limit if limit is not None else video_max_bytes()
        self.received = 0
        self.too_big = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # A body far larger than the limit (the form fields add a few KB at most) is refused before reading it.
        if content_length and content_length > self.limit + 1024 * 1024:
            self.too_big = True
            raise StopUpload(connection_reset=True)
        return super().handle_raw_input(input_data, META, content_length, boundary, encoding)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_big = True
            self.file.close()
            raise SkipFile()
        return super().receive_data_chunk(raw_data, start)


def install_size_limit(request) -> SizeLimitedUploadHandler:
    """Replace the request's upload handlers before its body is read (so the view must be CSRF-exempt and
    check the token itself, after this)."""
    handler = SizeLimitedUploadHandler(request)
    request.upload_handlers = [handler]
    return handler
