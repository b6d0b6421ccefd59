"""A person's photo is kept small and without hidden metadata (camera, time, GPS position)."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

LONGEST_SIDE = 512


def prepared_photo(upload) -> ContentFile:
    """Re-encode an uploaded picture as a JPEG of at most 512 px, upright, with no EXIF data at all."""
    try:
        with Image.open(upload) as original:
            original.load()
            picture = ImageOps.exif_transpose(original).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(
            {"photo": "That file is not a picture we can read. Please choose a JPEG or PNG."}
        ) from error
    picture.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def replace_photo(learner, upload) -> None:
    new = prepared_photo(upload)
    if learner.photo:
        learner.photo.delete(save=False)
    learner.photo.save(new.name, new, save=True)
