"""Papers as files, kept in the database itself.

A file's bytes are stored once per content (``paper_blob``, keyed by SHA-256) as a run of
``paper_chunk`` rows of at most :data:`CHUNK_BYTES` each, so neither an upload nor a download
ever holds a whole file in memory, API replicas stay stateless and a database backup carries
the papers. ``paper_file`` attaches a blob to a paper (``report``) under the name it was
uploaded with.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, LargeBinary, String
from sqlmodel import Field, SQLModel

from api.core import clock
from api.core.models import UTCDateTime

CHUNK_BYTES = 256 * 1024


class PaperBlob(SQLModel, table=True):
    """The bytes of one file content, identified by their SHA-256 (hex)."""

    __tablename__ = "paper_blob"

    sha256: str = Field(sa_column=Column(String(64), primary_key=True))
    size: int = Field(sa_type=BigInteger)
    content_type: str = Field(max_length=100)
    chunk_count: int
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class PaperChunk(SQLModel, table=True):
    """One slice of a blob's bytes; ``seq`` counts from 0."""

    __tablename__ = "paper_chunk"

    sha256: str = Field(
        sa_column=Column(
            String(64),
            ForeignKey("paper_blob.sha256", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    data: bytes = Field(sa_type=LargeBinary)


class PaperFile(SQLModel, table=True):
    """The file of a paper: at most one per paper, replaced by a new upload."""

    __tablename__ = "paper_file"

    report_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("report.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    sha256: str = Field(foreign_key="paper_blob.sha256", max_length=64, index=True)
    name: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int = Field(sa_type=BigInteger)
    uploaded_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
