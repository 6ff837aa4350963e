"""Product photos: judged by content, re-encoded (which drops EXIF and GPS metadata), resized."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600
THUMB_SIDE = 400
ACCEPTED = {"JPEG", "PNG", "WEBP"}


def process_photo(upload) -> tuple[ContentFile, ContentFile, int, int]:
    """(image, thumbnail, width, height), both JPEG, without metadata; else ValidationError."""
    if upload.size > settings.KATALOG_MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is too large; the limit is %(mb)s MB.") % {"mb": settings.KATALOG_MAX_PHOTO_BYTES // 1048576},
            code="too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            if img.format not in ACCEPTED:
                raise ValidationError(_("Upload a JPG, PNG or WebP photo."), code="bad_type")
            img.load()
            img = ImageOps.exif_transpose(img)  # keep the orientation the phone meant
            img = img.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("This file is not a photo we can read."), code="bad_image") from exc
    img.thumbnail((MAX_SIDE, MAX_SIDE))
    full = io.BytesIO()
    img.save(full, format="JPEG", quality=85, optimize=True)  # no exif= argument: metadata is dropped
    thumb_img = img.copy()
    thumb_img.thumbnail((THUMB_SIDE, THUMB_SIDE))
    thumb = io.BytesIO()
    thumb_img.save(thumb, format="JPEG", quality=80, optimize=True)
    return ContentFile(full.getvalue()), ContentFile(thumb.getvalue()), img.width, img.height
