from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class Rule(StrEnum):
    attendance_below_threshold = "attendance_below_threshold"
    substitutions_over_limit = "substitutions_over_limit"
    meeting_overdue = "meeting_overdue"
    too_few_meetings = "too_few_meetings"
    chair_past_term = "chair_past_term"
    no_voluntary_member = "no_voluntary_member"
    inquorate_meeting = "inquorate_meeting"


class Finding(BaseModel):
    """One breach of a partnership's terms of reference, with the figures that show it."""

    rule: Rule
    partnership_id: int
    partnership_name: str
    membership_id: int | None = None
    person_id: int | None = None
    person_name: str | None = None
    meeting_id: int | None = None
    message: str
    evidence: dict[str, Any] = Field(description="The figures and dates behind the finding")


class GovernanceReport(BaseModel):
    checked_on: date
    window_start: date = Field(description="Start of the 12-month look-back")
    partnership_ids: list[int]
    counts: dict[Rule, int]
    findings: list[Finding]
