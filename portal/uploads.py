"""Uploaded files: checked by content (not by name), size-capped, stored under generated names."""

from __future__ import annotations

import uuid
from io import BytesIO
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

IMAGE_MAX_BYTES = 5 * 1024 * 1024
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
IMAGE_MAX_PIXELS = 40_000_000  # refuse decompression bombs long before Pillow's own limit
THUMBNAIL_SIZE = (480, 480)


@deconstructible
class GeneratedName:
    """upload_to that keeps the folder and the checked extension, never the user's file name."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance: Model, filename: str) -> str:
        extension = PurePath(filename).suffix.lower().lstrip(".")[:5] or "bin"
        return f"{self.folder}/{uuid.uuid4().hex}.{extension}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GeneratedName) and other.folder == self.folder


def _head(file: UploadedFile, size: int = 8) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def _check_size(file: UploadedFile, limit: int) -> None:
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("The file is too large (at most %(limit)d MB).") % {"limit": limit // (1024 * 1024)},
            code="file_too_large",
        )


def _image_format(file: UploadedFile) -> str | None:
    try:
        file.seek(0)
        with Image.open(file) as image:
            if image.width * image.height > IMAGE_MAX_PIXELS:
                return None
            fmt = image.format
            image.load()  # decode it all: verify() alone lets a truncated JPEG through
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
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
    fmt = _image_format(file)
    if fmt is None:
        raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="invalid_image")
    _rename(file, IMAGE_FORMATS[fmt])


def validate_pdf(file: UploadedFile) -> None:
    """A PDF document of at most 10 MB."""
    if _already_stored(file):
        return
    _check_size(file, DOCUMENT_MAX_BYTES)
    if _head(file, 5) != b"%PDF-":
        raise ValidationError(_("Upload a PDF document."), code="invalid_pdf")
    _rename(file, "pdf")


def validate_image_or_pdf(file: UploadedFile) -> None:
    """A PDF (up to 10 MB) or a JPEG/PNG/WebP image (up to 5 MB)."""
    if _already_stored(file):
        return
    if _head(file, 5) == b"%PDF-":
        validate_pdf(file)
        return
    _check_size(file, IMAGE_MAX_BYTES)
    fmt = _image_format(file)
    if fmt is None:
        raise ValidationError(_("Upload a PDF document or a JPEG, PNG or WebP image."), code="invalid_file")
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
