from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from api.core.models import QueryDateTime


class AuditEventRead(BaseModel):
    id: int
    seq: int = Field(description="Place in the hash chain: 1, 2, 3, … in the order written")
    at: datetime
    principal: str = Field(description="Who: user:<id>, api_key:<prefix>, cli or anonymous")
    principal_name: str = Field(description="The principal's name where known, else its label")
    action: str
    resource: str
    resource_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    prev_hash: str = Field(description="SHA-256 of the previous event (64 zeros for the first)")
    hash: str = Field(description="SHA-256 of this event's canonical JSON (docs/audit.md)")


class AuditEventFilters(BaseModel):
    resource: str | None = Field(None, max_length=60, description="Table name, e.g. task")
    resource_id: str | None = Field(None, max_length=60)
    principal: str | None = Field(None, max_length=200, description="e.g. user:3, api_key:ab12")
    action: str | None = Field(None, max_length=40)
    request_id: str | None = Field(None, max_length=64)
    at_after: QueryDateTime | None = Field(None, description="At or after this instant")
    at_before: QueryDateTime | None = Field(None, description="At or before this instant")


class PrincipalName(BaseModel):
    principal: str
    name: str


class AuditFacets(BaseModel):
    """The values the trail holds, to filter by."""

    resources: list[str]
    actions: list[str]
    principals: list[PrincipalName]
