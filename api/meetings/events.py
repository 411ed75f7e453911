"""What happens to a meeting, for features that react (notifications, the public site)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class MeetingScheduled:
    meeting_id: int


@dataclass(frozen=True)
class MeetingChanged:
    meeting_id: int


@dataclass(frozen=True)
class MeetingCancelled:
    meeting_id: int


@dataclass(frozen=True)
class MeetingAdjourned:
    meeting_id: int
    resumed_meeting_id: int


@dataclass(frozen=True)
class AgendaPublished:
    meeting_id: int


@dataclass(frozen=True)
class MinutesApproved:
    meeting_id: int
