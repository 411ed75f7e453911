"""What a file is, from its bytes: the client's word (declared type, extension) is checked
against the content, never trusted.

PDF, PNG and JPEG open with magic numbers. DOCX, XLSX and ODT are zip archives: an Office
Open XML file holds ``[Content_Types].xml`` and ``word/document.xml`` or ``xl/workbook.xml``;
an OpenDocument text starts with an uncompressed ``mimetype`` member naming its type.
"""

import zipfile
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class Kind:
    name: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("PDF", "application/pdf", (".pdf",))
PNG = Kind("PNG", "image/png", (".png",))
JPEG = Kind("JPEG", "image/jpeg", (".jpg", ".jpeg"))
DOCX = Kind(
    "DOCX",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = Kind("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
ODT = Kind("ODT", "application/vnd.oasis.opendocument.text", (".odt",))
KINDS = (PDF, PNG, JPEG, DOCX, XLSX, ODT)
ALLOWED = ", ".join(k.name for k in KINDS)
# What a browser sends when it does not know a file's type: no claim to check.
UNDECLARED = frozenset({"", "application/octet-stream"})

MAGIC: tuple[tuple[bytes, Kind], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)
ZIP_MAGIC = b"PK\x03\x04"
MAX_MIMETYPE_BYTES = 100


def _zip_kind(stream: BinaryIO) -> Kind | None:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= MAX_MIMETYPE_BYTES:
                    mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                    if mimetype == ODT.content_type:
                        return ODT
                return None
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return None
    return None


def sniff(stream: BinaryIO) -> Kind | None:
    """The kind of the file in ``stream`` (seekable), or None when it is none we accept."""
    stream.seek(0)
    head = stream.read(16)
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(stream)
    return None


def extension(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot > 0 else ""
