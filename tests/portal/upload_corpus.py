"""Hostile uploads, each built in code: the audit's cases and their close relatives.

Each entry is (bytes, the error codes a refusal may carry). Builders stay small and readable so that
a reviewer can see exactly what each file is; nothing here is a real threat (EICAR is the industry's
harmless test string).
"""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

# The EICAR test file: every antivirus flags it, by agreement; it does nothing.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def png(size: tuple[int, int] = (32, 24), mode: str = "RGB", **save) -> bytes:
    buffer = BytesIO()
    Image.new(mode, size, "teal" if mode == "RGB" else 1).save(buffer, "PNG", **save)
    return buffer.getvalue()


def jpeg(**save) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (32, 24), "navy").save(buffer, "JPEG", **save)
    return buffer.getvalue()


def webp() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (32, 24), "olive").save(buffer, "WEBP")
    return buffer.getvalue()


def pdf(build=None, pages: int = 1) -> bytes:
    """A blank PDF, after `build(writer)` has added whatever the case needs."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if build:
        build(writer)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _script_action() -> DictionaryObject:
    return DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1);")}
    )


def _with_javascript(writer: PdfWriter) -> None:
    # A document-level script, in the catalog's name tree, as Acrobat writes one.
    tree = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(_script_action())])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


def _with_launch_action(writer: PdfWriter) -> None:
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


def _with_open_action_script(writer: PdfWriter) -> None:
    # The name written with a #-escape (/J#53 is /JS): a raw byte scan misses it, the parser does not.
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(_script_action())


def _with_eicar_attachment(writer: PdfWriter) -> None:
    writer.add_attachment("readme.com", EICAR)


def _with_compressed_eicar_attachment(writer: PdfWriter) -> None:
    writer.add_attachment("readme.com", EICAR)
    for obj in writer._objects:
        if isinstance(obj, StreamObject):
            obj.set_data(obj.get_data())
            compressed = obj.flate_encode()
            obj.clear()
            obj.update(compressed)
            obj._data = compressed._data


def _with_page_actions(writer: PdfWriter) -> None:
    writer.pages[0][NameObject("/AA")] = DictionaryObject()


def _with_flate_bomb(writer: PdfWriter) -> None:
    # 60 MB of zeros in a 60 KB stream: a content stream that inflates past the checker's cap.
    stream = StreamObject()
    stream._data = zlib.compress(b"\0" * (60 * 1024 * 1024), 9)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream[NameObject("/Length")] = NumberObject(len(stream._data))
    writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)


def pdf_with_escaped_js_name() -> bytes:
    data = pdf(_with_open_action_script)
    assert b"/JavaScript" in data
    assert b"/JS " in data
    return data.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")


def png_header_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG that claims 900 megapixels in a few hundred bytes (the header is all Pillow needs)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\0" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def pdf_html_polyglot() -> bytes:
    # A browser sniffing the start sees a web page in a comment right after the header.
    data = pdf()
    return data.replace(b"\n", b"\n%" + HTML + b"\n", 1)


def png_with_text_chunk(text: bytes) -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text.decode("latin-1"))
    return png(pnginfo=info)


def zip_file() -> bytes:
    import zipfile

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", "hello")
    return buffer.getvalue()


MZ = b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 120

# name -> (bytes, codes a refusal may carry). Callables, so that only the cases a test uses are built.
HOSTILE = {
    "pdf_html_polyglot": (pdf_html_polyglot, {"active_content"}),
    "png_html_polyglot": (lambda: png() + HTML, {"active_content"}),
    "html_then_png": (lambda: HTML + png(), {"active_content"}),
    "png_html_in_text_chunk": (lambda: png_with_text_chunk(HTML), {"active_content"}),
    "jpeg_script_in_comment": (lambda: jpeg(comment=b"<script>alert(1)</script>"), {"active_content"}),
    "png_then_pdf": (lambda: png() + pdf(), {"polyglot", "trailing_data"}),
    "png_then_zip": (lambda: png() + zip_file(), {"polyglot", "trailing_data"}),
    "png_trailing_data": (lambda: png() + b"\x01" * 500, {"trailing_data"}),
    "jpeg_trailing_data": (lambda: jpeg() + b"\x01" * 500, {"trailing_data"}),
    "svg_as_png": (
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        {"active_content"},
    ),
    "pdf_data_before_header": (lambda: b"\x00" * 200 + pdf(), {"invalid_file", "invalid_pdf"}),
    "pdf_data_after_eof": (lambda: pdf() + b"\x01" * 500, {"trailing_data"}),
    "pdf_then_zip": (lambda: pdf() + zip_file(), {"trailing_data"}),
    "pdf_javascript": (lambda: pdf(_with_javascript), {"pdf_active"}),
    "pdf_launch_action": (lambda: pdf(_with_launch_action), {"pdf_active"}),
    "pdf_open_action_escaped_name": (pdf_with_escaped_js_name, {"pdf_active"}),
    "pdf_page_actions": (lambda: pdf(_with_page_actions), {"pdf_active"}),
    "pdf_eicar_attachment": (lambda: pdf(_with_eicar_attachment), {"malware", "pdf_active"}),
    "pdf_compressed_eicar_attachment": (lambda: pdf(_with_compressed_eicar_attachment), {"pdf_active"}),
    "pdf_flate_bomb": (lambda: pdf(_with_flate_bomb), {"pdf_too_big", "invalid_pdf"}),
    "pdf_too_many_pages": (lambda: pdf(pages=501), {"pdf_too_big"}),
    "pdf_encrypted": (lambda: pdf(lambda w: w.encrypt("secret", algorithm="RC4-40")), {"pdf_encrypted"}),
    "pdf_truncated": (lambda: pdf()[:120], {"invalid_pdf"}),
    "eicar_plain": (lambda: EICAR, {"malware"}),
    "eicar_in_png": (lambda: png_with_text_chunk(EICAR), {"malware"}),
    "windows_program": (lambda: MZ, {"executable"}),
    "linux_program": (lambda: ELF, {"executable"}),
    "png_decompression_bomb": (png_header_bomb, {"image_too_large"}),
    "png_just_past_the_pixel_cap": (lambda: png_header_bomb(8_000, 6_000), {"image_too_large"}),
}

# Files that must still be accepted: the checks must not refuse ordinary documents.
HARMLESS = {
    "png": png,
    "jpeg": jpeg,
    "jpeg_with_comment": lambda: jpeg(comment=b"Scanned at the chamber of commerce"),
    "webp": webp,
    "pdf": pdf,
    "pdf_ten_pages": lambda: pdf(pages=10),
    "pdf_trailing_newlines": lambda: pdf() + b"\r\n\r\n",
}
