"""Uploaded documents are judged by their bytes, never by their name or declared type."""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def check_document(upload) -> tuple[str, str]:
    """(extension, content type) of an acceptable upload, else ValidationError."""
    limit = settings.KATALOG_MAX_DOCUMENT_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1048576, 1), "limit": round(limit / 1048576, 1)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED:
        raise ValidationError(_("Upload a PDF, JPG or PNG file."), code="bad_type")
    if kind.mime == "application/pdf":
        upload.seek(max(0, upload.size - 2048))
        tail = upload.read()
        upload.seek(0)
        if b"%%EOF" not in tail:
            raise ValidationError(_("This PDF looks damaged or incomplete."), code="bad_pdf")
    else:
        from PIL import Image

        try:
            with Image.open(upload) as img:
                img.verify()
        except Exception as exc:  # Pillow raises many types for broken images
            raise ValidationError(_("This image looks damaged."), code="bad_image") from exc
        finally:
            upload.seek(0)
    return ALLOWED[kind.mime], kind.mime
