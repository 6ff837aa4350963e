"""Every uploaded file is judged here, by its size and its bytes, before anything decodes it.

One module for every upload of the product (product photos, delivery and refusal photos, vendor
documents, CSV/XLSX imports), on the pages and in the API alike:

- the size is read from the upload (`upload.size`, known before its bytes are read) against a limit
  per kind of file (`KATALOG_MAX_PHOTO_BYTES`, `KATALOG_MAX_DOCUMENT_BYTES`, `KATALOG_MAX_IMPORT_BYTES`);
  a request body larger than any of them (`KATALOG_MAX_REQUEST_BYTES`) is answered 413 by
  `RequestSizeLimitMiddleware` before Django reads it;
- the type is read from the bytes, never from the name or the declared content type; a name whose
  extension says another type ("a PDF named .jpg", "an HTML page named .png") is refused, as are
  SVG (an image that may carry a script), HTML and XML whatever they are called;
- a polyglot (a valid JPEG, PNG, WebP or PDF followed by a ZIP, a JAR, an HTML page or a script,
  e.g. a GIFAR) is refused: the bytes after the end of the image are searched for them;
- an image's width × height is read from its header (Pillow's `Image.open`, which does not decode)
  and refused above `KATALOG_MAX_IMAGE_PIXELS` (40 megapixels) before any pixel is decoded; Pillow's
  own bomb guard (`Image.MAX_IMAGE_PIXELS`) is set to the same number.

Each refusal is a `ValidationError` with a code and a message in the user's language; a form shows it
under its field and keeps everything else that was typed.
"""

import io
import re
import struct
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

JPEG, PNG, WEBP, GIF, PDF, ZIP = "JPEG", "PNG", "WEBP", "GIF", "PDF", "ZIP"
PHOTO_TYPES = (JPEG, PNG, WEBP)
DOCUMENT_TYPES = (PDF, JPEG, PNG)
CONTENT_TYPES = {JPEG: "image/jpeg", PNG: "image/png", WEBP: "image/webp", PDF: "application/pdf"}

# What a name's extension claims; a name without one of these (e.g. "blob" from a phone camera) is
# judged by its bytes alone.
EXTENSIONS = {
    "jpg": JPEG,
    "jpeg": JPEG,
    "jpe": JPEG,
    "jfif": JPEG,
    "png": PNG,
    "webp": WEBP,
    "gif": GIF,
    "pdf": PDF,
    "zip": ZIP,
    "xlsx": ZIP,
    "svg": "SVG",
    "svgz": "SVG",
    "html": "HTML",
    "htm": "HTML",
    "xhtml": "HTML",
    "xml": "XML",
    "csv": "TEXT",
    "txt": "TEXT",
}

# Signs of an active format hidden after an image or PDF (a polyglot): archives (ZIP, JAR, so GIFAR),
# markup and scripts a browser would run, another PDF.
_TRAILER_SIGNS = re.compile(
    rb"PK\x03\x04|PK\x05\x06|PK\x01\x02|%PDF-|<\s*(?:html|script|svg|iframe|body|object|embed|!doctype|\?xml|\?php)",
    re.IGNORECASE,
)
_MARKUP_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*<\s*(?:\?xml|!doctype|!--|svg|html|head|body|script|iframe|a\b|div|img|object)",
    re.IGNORECASE,
)
_HEAD = 8192


def _mb(limit: int) -> str:
    return f"{limit / 1048576:.0f}" if limit % 1048576 == 0 else f"{limit / 1048576:.1f}"


