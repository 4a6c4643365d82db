"""What an uploaded file really is: hostile-content checks shared by the upload validators.

Each check reads the bytes (never the name) and raises ValidationError with a message the user can
act on. They refuse what a checking view cannot make safe afterwards: polyglots (a PDF or image that
is also a web page, an archive or a program), PDFs that run code (JavaScript, launch actions,
embedded files, XFA forms), decompression bombs and known test malware (EICAR).
"""

from __future__ import annotations

import logging
import re
import struct
from collections.abc import Iterator
from io import BytesIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Bytes allowed after a format's end marker (a stray newline from an old tool, not a payload).
TRAILING_TOLERANCE = 64
PDF_MAX_PAGES = 500
# Decoded PDF streams other than pictures, all together: a 10 MB file whose text, fonts and
# attachments inflate past this is a bomb. (Pictures are not decoded: a scan stored without JPEG
# compression is legitimately large, and pixels run nothing.)
PDF_MAX_DECODED_BYTES = 50 * 1024 * 1024
PDF_MAX_OBJECTS = 100_000

# Anything a browser or another program would read as a web page or script, wherever it sits.
_ACTIVE_MARKUP = re.compile(rb"<(?:html|script|!doctype|body|iframe|svg|object|embed)[\s>/]", re.IGNORECASE)
_EICAR = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"
# A Windows program anywhere (its DOS stub's message: long enough never to occur by chance in
# compressed data, unlike a 2- or 4-byte magic number, which is only checked at the start).
_PROGRAM_MARKERS = (b"This program cannot be run in DOS mode",)
_EXECUTABLE_HEADS = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa", b"#!")
# PDF names that make a reader run or open something: scripts, launch and remote actions,
# attached files (a virus rides in one), rich media and XFA forms (which carry scripts).
PDF_ACTIVE_NAMES = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
        "/GoToE",
        "/GoToR",
        "/ImportData",
        "/SubmitForm",
    }
)
_PDF_ACTIVE_RAW = re.compile(
    rb"/(?:" + b"|".join(re.escape(n[1:].encode()) for n in PDF_ACTIVE_NAMES) + rb")(?=[\s/<>\[\]()]|$)"
)

HOSTILE = _("The file contains web page, script or program code. Upload a plain PDF document or image.")
MALWARE = _("The file contains a program or a virus signature and was refused.")
SMUGGLED = _(
    "The file has extra data hidden before or after its content. Save or print it again as a plain "
    "PDF or image and upload that."
)
PDF_ACTIVE = _(
    "PDF documents with scripts, automatic actions, attached files or interactive forms are not "
    "accepted. Print it to a new PDF and upload that."
)
PDF_UNREADABLE = _("The PDF could not be read: it is damaged, empty or password-protected.")
PDF_TOO_BIG = _("The PDF is too large to check (at most %(pages)d pages).")


