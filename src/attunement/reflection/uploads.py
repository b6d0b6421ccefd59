"""Receiving large video files: streamed to a temporary file on disk in chunks, never held whole in memory,
and stopped as soon as they pass the size limit (settings.VIDEO_MAX_BYTES). A request that announces more
than the limit is answered 413 in plain words before any of it is read."""

from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import SkipFile, StopUpload, TemporaryFileUploadHandler
from django.http import JsonResponse
from django.shortcuts import render

from attunement.forms import FileSizeLimit

# Room for the form's other fields and the multipart boundaries around the file.
FORM_ALLOWANCE = 1024 * 1024

VIDEO_SIZE = FileSizeLimit(
    "VIDEO_MAX_BYTES", "The file is larger than {limit}. Please trim the video, or film a shorter part."
)
CODING_FILE_SIZE = FileSizeLimit(
    "CODING_IMPORT_MAX_BYTES", "The file is larger than {limit}. Please upload a smaller coding file."
)


def video_max_bytes() -> int:
    return VIDEO_SIZE.max_bytes


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
        if content_length and content_length > self.limit + FORM_ALLOWANCE:
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


def too_big_message() -> str:
    return VIDEO_SIZE.message()


NOT_A_FILE = (
    "What was sent was not a video file we can take. Please choose the video with the button on the page and try again."
)


def _announced_too_big(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > video_max_bytes() + FORM_ALLOWANCE


def _refused(request, message: str):
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"errors": [message]}, status=413)
    return render(request, "reflection/upload_refused.html", {"message": message}, status=413)


def size_limited_upload(view):
    """Decorate a view that receives a video: on POST it gets `limit` (the installed upload handler).

    A request announcing more than the limit is refused 413 before its body is read; so is one whose body
    Django stops reading (a stream cut off by the handler, or form fields over DATA_UPLOAD_MAX_MEMORY_SIZE),
    instead of an error page. The view must be CSRF-exempt and check the token itself (see install_size_limit)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, limit=None, **kwargs)
        if _announced_too_big(request):
            return _refused(request, too_big_message())
        limit = install_size_limit(request)
        try:
            return view(request, *args, limit=limit, **kwargs)
        except StopUpload:
            return _refused(request, too_big_message())
        except RequestDataTooBig:
            return _refused(request, NOT_A_FILE)

    return wrapper
