"""The kinds of message a person receives, which of them they may switch off, and the defaults.

A notice the terms of reference require (a meeting called, moved, cancelled or adjourned; a
password link) is always sent: it has no unsubscribe link and a preference cannot stop it.
"""

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    meeting_notice = "meeting_notice"
    agenda = "agenda"
    minutes = "minutes"
    red_task = "red_task"
    reminder = "reminder"
    digest = "digest"
    account = "account"
    other = "other"


@dataclass(frozen=True)
class CategoryInfo:
    label: str
    description: str
    required: bool  # always sent; no unsubscribe
    default: bool  # sent unless the person says otherwise (opt-out) or only on request


CATEGORIES: dict[Category, CategoryInfo] = {
    Category.meeting_notice: CategoryInfo(
        "Meeting notices",
        "A meeting of your partnership is called, moved, cancelled or adjourned (with a "
        "calendar invitation). Required by the terms of reference.",
        required=True,
        default=True,
    ),
    Category.agenda: CategoryInfo(
        "Agenda and papers",
        "The agenda pack of a meeting is published, with links to the papers.",
        required=False,
        default=True,
    ),
    Category.minutes: CategoryInfo(
        "Approved minutes",
        "The minutes of a meeting are approved.",
        required=False,
        default=True,
    ),
    Category.red_task: CategoryInfo(
        "Red tasks",
        "A task of a partnership you chair or support turns red.",
        required=False,
        default=True,
    ),
    Category.reminder: CategoryInfo(
        "Update reminders",
        "Before each meeting, the tasks your organisation leads that have not been updated "
        "this cycle.",
        required=False,
        default=True,
    ),
    Category.digest: CategoryInfo(
        "Weekly digest",
        "Once a week: changes, red tasks and next meetings of your partnerships.",
        required=False,
        default=False,
    ),
    Category.account: CategoryInfo(
        "Account",
        "Links to set or reset your password.",
        required=True,
        default=True,
    ),
    Category.other: CategoryInfo(
        "Other notices",
        "Other messages from the partnership's officers and the public site.",
        required=False,
        default=True,
    ),
}

# What a person sees and may change on the preferences screen (account mail is not theirs to
# choose and not a topic of the partnership).
PERSONAL = [c for c in Category if c is not Category.account]
