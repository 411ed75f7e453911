from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class ImportChange(BaseModel):
    """One row that would change (dry run): its natural key and the columns before → after."""

    row: int
    action: Literal["create", "update"]
    key: dict[str, Any]
    before: dict[str, Any] | None
    after: dict[str, Any]


class ImportErrorItem(BaseModel):
    """One bad cell; ``loc``/``msg`` follow the problem+json convention."""

    loc: list[str | int]
    msg: str
    row: int
    column: str | None
    value: str | None
    message: str


class ImportResult(BaseModel):
    kind: str
    dry_run: bool
    file_name: str | None = None
    sha256: str
    rows: int
    created: int
    updated: int
    unchanged: int
    deleted: int = 0
    unknown_columns: list[str] = Field(default_factory=list)
    import_id: int | None = Field(None, description="The import record written (not dry runs)")
    duplicate_of: int | None = Field(
        None, description="Nothing changed: the earlier import of the same file, if any"
    )
    changes: list[ImportChange] | None = Field(
        None, description="Dry run only: the first 1,000 rows that would change"
    )
    changes_total: int | None = None

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
        }


class ImportRecordRead(BaseModel):
    id: int
    kind: str
    file_name: str | None
    sha256: str
    principal: str
    counts: dict[str, Any]
    created_at: datetime


class ImportKindRead(BaseModel):
    name: str
    title: str
    key: list[str]
    columns: list[dict[str, Any]]
