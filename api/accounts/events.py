"""What happens to an account, for features that react (notifications)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class PasswordLinkIssued:
    """A one-time link to set a password was made: for a new user (``reason="new_user"``) or
    by an administrator's reset (``"reset"``). ``url`` holds the secret; deliver it only to
    ``email``."""

    user_id: int
    email: str
    name: str
    url: str
    expires_at: datetime
    reason: Literal["new_user", "reset"]
