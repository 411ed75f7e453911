"""The API with the audit chain's link step stubbed out: the baseline of what the chain costs.

``bench/load_bench.py --only chain`` posts status updates to the API as it ships and to this
app in the same run. Here events get a placeholder place in the chain (unique per worker
process) and placeholder hashes in the flush: no linking transaction, no advisory lock, no
read of the tip, no SHA-256. Everything else, the two extra columns included, is the shipped
code path. The events it writes break the chain, so it runs only on the benchmark's own
database.

    uvicorn bench.unchained_app:create_app --factory --workers 2
"""

import itertools
import os
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Table
from sqlalchemy.orm import Session

from api.core import audit_chain
from api.main import create_app as create_api

PLACEHOLDER = "0" * 64
# Beyond any real chain position, and apart per worker process: counted from the pid of the
# process that writes, since the workers are forked from one arbiter that loaded this module.
_positions: dict[int, Iterator[int]] = {}


def unlinked(session: Session, events: Sequence[Any], table: Table) -> None:
    pid = os.getpid()
    positions = _positions.setdefault(pid, itertools.count(pid * 1_000_000_000))
    for event in events:
        event.seq = next(positions)
        event.prev_hash = event.hash = PLACEHOLDER


def create_app() -> FastAPI:
    audit_chain.link_new = unlinked  # the flush listener looks the step up when it runs
    return create_api()