def _read_all(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def sniff(head: bytes) -> str | None:
    """The type the bytes say (JPEG, PNG, WEBP, GIF, PDF, ZIP, SVG, HTML, XML), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ZIP
    if head.startswith(b"\x1f\x8b"):
        return "GZIP"  # e.g. an .svgz
    if _MARKUP_START.match(head):
        text = head.lower()
        if b"<svg" in text:
            return "SVG"
        if b"<html" in text or b"<!doctype html" in text or b"<script" in text or b"<body" in text:
            return "HTML"
        return "XML"
    return None


# --- Where a format ends (the bytes after it are a polyglot's second file) ------------------------


def _png_end(data: bytes) -> int | None:
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        pos += 12 + length
        if kind == b"IEND":
            return pos
    return None


def _jpeg_end(data: bytes) -> int | None:
    """The offset after the EOI marker, walking the segments and the entropy-coded data."""
    pos, n = 2, len(data)
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= n:
                    return None
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    pos += 1 if following == 0xFF else 2
                    continue
                break
    return None


def _webp_end(data: bytes) -> int | None:
    (size,) = struct.unpack("<I", data[4:8])
    return 8 + size + (size & 1)


def _pdf_end(data: bytes) -> int | None:
    end = data.rfind(b"%%EOF")
    return None if end < 0 else end + 5


def _gif_end(data: bytes) -> int | None:
    end = data.rfind(b"\x3b")  # the trailer byte; a GIFAR's ZIP follows it, and is found anyway
    return None if end < 0 else end + 1


_ENDS = {PNG: _png_end, JPEG: _jpeg_end, WEBP: _webp_end, PDF: _pdf_end, GIF: _gif_end}


def find_appended(data: bytes, kind: str) -> bool:
    """True when an archive, markup or script hides in `data` beyond the end of its `kind`."""
    if kind == GIF and _TRAILER_SIGNS.search(data):
        return True
    end = _ENDS[kind](data)
    if end is None:
        return False  # the decoder judges a truncated file
    return bool(_TRAILER_SIGNS.search(data, end))


# --- The checks -----------------------------------------------------------------------------------


def check_size(upload, limit: int, *, what: str = "") -> None:
    """Refuse an upload larger than `limit` bytes, from its size alone (nothing is read)."""
    size = getattr(upload, "size", None)
    if size is None or size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": _mb(size or 0) if size else "?", "limit": _mb(limit)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")


def _name_claims(upload) -> str | None:
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    if "." not in name:
        return None
    return EXTENSIONS.get(name.rsplit(".", 1)[-1].lower())


def _refuse_markup(kind: str | None) -> None:
    if kind == "SVG":
        raise ValidationError(_("SVG files are not accepted: they can carry scripts. Upload a JPG or PNG."), code="svg")
    if kind in ("HTML", "XML"):
        raise ValidationError(_("This file is a web page, not a photo or a document."), code="markup")


def check_type(
    upload, accepted: tuple[str, ...], *, type_message: str, unknown: ValidationError | None = None
) -> tuple[str, bytes]:
    """(the type its bytes say, the bytes): refused when not in `accepted`, when its name says another
    type, or when a second file is hidden behind it."""
    data = _read_all(upload)
    kind = sniff(data[:_HEAD])
    _refuse_markup(kind)
    if kind is None and unknown is not None:
        raise unknown
    if kind not in accepted:
        raise ValidationError(type_message, code="bad_type")
    claimed = _name_claims(upload)
    _refuse_markup(claimed)
    if claimed is not None and claimed != kind:
        raise ValidationError(
            _("The file name says %(claimed)s but the file is %(real)s. Upload the original file.")
            % {"claimed": claimed, "real": kind},
            code="name_mismatch",
        )
    if find_appended(data, kind):
        raise ValidationError(
            _("This file has another file hidden after its end. Save it again as a plain photo or PDF."),
            code="polyglot",
        )
    return kind, data


def open_image(upload):
    """The image opened lazily (header only) after its pixels are counted; ValidationError if too many.

    The caller decodes it (`load()`) knowing it fits the limit."""
    from PIL import Image, UnidentifiedImageError

    limit = int(settings.KATALOG_MAX_IMAGE_PIXELS)
    Image.MAX_IMAGE_PIXELS = limit  # Pillow's own guard: a warning above, an error above twice this
    try:
        with warnings.catch_warnings():  # between the limit and twice it Pillow only warns: refused below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(_read_all(upload)))  # reads the header only; the upload stays open
    except Image.DecompressionBombError as exc:  # more than twice the limit: Pillow refuses at once
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_many_pixels(limit, int(found.group(1)) if found else 2 * limit + 1) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ValidationError(_("This file is not a photo we can read."), code="bad_image") from exc
    width, height = img.size
    if width * height > limit:  # Pillow only warns between the limit and twice the limit
        img.close()
        raise _too_many_pixels(limit, width * height)
    return img


def _too_many_pixels(limit: int, pixels: int) -> ValidationError:
    return ValidationError(
        _("The photo has %(mp)s megapixels; the limit is %(limit)s megapixels. Send a smaller photo.")
        % {"mp": f"{pixels / 1_000_000:.0f}", "limit": f"{limit / 1_000_000:g}"},
        code="too_many_pixels",
    )


def check_photo(upload) -> str:
    """A product, delivery or refusal photo: JPG, PNG or WebP within the size and pixel limits.
    Returns its type; the caller decodes it (see `katalog.catalogue.photos.process_photo`)."""
    check_size(upload, int(settings.KATALOG_MAX_PHOTO_BYTES))
    kind, _data = check_type(
        upload,
        PHOTO_TYPES,
        type_message=_("Upload a JPG, PNG or WebP photo."),
        unknown=ValidationError(_("This file is not a photo we can read."), code="bad_image"),
    )
    open_image(upload).close()
    return kind


def check_document(upload) -> tuple[str, str]:
    """A vendor's document: PDF, JPG or PNG within the size limit (an image also within the pixel
    limit). Returns (extension, content type)."""
    check_size(upload, int(settings.KATALOG_MAX_DOCUMENT_BYTES))
    kind, data = check_type(upload, DOCUMENT_TYPES, type_message=_("Upload a PDF, JPG or PNG file."))
    if kind == PDF:
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(_("This PDF looks damaged or incomplete."), code="bad_pdf")
    else:
        img = open_image(upload)
        try:
            img.verify()
        except Exception as exc:  # Pillow raises many types for broken images
            raise ValidationError(_("This image looks damaged."), code="bad_image") from exc
        finally:
            img.close()
    return {PDF: "pdf", JPEG: "jpg", PNG: "png"}[kind], CONTENT_TYPES[kind]


def check_table_file(upload) -> None:
    """A CSV or XLSX file to import: within the size limit, and an XLSX (a ZIP) or text, never a
    PDF, an image or a web page whatever its name."""
    check_size(upload, int(settings.KATALOG_MAX_IMPORT_BYTES))
    upload.seek(0)
    head = upload.read(_HEAD)
    upload.seek(0)
    kind = sniff(head)
    _refuse_markup(kind)
    claimed = _name_claims(upload)
    if kind == ZIP and claimed in (ZIP, None):
        return
    if kind is None and claimed in ("TEXT", None) and b"\x00" not in head:
        return
    raise ValidationError(_("Upload a CSV or XLSX file."), code="bad_type")


# Form field validators: `forms.FileField(validators=[validate_photo])`.


def validate_photo(upload) -> None:
    check_photo(upload)


def validate_document(upload) -> None:
    check_document(upload)


def validate_table_file(upload) -> None:
    check_table_file(upload)


# --- Request bodies -------------------------------------------------------------------------------


class RequestSizeLimitMiddleware:
    """A request whose declared body is larger than `KATALOG_MAX_REQUEST_BYTES` is answered 413 before
    anything reads it (the largest file accepted is an import of `KATALOG_MAX_IMPORT_BYTES`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = int(settings.KATALOG_MAX_REQUEST_BYTES)
        if length > limit:
            message = _("The request is too large; the limit is %(limit)s MB.") % {"limit": _mb(limit)}
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "too_large", "message": message, "fields": {"request": [message]}}, status=413
                )
            response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
            response["Connection"] = "close"
            return response
        return self.get_response(request)
