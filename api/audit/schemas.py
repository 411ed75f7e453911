from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from api.core.models import QueryDateTime


class AuditEventRead(BaseModel):
    id: int
    at: datetime
    principal: str
    action: str
    resource: str
    resource_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None


class AuditEventFilters(BaseModel):
    resource: str | None = Field(None, max_length=60, description="Table name, e.g. task")
    resource_id: str | None = Field(None, max_length=60)
    principal: str | None = Field(None, max_length=200, description="e.g. user:3, api_key:ab12")
    action: str | None = Field(None, max_length=40)
    request_id: str | None = Field(None, max_length=64)
    at_after: QueryDateTime | None = Field(None, description="At or after this instant")
    at_before: QueryDateTime | None = Field(None, description="At or before this instant")
