"""Small valid files of each accepted type, for paper uploads in tests."""

import io
import zipfile


def pdf(text: str = "Agenda paper", pad: int = 0) -> bytes:
    body = f"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {text}\n".encode()
    return body + b"%" * pad + b"\n%%EOF\n"


def png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            compress = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=compress)
    return out.getvalue()


def docx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def xlsx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def odt() -> bytes:
    return _zip(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"}
    )


def plain_zip() -> bytes:
    return _zip({"notes.txt": b"not a document"})
