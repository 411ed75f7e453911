"""A per-process cap on whole-plan work built at once (reports, progress tables).

Each such request holds megabytes of rows and models at its peak, and in one process the GIL
runs them one at a time anyway: past a couple at once, more only multiplies the peak (which
the allocator keeps as free space after the load) without adding throughput. Requests past
the cap wait in their worker thread for a slot; a report run in turn on the event loop
(``api.core.web.deps.in_turn``) waits there, as long as the work that holds the slot runs.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from api.core.settings import get_settings

# One semaphore per configured size, so a changed setting (tests) takes effect at once.
_slots: dict[int, threading.BoundedSemaphore] = {}


@contextmanager
def heavy_work() -> Iterator[None]:
    """Hold one of the process's ``LSPHUB_HEAVY_WORK_CONCURRENCY`` slots for the block."""
    size = get_settings().heavy_work_concurrency
    slots = _slots.get(size) or _slots.setdefault(size, threading.BoundedSemaphore(size))
    with slots:
        yield
