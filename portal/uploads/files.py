"""Uploaded files: checked by content (not by name), size-capped, stored under generated names.

A file is accepted only if it really is what the field takes: a PDF that pypdf parses and that runs
nothing, or a JPEG/PNG/WebP that Pillow decodes, and nothing else at once (portal/uploads/file_checks.py).
"""

from __future__ import annotations

import unicodedata
import uuid
import warnings
from io import BytesIO
from pathlib import PurePath, PureWindowsPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from portal.uploads import file_checks

IMAGE_MAX_BYTES = 5 * 1024 * 1024
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
IMAGE_MAX_PIXELS = 40_000_000  # refuse decompression bombs long before Pillow's own limit
# Pillow warns past this and refuses past twice this, in every process (thumbnails too).
Image.MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS
THUMBNAIL_SIZE = (480, 480)
STORED_EXTENSIONS = {"pdf", "jpg", "png", "webp"}
# Characters that must never reach a file name shown to a user or sent in a header: controls
# (NUL, newlines) and bidirectional overrides (U+202E makes "cod.exe" look like "exe.doc").
_BIDI_CONTROLS = {chr(c) for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))}


@deconstructible
class GeneratedName:
    """upload_to that keeps the folder and the checked extension, never the user's file name."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance: Model, filename: str) -> str:
        # The validators renamed the file after its content; anything else is stored as .bin,
        # which the media view serves as an attachment.
        extension = PurePath(filename).suffix.lower().lstrip(".")
        extension = extension if extension in STORED_EXTENSIONS else "bin"
        return f"{self.folder}/{uuid.uuid4().hex}.{extension}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GeneratedName) and other.folder == self.folder


def safe_filename(name: str, default: str = "file") -> str:
    """A user-supplied file name fit to show or to send: no folders, controls or bidi overrides."""
    name = PureWindowsPath(PurePath(name.replace("\x00", "")).name).name  # "../a", "c:\\x\\a"
    name = "".join(
        # Cc: NUL, newlines and other controls. Format characters stay (Persian needs the
        # zero-width non-joiner), except the bidirectional controls.
        char
        for char in name
        if char not in _BIDI_CONTROLS and unicodedata.category(char) != "Cc"
    )
    name = name.strip(" .")[:120]
    return name or default


def _head(file: UploadedFile, size: int = 8) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def _content(file: UploadedFile) -> bytes:
    # Read whole: the size was capped first (10 MB at most), and every check needs all of it.
    file.seek(0)
    data = file.read()
    file.seek(0)
    return data


def _check_size(file: UploadedFile, limit: int) -> None:
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("The file is too large (at most %(limit)d MB).") % {"limit": limit // (1024 * 1024)},
            code="file_too_large",
        )


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The picture is too large (at most %(megapixels)d megapixels)."),
        code="image_too_large",
        params={"megapixels": IMAGE_MAX_PIXELS // 1_000_000},
    )


def _image_format(file: UploadedFile) -> str | None:
    """The picture's format if Pillow decodes all of it; raises for a decompression bomb."""
    try:
        file.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                if image.width * image.height > IMAGE_MAX_PIXELS:
                    raise _too_many_pixels()
                fmt = image.format
                image.load()  # decode it all: verify() alone lets a truncated JPEG through
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return None
    finally:
        file.seek(0)
    return fmt if fmt in IMAGE_FORMATS else None


def _rename(file: UploadedFile, extension: str) -> None:
    # The stored extension follows the content, whatever the user called the file.
    file.name = f"upload.{extension}"


def _already_stored(file: UploadedFile) -> bool:
    # A file already in storage was checked when it was uploaded; model validation runs again
    # on every save, and must neither re-read nor rename it. An empty field has nothing to check.
    return not file or bool(getattr(file, "_committed", False))


def cleared_to_empty(fields: dict) -> dict:
    """Forms give False for a file whose "clear" box was ticked; models store that as ""."""
    return {name: "" if value is False else value for name, value in fields.items()}


def validate_image(file: UploadedFile) -> None:
    """A JPEG, PNG or WebP picture of at most 5 MB."""
    if _already_stored(file):
        return
    _check_size(file, IMAGE_MAX_BYTES)
    data = _content(file)
    file_checks.check_common(data)
    fmt = _image_format(file)
    if fmt is None:
        raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="invalid_image")
    file_checks.check_image_bytes(data, fmt)
    _rename(file, IMAGE_FORMATS[fmt])


def validate_pdf(file: UploadedFile) -> None:
    """A PDF document of at most 10 MB."""
    if _already_stored(file):
        return
    _check_size(file, DOCUMENT_MAX_BYTES)
    data = _content(file)
    file_checks.check_common(data)
    if not data.startswith(b"%PDF-"):
        raise ValidationError(_("Upload a PDF document."), code="invalid_pdf")
    file_checks.check_pdf_bytes(data)
    _rename(file, "pdf")


def validate_image_or_pdf(file: UploadedFile) -> None:
    """A PDF (up to 10 MB) or a JPEG/PNG/WebP image (up to 5 MB)."""
    if _already_stored(file):
        return
    if _head(file, 5) == b"%PDF-":
        validate_pdf(file)
        return
    _check_size(file, IMAGE_MAX_BYTES)
    data = _content(file)
    file_checks.check_common(data)
    fmt = _image_format(file)
    if fmt is None:
        raise ValidationError(_("Upload a PDF document or a JPEG, PNG or WebP image."), code="invalid_file")
    file_checks.check_image_bytes(data, fmt)
    _rename(file, IMAGE_FORMATS[fmt])


def make_thumbnail(source, size: tuple[int, int] = THUMBNAIL_SIZE) -> ContentFile:
    """A JPEG thumbnail (white background for transparent images) of an image file."""
    source.open("rb")
    try:
        with Image.open(source) as image:
            image = image.convert("RGBA") if image.mode in ("P", "LA") else image
            image.thumbnail(size)
            if image.mode == "RGBA":
                background = Image.new("RGB", image.size, "white")
                background.paste(image, mask=image.split()[-1])
                image = background
            buffer = BytesIO()
            image.convert("RGB").save(buffer, "JPEG", quality=82, optimize=True)
    finally:
        source.close()
    return ContentFile(buffer.getvalue(), name="thumbnail.jpg")
