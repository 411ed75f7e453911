"""What happens to a plan's tasks, for features that react (notifications)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TaskTurnedRed:
    """A task's current RAG became red (it was not red before)."""

    task_id: int
