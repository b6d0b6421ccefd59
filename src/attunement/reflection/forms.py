from django import forms

from attunement.forms import SizeLimitedFileField, SizeLimitedFileInput

from .uploads import VIDEO_SIZE


class VideoUploadForm(forms.Form):
    """The video upload's one field: the page's script refuses a file over the limit before sending it, and
    the upload handler and the service refuse it again (see uploads.py)."""

    file = SizeLimitedFileField(
        limit=VIDEO_SIZE,
        label="Video",
        help_text="Film from your phone or tablet, or choose a recording. Up to {limit}. "
        "The original is kept; a small copy for watching here is made straight after.",
        widget=SizeLimitedFileInput(attrs={"id": "video-file", "accept": "video/*"}),
    )
