"""In-process domain events.

A feature announces what happened (``emit``) with an event class it defines itself; features
higher up the layers react (``subscribe``) without the lower one importing them. Handlers run
synchronously in the caller's session, so whatever they write (an outbox message, a feed
entry) commits or rolls back with the change that caused it.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

__all__ = ["emit", "subscribe"]

E = TypeVar("E")

_handlers: dict[type[Any], list[Callable[[Session, Any], None]]] = {}


def subscribe(event_type: type[E], handler: Callable[[Session, E], None]) -> None:
    """Call ``handler`` for every ``event_type`` emitted from now on (once per handler)."""
    handlers = _handlers.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


def emit(session: Session, event: object) -> None:
    """Run the handlers of ``event``'s type, in subscription order, inside ``session``."""
    for handler in _handlers.get(type(event), ()):
        handler(session, event)
