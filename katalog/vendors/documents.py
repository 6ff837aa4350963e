"""Uploaded documents are judged by their bytes, never by their name or declared type
(`katalog.core.uploads.check_document`: size, type, polyglots, pixels)."""

from katalog.core.uploads import check_document

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}

__all__ = ["ALLOWED", "check_document"]
