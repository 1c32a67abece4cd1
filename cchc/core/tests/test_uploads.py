"""Uploads are accepted by content and name together, active PDFs and image bombs are refused,
and files are stored under generated names and served with their detected type (issue 15,
finding 2)."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cchc.core.errors import Invalid
from cchc.core.uploads import check_scan, stored_name

PLAIN_PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def refused(name: str, data: bytes) -> str:
    with pytest.raises(Invalid) as caught:
        check_scan(upload(name, data))
    return caught.value.code


def png(width: int = 20, height: int = 10) -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


def test_html_that_starts_like_a_pdf_is_refused_by_its_name():
    html = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>"
    assert refused("x.html", html) == "scan_name"
    assert refused("khong-duoi", PLAIN_PDF) == "scan_name"
    assert check_scan(upload("to-khai.PDF", PLAIN_PDF)) == "application/pdf"


@pytest.mark.parametrize(
    "body",
    [
        b"1 0 obj<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>endobj",
        b"1 0 obj<< /OpenAction << /S /Launch /F (cmd.exe) >> >>endobj",
        b"1 0 obj<< /OpenAction << /S /J#61vaScript /JS (x) >> >>endobj",  # escaped name
        b"2 0 obj<< /Length 40 /Filter /FlateDecode >>stream\n"
        + zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")
        + b"\nendstream\nendobj",  # hidden in a compressed stream
    ],
)
def test_a_pdf_carrying_a_script_or_a_launch_action_is_refused(body):
    assert refused("don.pdf", b"%PDF-1.7\n" + body + b"\n%%EOF\n") == "scan_active"


def test_an_image_whose_pixels_would_flood_memory_is_refused(settings):
    data = bytearray(png())
    # rewrite the IHDR chunk: 60,000 × 60,000 pixels, with its CRC, as a bomb would
    ihdr = b"IHDR" + struct.pack(">II", 60000, 60000) + bytes(data[24:29])
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr))
    assert refused("anh.png", bytes(data)) == "scan_too_large"
    assert check_scan(upload("anh.png", png())) == "image/png"
    assert refused("anh.jpg", png()) == "scan_name"  # a PNG is not a JPEG


def test_stored_names_are_generated_with_the_detected_extension():
    first, second = stored_name("application/pdf"), stored_name("application/pdf")
    assert first != second and first.endswith(".pdf") and len(first) == 36
    assert stored_name("image/jpeg").endswith(".jpg")
