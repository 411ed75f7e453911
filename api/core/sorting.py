"""Orders people expect: outcome codes and task references sorted as numbers and words."""

import re
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=8192)
def natural_key(text: str) -> tuple[Any, ...]:
    """'1.10' after '1.9'; 'b' after 'a'."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.split(r"(\d+)", text)
        if part
    )
