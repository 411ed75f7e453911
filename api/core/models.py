"""Building blocks shared by every feature: ids, aware timestamps, checked enums, base table."""

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from enum import StrEnum
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    NaiveDatetime,
    ValidationInfo,
    create_model,
    field_validator,
)
from pydantic import Field as PydanticField
from sqlalchemy import CheckConstraint, DateTime, Integer, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelConfig

from api.core import clock

# A positive 32-bit id: out-of-range ids are a 422, never a database error.
Id = Annotated[int, PydanticField(ge=1, le=2_147_483_647)]

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
RFC3339_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _as_written(pattern: re.Pattern[str], expected: str) -> Any:
    """A before-validator letting through only text of ``pattern`` (or an already parsed value):
    pydantic's lax parsing would read ``0`` or ``0.5`` in a query string as a Unix time."""

    def check(value: Any) -> Any:
        if isinstance(value, str) and not pattern.fullmatch(value):
            raise ValueError(f"must be {expected}")
        return value

    return BeforeValidator(check)


# Dates and instants in query strings, parsed as strictly as their OpenAPI formats say.
QueryDate = Annotated[date, _as_written(ISO_DATE, "a date like 2026-07-15")]
QueryDateTime = Annotated[
    datetime, _as_written(RFC3339_DATETIME, "an instant with its zone, like 2026-07-15T09:30:00Z")
]


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
        if value is None or value.tzinfo is UTC:  # PostgreSQL's, in the sessions' UTC
            return value
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


DATE_AND_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]")
INSTANTS = (datetime, AwareDatetime, NaiveDatetime)


def _written_as(value: Any, kind: type, text_matches: Callable[[str], Any]) -> bool:
    return isinstance(value, kind) or (isinstance(value, str) and bool(text_matches(value)))


def _held_type(annotation: Any) -> Any:
    """The type a field holds, seen through ``Annotated[...]`` and ``X | None``."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, UnionType):
            held = [arg for arg in get_args(annotation) if arg is not NoneType]
            if len(held) != 1:
                return annotation
            annotation = held[0]
        else:
            return annotation


class StrictBody(BaseModel):
    """Base of request bodies: values must have the JSON type the schema states. Pydantic's lax
    mode would read ``0`` as false, ``false`` as 0, ``"3"`` as 3 and ``0`` as 1 January 1970,
    accepting what the OpenAPI document forbids."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _json_type_as_declared(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or info.field_name is None:
            return value
        held = _held_type(cls.model_fields[info.field_name].annotation)
        if held is bool and not isinstance(value, bool):
            raise ValueError("must be true or false")
        if held in (int, float) and isinstance(value, bool | str):
            raise ValueError("must be a number")
        if held is date and not _written_as(value, date, ISO_DATE.fullmatch):
            raise ValueError("must be a date like 2026-07-15")
        if held in INSTANTS and not _written_as(value, datetime, DATE_AND_TIME.match):
            raise ValueError("must be an instant like 2026-07-15T09:30:00Z")
        return value


class RecordMeta(SQLModel):
    """Fields every ``*Read`` schema of an Entity carries."""

    id: int
    version: int
    created_at: datetime
    updated_at: datetime


class Can(SQLModel):
    """What the caller may do with a record, decided by the policy that guards the writes: a
    screen offers an action only where it is true."""

    update: bool
    delete: bool


CAN_DESCRIPTION = (
    "What you may do with this record, by the rules that guard the writes; "
    "null where this endpoint does not say"
)


class Permitted(SQLModel):
    """A ``*Read`` schema that tells the caller what they may do with the record."""

    can: Can | None = Field(default=None, description=CAN_DESCRIPTION)


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
    model = create_model(name, __base__=StrictBody, **fields)
    model.__doc__ = f"Fields to change; absent fields keep their value. See {base.__name__}."
    return model


def slugify(text: str, max_length: int = 80) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


STRICT = SQLModelConfig(extra="forbid")
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