def _error(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def check_common(data: bytes) -> None:
    """Refuse programs, the EICAR signature and web markup anywhere in the bytes."""
    if data.startswith(_EXECUTABLE_HEADS) or any(marker in data for marker in _PROGRAM_MARKERS):
        raise _error(MALWARE, "executable")
    if _EICAR in data:
        raise _error(MALWARE, "malware")
    if _ACTIVE_MARKUP.search(data):
        raise _error(HOSTILE, "active_content")


# ---------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------
def _image_end(data: bytes, fmt: str) -> int | None:
    """Where the image's own bytes end, by its container format (None: cannot tell)."""
    if fmt == "PNG":
        at = data.rfind(b"IEND")
        return None if at < 0 else at + 8  # chunk type plus its CRC
    if fmt == "JPEG":
        at = data.rfind(b"\xff\xd9")
        return None if at < 0 else at + 2
    if fmt == "WEBP" and len(data) >= 8:
        return struct.unpack("<I", data[4:8])[0] + 8
    return None


def check_image_bytes(data: bytes, fmt: str) -> None:
    """Refuse an image that is also something else (web page, PDF, archive, program)."""
    check_common(data)
    # A second PDF, or a ZIP (also jar, docx, apk: both its local header and its directory end).
    if b"%PDF-" in data or (b"PK\x03\x04" in data and b"PK\x05\x06" in data):
        raise _error(HOSTILE, "polyglot")
    end = _image_end(data, fmt)
    if end is None or len(data) - end > TRAILING_TOLERANCE:
        raise _error(SMUGGLED, "trailing_data")


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------
def check_pdf_bytes(data: bytes) -> None:
    """Refuse a PDF that is not only a PDF, that runs code, or that cannot really be parsed."""
    check_common(data)
    if not data.startswith(b"%PDF-"):
        raise _error(SMUGGLED, "leading_data")
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise _error(PDF_UNREADABLE, "invalid_pdf")
    if len(data[end + 5 :].strip(b"\r\n\t \x00")) > TRAILING_TOLERANCE:
        raise _error(SMUGGLED, "trailing_data")
    if _PDF_ACTIVE_RAW.search(data):
        raise _error(PDF_ACTIVE, "pdf_active")
    _check_pdf_structure(data)


def _check_pdf_structure(data: bytes) -> None:
    from pypdf import PdfReader  # imported on first upload: most processes never read a PDF
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _error(PDF_UNREADABLE, "pdf_encrypted")
        pages = len(reader.pages)
        if pages == 0:
            raise _error(PDF_UNREADABLE, "invalid_pdf")
        if pages > PDF_MAX_PAGES:
            raise _error(PDF_TOO_BIG, "pdf_too_big", pages=PDF_MAX_PAGES)
        _check_pdf_objects(reader)
    except ValidationError:
        raise
    except (
        PyPdfError,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        IndexError,
        RecursionError,
        OSError,
    ) as exc:
        # pypdf raises many kinds on hostile input; any of them means "not a PDF we can vouch for".
        logger.info("PDF upload refused: %s: %s", type(exc).__name__, exc)
        raise _error(PDF_UNREADABLE, "invalid_pdf") from None


def _object_refs(reader) -> Iterator[tuple[int, int]]:
    for generation, table in reader.xref.items():
        for number in table:
            yield number, generation
    for number in reader.xref_objStm:
        yield number, 0


def _check_pdf_objects(reader) -> None:
    """Walk every object (also those inside object streams, where a raw byte scan sees nothing)."""
    from pypdf.generic import IndirectObject

    decoded = 0
    for count, (number, generation) in enumerate(_object_refs(reader)):
        if count > PDF_MAX_OBJECTS:
            raise _error(PDF_TOO_BIG, "pdf_too_big", pages=PDF_MAX_PAGES)
        obj = reader.get_object(IndirectObject(number, generation, reader))
        if obj is None:
            continue
        _check_names(obj, depth=0)
        if hasattr(obj, "get_data") and obj.get("/Subtype") != "/Image":
            content = obj.get_data()
            decoded += len(content)
            if decoded > PDF_MAX_DECODED_BYTES:
                raise _error(PDF_TOO_BIG, "pdf_too_big", pages=PDF_MAX_PAGES)
            if _EICAR in content or content.startswith((b"MZ", b"\x7fELF")):
                raise _error(MALWARE, "malware")


def _check_names(obj, depth: int) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    if depth > 32:
        return  # direct objects nest shallowly; deeper ones are reached through their own refs
    if isinstance(obj, NameObject):
        if obj in PDF_ACTIVE_NAMES:
            raise _error(PDF_ACTIVE, "pdf_active")
    elif isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            if key in PDF_ACTIVE_NAMES or key == "/AA":  # /AA: actions on open, close, page view
                raise _error(PDF_ACTIVE, "pdf_active")
            if key == "/OpenAction" and not _is_plain_destination(value):
                raise _error(PDF_ACTIVE, "pdf_active")
            if not _is_reference(value):
                _check_names(value, depth + 1)
    elif isinstance(obj, ArrayObject):
        for item in obj:
            if not _is_reference(item):
                _check_names(item, depth + 1)


def _is_reference(value) -> bool:
    from pypdf.generic import IndirectObject

    return isinstance(value, IndirectObject)


def _is_plain_destination(value) -> bool:
    """An /OpenAction that only opens a page (a destination or a GoTo action) runs nothing."""
    from pypdf.generic import ArrayObject, DictionaryObject

    value = value.get_object()
    if isinstance(value, ArrayObject):
        return True
    return isinstance(value, DictionaryObject) and value.get("/S") == "/GoTo"
