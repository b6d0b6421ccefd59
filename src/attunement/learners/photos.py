"""A person's photo is kept small and without hidden metadata (camera, time, GPS position).

A picture's size in pixels is read from its header before anything is decoded: a small file can describe a
huge picture (a 0.16 MB PNG of 13,000 × 13,000 pixels needs about 1 GB to decode), so pictures over
settings.LEARNER_PHOTO_MAX_PIXELS are refused unread. Pillow's own decompression-bomb limit is set to the
same number, so any other route to decoding such a picture fails too and gets the same message.
"""

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from attunement.forms import FileSizeLimit

LONGEST_SIDE = 512
NOT_A_PICTURE = "That file is not a picture we can read. Please choose a JPEG or PNG."
PHOTO_SIZE = FileSizeLimit("LEARNER_PHOTO_MAX_BYTES", "That photo is larger than {limit}. Please choose a smaller one.")

Image.MAX_IMAGE_PIXELS = settings.LEARNER_PHOTO_MAX_PIXELS


def too_many_pixels(size: tuple[int, int] | None = None) -> str:
    limit = settings.LEARNER_PHOTO_MAX_PIXELS / 1_000_000
    what = f"That picture is {size[0]:,} × {size[1]:,} pixels" if size else "That picture has too many pixels"
    return (
        f"{what}: the most we take is {limit:g} million pixels. "
        "Please choose a smaller picture, or save it smaller first."
    )


def check_pixels(upload) -> None:
    """Refuse a picture with more pixels than the limit, reading only its header; a file that is not a
    picture is left for the decoder to refuse. The file is left rewound."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as picture:
                size = picture.size
    except Image.DecompressionBombError:
        raise ValidationError(too_many_pixels()) from None
    except (UnidentifiedImageError, OSError, ValueError):
        return
    finally:
        upload.seek(0)
    if size[0] * size[1] > settings.LEARNER_PHOTO_MAX_PIXELS:
        raise ValidationError(too_many_pixels(size))


def prepared_photo(upload) -> ContentFile:
    """Re-encode an uploaded picture as a JPEG of at most 512 px, upright, with no EXIF data at all."""
    try:
        PHOTO_SIZE.check(getattr(upload, "size", None))
        check_pixels(upload)
    except ValidationError as error:
        raise ValidationError({"photo": error.messages[0]}) from None
    try:
        with Image.open(upload) as original:
            original.load()
            picture = ImageOps.exif_transpose(original).convert("RGB")
    except Image.DecompressionBombError:
        raise ValidationError({"photo": too_many_pixels()}) from None
    except (UnidentifiedImageError, OSError) as error:
        raise ValidationError({"photo": NOT_A_PICTURE}) from error
    picture.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def replace_photo(learner, upload) -> None:
    new = prepared_photo(upload)
    if learner.photo:
        learner.photo.delete(save=False)
    learner.photo.save(new.name, new, save=True)
