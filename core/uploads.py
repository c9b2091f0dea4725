"""Uploads checked by what they contain, not by their name: images, PDF, Office files and text.

Every upload form calls these; each raises a ValidationError whose message names the file, so the
form shows it beside the field. The content decides: a PHP script named shell.jpg, or an HTML page
named page.pdf, is refused, and so is an image whose header claims more pixels than we decode.
"""

import codecs
import os
import warnings
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

#: At most 64 million pixels (e.g. 9248 × 6936, a phone's 64 MP mode): enough for any site photo,
#: far below what would exhaust a worker's memory when a page or an export decodes it.
MAX_IMAGE_PIXELS = 64_000_000
MAX_IMAGE_SIDE = 16_000

#: The kind of content each accepted extension must hold.
KIND_OF_EXTENSION = {
    ".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF", ".webp": "WEBP",
    ".pdf": "PDF", ".doc": "OLE", ".xls": "OLE", ".docx": "DOCX", ".xlsx": "XLSX", ".txt": "TEXT",
}
IMAGE_KINDS = {"JPEG", "PNG", "GIF", "WEBP"}
_HEAD = 64 * 1024
_MARKUP = (b"<!doctype", b"<html", b"<script", b"<?php", b"<svg", b"<?xml", b"<body", b"<head",
           b"<iframe")


def _read_head(upload) -> bytes:
    upload.seek(0)
    try:
        return upload.read(_HEAD)
    finally:
        upload.seek(0)


def _office_kind(upload) -> str | None:
    """DOCX or XLSX for an Office Open XML package, else None (any other ZIP)."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "DOCX"
    if "xl/workbook.xml" in names:
        return "XLSX"
    return None


def _is_plain_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith(_MARKUP):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            # Not final: the head may end inside a character.
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


def content_kind(upload) -> str | None:
    """What the upload holds, read from its first bytes: JPEG, PNG, GIF, WEBP, PDF, OLE (Word or
    Excel 97–2003), DOCX, XLSX, TEXT; None for anything else."""
    head = _read_head(upload)
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith(b"%PDF-"):
        return "PDF"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "OLE"
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(upload)
    if _is_plain_text(head):
        return "TEXT"
    return None


def check_image(upload, formats=frozenset({"JPEG", "PNG"})) -> str:
    """The image's format if Pillow reads it as one of `formats` within the size limits;
    else a ValidationError naming the file. Never lets Pillow's decompression-bomb error out."""
    name = getattr(upload, "name", "") or ""
    not_image = ValidationError(
        _("%(name)s is not an image of an accepted kind (%(kinds)s).")
        % {"name": name, "kinds": ", ".join(sorted(formats))}, code="not_image")
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                kind, (width, height) = image.format, image.size
                if width * height > MAX_IMAGE_PIXELS or max(width, height) > MAX_IMAGE_SIDE:
                    raise _too_large(name, width, height)
                image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(name, None, None) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise not_image from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds on a crafted file: not an image
        raise not_image from None
    finally:
        upload.seek(0)
    if kind not in formats:
        raise not_image
    return kind


def _too_large(name, width, height) -> ValidationError:
    if width is None:
        return ValidationError(
            _("%(name)s has too many pixels: at most %(mp)d million.")
            % {"name": name, "mp": MAX_IMAGE_PIXELS // 1_000_000}, code="too_many_pixels")
    return ValidationError(
        _("%(name)s is %(width)d × %(height)d pixels: at most %(mp)d million pixels and %(side)d "
          "on a side.")
        % {"name": name, "width": width, "height": height, "mp": MAX_IMAGE_PIXELS // 1_000_000,
           "side": MAX_IMAGE_SIDE}, code="too_many_pixels")


def check_document(upload, extensions=frozenset(KIND_OF_EXTENSION)) -> str:
    """The content kind of an evidence file whose extension is accepted and whose content is what
    the extension says (an image also within the size limits); else a ValidationError."""
    name = getattr(upload, "name", "") or ""
    extension = os.path.splitext(name)[1].lower()
    if extension not in extensions:
        raise ValidationError(_("%(name)s: this kind of file is not accepted.") % {"name": name},
                              code="extension")
    expected = KIND_OF_EXTENSION[extension]
    if content_kind(upload) != expected:
        raise ValidationError(
            _("%(name)s: its content is not what its name says (%(ext)s).")
            % {"name": name, "ext": extension}, code="content")
    if expected in IMAGE_KINDS:
        check_image(upload, formats={expected})
    return expected
