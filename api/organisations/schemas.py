from pydantic import BaseModel, Field

from api.core.models import STRICT, Permitted, RecordMeta, StrictBody, partial_model
from api.organisations.models import OrganisationBase, Sector


class OrganisationCreate(OrganisationBase, StrictBody):
    model_config = STRICT
    slug: str | None = Field(  # type: ignore[assignment]
        default=None, max_length=80, pattern=r"^[a-z0-9-]+$", description="Defaults from name"
    )


OrganisationUpdate = partial_model(OrganisationBase, "OrganisationUpdate")


class OrganisationRead(OrganisationBase, RecordMeta, Permitted):
    pass


class OrganisationFilters(BaseModel):
    sector: Sector | None = None
    q: str | None = Field(None, max_length=100, description="Text in name or short name")
