"""Small, valid PDFs made in the tests: one line of text per page in Helvetica (a standard font,
no file needed), built by hand with a correct cross-reference table; and the same encrypted with
pypdf's writer."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter


def _escaped(line: str) -> bytes:
    text = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return text.encode("cp1252")


def pdf_with_text(*pages: str) -> bytes:
    """A PDF with one page per string, the string written on it (Latin letters, æøå too)."""
    pages = pages or ("",)
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", font]
    kids: list[str] = []
    for line in pages:
        page_number = len(objects) + 1
        kids.append(f"{page_number} 0 R")
        stream = b"BT /F1 14 Tf 72 720 Td (" + _escaped(line) + b") Tj ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font "
            f"<< /F1 3 0 R >> >> /Contents {page_number + 1} 0 R >>".encode()
        )
        objects.append(
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream"
        )
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


OWNER_PASSWORD = "eier"


def encrypted(pdf: bytes, *, user_password: str) -> bytes:
    """`pdf` encrypted (AES-128); an empty user password opens it without asking."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password=OWNER_PASSWORD, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


__all__ = ["encrypted", "pdf_with_text"]
