"""Product photos: judged by content, re-encoded (which drops EXIF and GPS metadata), resized."""

import base64
import io
import re
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600
THUMB_SIDE = 400
ACCEPTED = {"JPEG", "PNG", "WEBP"}


def process_photo(upload) -> tuple[ContentFile, ContentFile, int, int]:
    """(image, thumbnail, width, height), both JPEG, without metadata; else ValidationError."""
    from katalog.core.uploads import check_photo, open_image

    check_photo(upload)  # size, type by content, name, polyglot, pixels: all before decoding
    try:
        with open_image(upload) as img:
            img.draft("RGB", (MAX_SIDE, MAX_SIDE))  # a JPEG decodes at a reduced scale: less CPU and memory
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


# --- A photo kept across a validation error ---------------------------------------------------------
#
# A phone owner who picked a photo and then left the unit empty must not pick the photo again. The
# photo is checked and re-encoded at once (as above), then kept as two small JPEG files under
# MEDIA_ROOT/tmp/ named by a random token; the token is remembered in the user's session and sent back
# in a hidden field, so only the session that uploaded it can use it. Not in the session itself: a
# 1600 px JPEG is a few hundred KB, written back to the session store on every request. Files older
# than a day are removed whenever a new one is kept (no scheduler needed).

KEPT_DIR = "tmp"
KEPT_MAX_AGE = timedelta(days=1)
SESSION_KEY = "kept_photos"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _kept_names(token: str) -> tuple[str, str]:
    return f"{KEPT_DIR}/{token}.jpg", f"{KEPT_DIR}/{token}-thumb.jpg"


def clean_kept_photos(now=None) -> int:
    """Remove kept photos older than a day; returns how many files went."""
    now = now or timezone.now()
    try:
        _dirs, files = default_storage.listdir(KEPT_DIR)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    removed = 0
    for name in files:
        path = f"{KEPT_DIR}/{name}"
        try:
            if now - default_storage.get_modified_time(path) > KEPT_MAX_AGE:
                default_storage.delete(path)
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def keep_photo(session, upload) -> str:
    """Check and re-encode `upload`, keep it for this session; returns its token (ValidationError if bad)."""
    image, thumb, _w, _h = process_photo(upload)
    clean_kept_photos()
    token = secrets.token_hex(16)
    full_name, thumb_name = _kept_names(token)
    default_storage.save(full_name, image)
    default_storage.save(thumb_name, thumb)
    tokens = [t for t in session.get(SESSION_KEY, []) if default_storage.exists(_kept_names(t)[0])][-4:]
    session[SESSION_KEY] = [*tokens, token]
    return token


def kept_photo(session, token: str | None) -> ContentFile | None:
    """The kept photo of this session under `token`, as an upload; None if unknown, foreign or gone."""
    if not token or not _TOKEN.match(token) or token not in session.get(SESSION_KEY, []):
        return None
    full_name, _thumb = _kept_names(token)
    try:
        with default_storage.open(full_name, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return None
    return ContentFile(data, name="kept.jpg")


def kept_thumbnail_data_uri(session, token: str | None) -> str:
    """A `data:` URI of the kept photo's thumbnail (shown without a media URL), or ""."""
    if kept_photo(session, token) is None:
        return ""
    _full, thumb_name = _kept_names(token)
    try:
        with default_storage.open(thumb_name, "rb") as fh:
            return "data:image/jpeg;base64," + base64.b64encode(fh.read()).decode("ascii")
    except FileNotFoundError:
        return ""


def forget_kept_photo(session, token: str | None) -> None:
    """Once the photo is saved with its product, its kept copy goes."""
    if not token or token not in session.get(SESSION_KEY, []):
        return
    session[SESSION_KEY] = [t for t in session[SESSION_KEY] if t != token]
    for name in _kept_names(token):
        default_storage.delete(name)
