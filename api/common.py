"""Building blocks shared by every feature: ids, aware timestamps, checked enums, base table."""

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, create_model
from pydantic import Field as PydanticField
from sqlalchemy import CheckConstraint, DateTime, Integer, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelConfig

from api.core import clock

# A positive 32-bit id: out-of-range ids are a 422, never a database error.
Id = Annotated[int, PydanticField(ge=1, le=2_147_483_647)]


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC on every database (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_check(column: str, enum: type[StrEnum], *, nullable: bool = False) -> CheckConstraint:
    """A named CHECK keeping ``column`` inside ``enum`` (enums are stored as plain strings)."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    sql = f"{column} IN ({values})"
    if nullable:
        sql = f"{column} IS NULL OR {sql}"
    return CheckConstraint(sql, name=column)


def enum_column(enum: type[StrEnum], **kwargs: Any) -> Any:
    """A field holding a checked enum as a short string column."""
    return Field(sa_type=String(32), **kwargs)


class Entity(SQLModel):
    """Columns every mutable table has; ``version`` drives ETags and optimistic locking."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(
        default_factory=clock.now,
        sa_type=UTCDateTime,
        nullable=False,
        index=True,
        sa_column_kwargs={"onupdate": clock.now},
    )
    version: int = Field(default=1, sa_type=Integer, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # SQLAlchemy guards every UPDATE with ``WHERE version = :seen`` (StaleDataError -> 412).
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class RecordMeta(SQLModel):
    """Fields every ``*Read`` schema of an Entity carries."""

    id: int
    version: int
    created_at: datetime
    updated_at: datetime


def partial_model(base: type[BaseModel], name: str, *, exclude: Iterable[str] = ()) -> Any:
    """The ``*Update`` schema of ``base``: every field optional, absent keeps, null clears.

    Fields that are required in ``base`` stay non-nullable, so ``{"name": null}`` is a 422.
    """
    skip = set(exclude)
    fields: dict[str, Any] = {}
    for field_name, info in base.model_fields.items():
        if field_name in skip:
            continue
        annotation = (
            Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        )
        fields[field_name] = (annotation, PydanticField(None, description=info.description))
    model = create_model(name, __config__=ConfigDict(extra="forbid"), **fields)
    model.__doc__ = f"Fields to change; absent fields keep their value. See {base.__name__}."
    return model


def slugify(text: str, max_length: int = 80) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


STRICT = SQLModelConfig(extra="forbid")
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
