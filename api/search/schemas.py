from enum import StrEnum

from pydantic import BaseModel, Field

from api.search.index import KINDS

SearchKind = StrEnum("SearchKind", {k: k for k in KINDS})  # type: ignore[misc]


class SearchParams(BaseModel):
    q: str = Field(min_length=1, max_length=200, description="Words to find (all of them)")
    kind: SearchKind | None = Field(None, description="Only results of this kind")
    limit: int = Field(20, ge=1, le=50)


class SnippetPart(BaseModel):
    text: str
    match: bool = Field(description="A word of the query: show it highlighted")


class SearchHit(BaseModel):
    kind: SearchKind
    id: int = Field(description="The id of the task, action, outcome, decision, meeting, ...")
    title: str
    snippet: list[SnippetPart]
    parent_id: int | None = Field(
        description="What the result opens through: a decision's meeting, an action's "
        "partnership, an outcome's strategy, a task's action, a meeting's or paper's "
        "partnership, a person's organisation"
    )
    rank: float = Field(description="Higher is a better match (comparable within one response)")


class SearchResults(BaseModel):
    query: str
    items: list[SearchHit]
